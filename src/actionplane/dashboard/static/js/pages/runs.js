// Workflow runs: steps, attempts, compensations; resume or compensate with one click.

import { get, post } from "../api.js";
import { badge, confirmAction, facts, h, json, notice, replace, route, table, time } from "../dom.js";

const STATUSES = ["all", "needs_attention", "running", "compensating", "completed", "compensated", "failed"];
const RESUMABLE = new Set(["needs_attention", "running", "compensating"]);
const UNDONE = new Set(["compensated", "failed"]);

export async function runsPage(main, { query, ctx }) {
  const status = query.status || "all";
  const runs = await get("/v1/workflows/runs", { status: status === "all" ? "" : status, limit: 200 });
  if (!ctx.live) return;
  replace(
    main,
    h("h1", {}, "Workflow runs"),
    h("div", { class: "tabs", role: "tablist" }, STATUSES.map((s) =>
      h("button", {
        type: "button",
        role: "tab",
        "aria-selected": String(s === status),
        onClick: () => (location.hash = route("/runs", { status: s })),
      }, s.replace(/_/g, " ")))),
    table(
      [
        { label: "Run", cell: (r) => h("a", { href: `#/runs/${encodeURIComponent(r.id)}`, class: "mono" }, r.id) },
        { label: "Workflow", cell: (r) => r.workflow },
        { label: "End user", cell: (r) => r.user_id },
        { label: "Status", cell: (r) => badge(r.status) },
        { label: "Failed at", cell: (r) => (r.error && r.error.step) || "–" },
        { label: "Left undone", cell: (r) => (r.pending ? r.pending.length : "–") },
        { label: "Started", cell: (r) => time(r.created_at) },
      ],
      runs,
      { onRow: (r) => (location.hash = `#/runs/${encodeURIComponent(r.id)}`), empty: "No runs.", rowId: (r) => r.id },
    ),
  );
}

function undoState(step) {
  if (!step.compensation) return "–";
  if (step.status === "compensated") return badge("undone", "ok");
  if (step.status === "undo_failed") return [badge("NOT undone", "bad"), h("span", { class: "sub" }, `${step.undo_attempts} tries`)];
  return step.undo_attempts ? `${step.undo_attempts} tries` : "–";
}

function stepsTable(run) {
  return table(
    [
      { label: "#", cell: (s) => s.seq },
      { label: "Step", cell: (s) => [s.name, s.pivot ? h("span", { class: "sub" }, "pivot: no undo after it") : null] },
      { label: "Tool", cell: (s) => s.tool },
      { label: "Status", cell: (s) => badge(s.status) },
      { label: "Attempts", cell: (s) => s.attempts },
      { label: "Trace", cell: (s) => (s.trace_id ? h("a", { class: "mono", href: route("/executions", { trace_id: s.trace_id }) }, s.trace_id.slice(0, 12)) : "–") },
      { label: "Compensation", cell: (s) => (s.compensation ? s.compensation.tool : "none") },
      { label: "Undo", cell: undoState },
      { label: "Undo error", cell: (s) => (s.undo_error ? s.undo_error.message || JSON.stringify(s.undo_error) : "–") },
    ],
    run.steps || [],
    { empty: "No step has run yet." },
  );
}

function runView(main, run, ctx, message) {
  const act = (verb, path, question) => h("button", {
    type: "button",
    class: verb === "Compensate" ? "danger" : "",
    onClick: async (event) => {
      if (question && !(await confirmAction(question, verb))) return;
      event.target.disabled = true;
      event.target.textContent = `${verb === "Resume" ? "Resuming" : "Compensating"}…`;
      try {
        const after = await post(`/v1/workflows/runs/${encodeURIComponent(run.id)}/${path}`);
        const tone = after.status === "needs_attention" ? "bad" : "ok";
        runView(main, after, ctx, notice(tone, `${verb}: the run is now ${after.status.replace(/_/g, " ")}.`));
      } catch (error) {
        runView(main, run, ctx, notice("bad", `${verb} refused: ${error.message}`));
      }
    },
  }, verb);
  const actions = [
    RESUMABLE.has(run.status) ? act("Resume", "resume") : null,
    !UNDONE.has(run.status)
      ? act("Compensate", "compensate", `Roll back every done step of ${run.id} now?`)
      : null,
  ];
  if (!ctx.live) return;
  replace(
    main,
    h("p", {}, h("a", { href: "#/runs" }, "← Workflow runs")),
    h("div", { class: "spread" }, h("h1", {}, `${run.workflow} `, badge(run.status)), h("div", { class: "row run-actions" }, actions)),
    message || null,
    run.status === "needs_attention"
      ? notice("warn", "This run could not undo everything on its own. Fix the cause (a provider outage, a revoked connection), then Resume to retry the undos, or Compensate.")
      : null,
    h("section", { class: "panel" }, facts([
      ["Run", h("span", { class: "mono" }, run.id)],
      ["End user", run.user_id],
      ["Started", time(run.created_at)],
      ["Updated", time(run.updated_at)],
      ["Pickups", run.pickups],
      run.error && ["Failed at", `${run.error.step || "–"}: ${run.error.message || ""}`],
    ])),
    h("h2", {}, "Steps"),
    stepsTable(run),
    run.pending && run.pending.length
      ? [
          h("h2", {}, "Remains undone"),
          table(
            [
              { label: "Step", cell: (p) => p.step },
              { label: "Tool", cell: (p) => p.tool },
              { label: "Reason", cell: (p) => p.reason },
              { label: "Undo", cell: (p) => (p.compensation ? p.compensation.tool : "–") },
              { label: "Record", cell: (p) => json(p.result) },
            ],
            run.pending,
          ),
        ]
      : null,
    h("h2", {}, "Input"),
    json(run.input),
    run.output !== null && run.output !== undefined ? [h("h2", {}, "Output"), json(run.output)] : null,
  );
}

export async function runPage(main, { params, ctx }) {
  const run = await get(`/v1/workflows/runs/${encodeURIComponent(params[0])}`);
  runView(main, run, ctx);
}
