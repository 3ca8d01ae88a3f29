// Executions: the log filtered by end user, tool, status and trace; one call's page with its
// attempts, upstream answers, redacted arguments, idempotency key, replays and span tree.

import { get } from "../api.js";
import { badge, facts, h, json, ms, notice, replace, route, table, time } from "../dom.js";
import { deadLetterActions } from "./dlq.js";
import { spanTree } from "./spans.js";

const FILTERS = [
  ["user_id", "End user"],
  ["tool", "Tool"],
  ["trace_id", "Trace id"],
];

function filterForm(query) {
  const inputs = FILTERS.map(([name, label]) =>
    h("label", {}, label, h("input", { name, value: query[name] || "", placeholder: "any" })),
  );
  const status = h(
    "select",
    { name: "status" },
    ["", "succeeded", "failed"].map((s) =>
      h("option", { value: s, selected: (query.status || "") === s }, s || "any"),
    ),
  );
  return h(
    "form",
    {
      class: "filters",
      role: "search",
      onSubmit: (event) => {
        event.preventDefault();
        const data = Object.fromEntries(new FormData(event.target));
        location.hash = route("/executions", data);
      },
    },
    inputs,
    h("label", {}, "Status", status),
    h("button", { type: "submit" }, "Filter"),
    h("a", { href: "#/executions", class: "muted" }, "clear"),
  );
}

export async function executionsPage(main, { query }) {
  const records = await get("/v1/executions", { ...query, limit: 200 });
  replace(
    main,
    h("h1", {}, "Executions"),
    filterForm(query),
    table(
      [
        { label: "Started", cell: (r) => time(r.started_at) },
        {
          label: "Tool",
          cell: (r) => h("a", { href: `#/executions/${encodeURIComponent(r.id)}` }, r.tool),
        },
        { label: "End user", cell: (r) => r.user_id },
        {
          label: "Outcome",
          cell: (r) => [badge(r.outcome), r.replayed ? [" ", badge("replayed", "")] : null],
        },
        { label: "Attempts", cell: (r) => r.attempts },
        { label: "Duration", cell: (r) => ms(r.duration_ms) },
        {
          label: "Trace",
          cell: (r) => h("a", { href: route("/executions", { trace_id: r.trace_id }), class: "mono" }, r.trace_id.slice(0, 12)),
        },
      ],
      records,
      {
        onRow: (r) => (location.hash = `#/executions/${encodeURIComponent(r.id)}`),
        empty: "No executions match.",
        rowId: (r) => r.id,
      },
    ),
  );
}

function attemptsTable(record) {
  const known = new Set(["number", "started_at", "duration_ms", "outcome", "status_code", "delay_before_s", "message"]);
  return table(
    [
      { label: "#", cell: (a) => a.number },
      { label: "Waited before", cell: (a) => `${(a.delay_before_s || 0).toFixed(2)} s` },
      { label: "Sent at", cell: (a) => time(a.started_at) },
      { label: "Took", cell: (a) => ms(a.duration_ms) },
      { label: "HTTP", cell: (a) => a.status_code ?? "–" },
      { label: "Outcome", cell: (a) => badge(a.outcome) },
      {
        label: "Upstream said",
        cell: (a) => {
          const extra = Object.fromEntries(Object.entries(a).filter(([k]) => !known.has(k)));
          return [a.message || "–", Object.keys(extra).length ? json(extra) : null];
        },
      },
    ],
    record.attempt_log || [],
    { empty: record.replayed ? "Answered from the stored result: nothing was sent." : "No request was sent." },
  );
}

export async function executionPage(main, { params, ctx }) {
  const [id] = params;
  const detail = await get(`/v1/executions/${encodeURIComponent(id)}/detail`);
  if (!ctx.live) return;
  const r = detail.execution;
  const others = detail.same_key.filter((e) => e.id !== r.id);
  replace(
    main,
    h("p", {}, h("a", { href: "#/executions" }, "← Executions")),
    h("div", { class: "spread" }, h("h1", {}, r.tool), h("div", { class: "row" }, badge(r.status), badge(r.outcome))),
    r.error
      ? notice("bad", h("strong", {}, r.error.category), ": ", r.error.message)
      : null,
    h(
      "section",
      { class: "panel" },
      facts([
        ["Execution", h("span", { class: "mono" }, r.id)],
        ["End user", h("a", { href: route("/executions", { user_id: r.user_id }) }, r.user_id)],
        ["Tool version", r.tool_version],
        ["Connection", r.connection_id],
        ["Started", time(r.started_at)],
        ["Duration", ms(r.duration_ms)],
        ["HTTP status", r.http_status],
        ["Trace", h("a", { class: "mono", href: route("/executions", { trace_id: r.trace_id }) }, r.trace_id)],
        r.agent_id && ["Agent", r.agent_id],
        r.tool_call_id && ["Tool call id", r.tool_call_id],
      ]),
    ),
    detail.dead_letter ? deadLetterPanel(detail.dead_letter, () => executionPage(main, { params, ctx })) : null,
    h("h2", {}, "Attempts"),
    attemptsTable(r),
    r.upstream ? [h("h2", {}, "Upstream response (redacted)"), json(r.upstream)] : null,
    h("h2", {}, "Arguments (redacted)"),
    detail.arguments === null
      ? h("p", { class: "muted" }, "Not kept for this call: the plane keeps the arguments of calls it dead-letters, to replay them.")
      : json(detail.arguments),
    h("h2", {}, "Idempotency"),
    h(
      "section",
      { class: "panel" },
      facts([
        ["Key", r.idempotency_key ? h("span", { class: "mono" }, r.idempotency_key) : "none (a read)"],
        ["This call", r.replayed ? "answered from the stored result (a replay)" : "sent to the provider"],
      ]),
      others.length
        ? [
            h("h3", {}, "Other calls under this key"),
            table(
              [
                { label: "Started", cell: (e) => time(e.started_at) },
                { label: "Call", cell: (e) => h("a", { href: `#/executions/${encodeURIComponent(e.id)}`, class: "mono" }, e.id) },
                { label: "Outcome", cell: (e) => [badge(e.outcome), e.replayed ? [" ", badge("replayed", "")] : null] },
              ],
              others,
            ),
          ]
        : h("p", { class: "muted" }, "No other call used this key."),
    ),
    h("h2", {}, "Span tree"),
    h("section", { class: "panel" }, spanTree(r, detail.trace)),
  );
}

function deadLetterPanel(entry, reload) {
  return h(
    "section",
    { class: "panel" },
    h("div", { class: "spread" }, h("h2", {}, "Dead letter"), badge(entry.status)),
    facts([
      ["Entry", h("span", { class: "mono" }, entry.id)],
      ["Reason", badge(entry.reason)],
      ["Attempts", entry.attempts],
      ["Replays so far", entry.redrives],
      ["Automatic redrive", entry.auto_redrive ? time(entry.next_attempt_at) : "no: a person decides"],
    ]),
    h("div", { class: "row" }, deadLetterActions(entry, reload)),
  );
}
