// The span tree of one call, as the plane emits it: the trace, the `execute_tool` span of each
// call in it, and under this call one HTTP client span per attempt, with the waits between.

import { h, ms } from "../dom.js";

function bar(start, length, extent, tone = "") {
  const el = h("span", { class: `bar ${tone}` });
  el.style.left = `${(100 * start) / extent}%`;
  el.style.width = `${Math.max((100 * length) / extent, 0.4)}%`;
  return h("div", { class: "bar-track" }, el);
}

function span(label, start, length, extent, tone) {
  return h("div", { class: "span" }, h("div", {}, label), bar(start, length, extent, tone));
}

export function spanTree(record, traceCalls) {
  const calls = traceCalls.length ? traceCalls : [record];
  const origin = Math.min(...calls.map((c) => c.started_at));
  const end = Math.max(...calls.map((c) => c.started_at + c.duration_ms / 1000));
  const extent = Math.max(end - origin, 0.001);
  const at = (epoch) => epoch - origin;

  const children = calls.map((call) => {
    const mine = call.id === record.id;
    const label = mine
      ? h("strong", {}, `execute_tool ${call.tool}`, h("span", { class: "sub" }, ms(call.duration_ms)))
      : h("a", { href: `#/executions/${encodeURIComponent(call.id)}` }, `execute_tool ${call.tool}`,
          h("span", { class: "sub" }, ms(call.duration_ms)));
    const tone = call.status === "succeeded" ? "" : "bad";
    const node = span(label, at(call.started_at), call.duration_ms / 1000, extent, tone);
    if (!mine) return h("li", {}, node);
    const attempts = (record.attempt_log || []).flatMap((a) => {
      const parts = [];
      if (a.delay_before_s > 0) {
        parts.push(
          h("li", {}, span(
            h("span", { class: "muted" }, `wait ${a.delay_before_s.toFixed(2)} s (backoff)`),
            at(a.started_at) - a.delay_before_s, a.delay_before_s, extent, "wait",
          )),
        );
      }
      const answer = a.status_code ? `HTTP ${a.status_code}` : "no answer";
      parts.push(
        h("li", {}, span(
          h("span", {}, `attempt ${a.number}: ${answer} → ${a.outcome.replace(/_/g, " ")}`,
            h("span", { class: "sub" }, ms(a.duration_ms))),
          at(a.started_at), a.duration_ms / 1000, extent, a.outcome === "succeeded" ? "" : "bad",
        )),
      );
      return parts;
    });
    return h("li", {}, node, attempts.length ? h("ul", {}, attempts) : null);
  });

  return h(
    "ul",
    { class: "tree" },
    h("li", {}, h("div", { class: "mono muted" }, `trace ${record.trace_id}`), h("ul", {}, children)),
  );
}
