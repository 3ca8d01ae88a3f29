// Dead-letter queue: inspect, replay, discard, and replay in bulk with a progress bar.

import { get, post, stream } from "../api.js";
import { badge, confirmAction, h, notice, replace, route, table, time } from "../dom.js";

const REFRESH_MS = 3000;
const STATUSES = ["pending", "replaying", "replayed", "discarded", "all"];

function resultNotice(entryId, result) {
  if (result.successful) {
    return notice("ok", `Replayed ${entryId}: succeeded. `,
      h("a", { href: `#/executions/${encodeURIComponent(result.execution_id)}` }, "See the call"));
  }
  return notice("bad", `Replayed ${entryId}: failed again (${result.error.category}: ${result.error.message}).`);
}

/** Replay and Discard buttons for one entry; `done(message)` after either. */
export function deadLetterActions(entry, done) {
  if (entry.status !== "pending") return [];
  const out = h("span");
  const replay = h("button", {
    type: "button",
    class: "small",
    onClick: async () => {
      replay.disabled = discard.disabled = true;
      replay.textContent = "Replaying…";
      try {
        const result = await post(`/v1/dlq/${encodeURIComponent(entry.id)}/replay`);
        done(resultNotice(entry.id, result));
      } catch (error) {
        done(notice("bad", `Replay of ${entry.id} refused: ${error.message}`));
      }
    },
  }, "Replay");
  const discard = h("button", {
    type: "button",
    class: "small secondary",
    onClick: async () => {
      if (!(await confirmAction(`Discard ${entry.tool} for ${entry.user_id}? It will not be replayed.`, "Discard"))) return;
      try {
        await post(`/v1/dlq/${encodeURIComponent(entry.id)}/discard`);
        done(notice("ok", `Discarded ${entry.id}.`));
      } catch (error) {
        done(notice("bad", `Discard of ${entry.id} refused: ${error.message}`));
      }
    },
  }, "Discard");
  return [replay, " ", discard, out];
}

export async function dlqPage(main, { query, ctx }) {
  const status = query.status || "pending";
  const selected = new Set();
  const messages = h("div", { class: "messages" });
  const listing = h("div");
  const progressArea = h("div");
  let busy = false;

  const say = (node) => replace(messages, node);

  async function load() {
    const entries = await get("/v1/dlq", { status: status === "all" ? "" : status, limit: 500 });
    if (!ctx.live) return;
    for (const id of [...selected]) if (!entries.some((e) => e.id === id && e.status === "pending")) selected.delete(id);
    replace(listing, table(
      [
        {
          label: "Select",
          cell: (e) => e.status === "pending"
            ? h("input", {
                type: "checkbox",
                "aria-label": `select ${e.id}`,
                checked: selected.has(e.id),
                onChange: (event) => {
                  if (event.target.checked) selected.add(e.id);
                  else selected.delete(e.id);
                  updateBulk();
                },
              })
            : "",
        },
        { label: "Dead-lettered", cell: (e) => time(e.created_at) },
        { label: "Tool", cell: (e) => h("a", { href: `#/executions/${encodeURIComponent(e.execution_id)}` }, e.tool) },
        { label: "End user", cell: (e) => e.user_id },
        { label: "Reason", cell: (e) => badge(e.reason) },
        { label: "Error", cell: (e) => (e.error ? `${e.error.category}: ${e.error.message}` : "–") },
        { label: "Attempts", cell: (e) => e.attempts },
        { label: "Status", cell: (e) => badge(e.status) },
        {
          label: "Actions",
          class: "actions",
          cell: (e) => [
            h("a", { href: `#/executions/${encodeURIComponent(e.execution_id)}`, class: "small" }, "Inspect"),
            " ",
            deadLetterActions(e, (note) => { say(note); load(); }),
          ],
        },
      ],
      entries,
      { empty: status === "pending" ? "The queue is empty: nothing waits for a person." : "No entries.", rowId: (e) => e.id },
    ));
    pendingCount = entries.filter((e) => e.status === "pending").length;
    updateBulk();
  }

  let pendingCount = 0;
  const bulkSelected = h("button", { type: "button", class: "secondary", onClick: () => bulk([...selected]) }, "Replay selected");
  const bulkAll = h("button", { type: "button", onClick: () => bulk(null) }, "Replay all pending");
  function updateBulk() {
    bulkSelected.disabled = busy || selected.size === 0;
    bulkSelected.textContent = `Replay selected (${selected.size})`;
    bulkAll.disabled = busy || pendingCount === 0;
  }

  async function bulk(ids) {
    const what = ids ? `${ids.length} selected entries` : "every pending entry";
    if (!(await confirmAction(`Replay ${what}, each under its original idempotency key?`, "Replay"))) return;
    busy = true;
    updateBulk();
    replace(messages);
    const bar = h("progress", { max: 1, value: 0, "aria-label": "bulk replay progress" });
    const label = h("span", { class: "progress-label" }, "starting…");
    const log = h("ul", { class: "muted" });
    replace(progressArea, h("section", { class: "panel bulk" }, h("div", { class: "spread" }, h("strong", {}, "Bulk replay"), label), bar, log));
    try {
      await stream("/v1/dlq/replay", ids ? { ids } : {}, (event, data) => {
        if (event === "start") {
          bar.max = Math.max(1, data.total);
          label.textContent = `0 / ${data.total}`;
        } else if (event === "progress") {
          bar.value = data.done;
          label.textContent = `${data.done} / ${data.total}`;
          log.append(h("li", {}, `${data.entry_id}: ${data.outcome}${data.message ? ` (${data.message})` : ""}`));
        } else if (event === "end") {
          label.textContent = `done: ${data.succeeded} succeeded, ${data.failed} failed, ${data.skipped} skipped`;
        }
      });
    } catch (error) {
      say(notice("bad", `Bulk replay stopped: ${error.message}`));
    }
    busy = false;
    selected.clear();
    await load();
  }

  const tabs = h("div", { class: "tabs", role: "tablist" }, STATUSES.map((s) =>
    h("button", {
      type: "button",
      role: "tab",
      "aria-selected": String(s === status),
      onClick: () => (location.hash = route("/dlq", { status: s })),
    }, s),
  ));
  replace(
    main,
    h("div", { class: "spread" }, h("h1", {}, "Dead-letter queue"), h("div", { class: "row" }, bulkSelected, bulkAll)),
    h("p", { class: "muted" }, "Calls that could not finish, kept with their arguments and idempotency key. A replay reuses the key, so a call that did reach the provider is not repeated."),
    tabs,
    messages,
    progressArea,
    listing,
  );
  await load();
  ctx.every(REFRESH_MS, () => { if (!busy) load().catch(() => {}); });
}
