// Overview: what the plane is doing now, refreshed every few seconds.

import { get } from "../api.js";
import { badge, h, ms, notice, percent, replace, route, svg, table, time } from "../dom.js";

const REFRESH_MS = 5000;

function tile(label, value, { href, alert } = {}) {
  const body = [h("div", { class: "label" }, label), h("div", { class: "value" }, value)];
  return href
    ? h("a", { class: `tile${alert ? " alert" : ""}`, href }, body)
    : h("div", { class: `tile${alert ? " alert" : ""}` }, body);
}

function chart(perMinute) {
  const width = 600;
  const height = 120;
  const top = Math.max(1, ...perMinute.map((m) => m.calls));
  const slot = width / perMinute.length;
  const bar = Math.max(1, slot * 0.7);
  const parts = [svg("line", { class: "axis", x1: 0, y1: height, x2: width, y2: height })];
  perMinute.forEach((m, i) => {
    const x = i * slot + (slot - bar) / 2;
    const okHeight = ((m.calls - m.failed) / top) * (height - 12);
    const badHeight = (m.failed / top) * (height - 12);
    const label = `${time(m.minute)}: ${m.calls} calls, ${m.failed} failed`;
    parts.push(
      svg(
        "g",
        {},
        svg("title", {}, label),
        svg("rect", { class: "ok", x, y: height - okHeight, width: bar, height: okHeight }),
        svg("rect", {
          class: "bad",
          x,
          y: height - okHeight - badHeight,
          width: bar,
          height: badHeight,
        }),
      ),
    );
  });
  return svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${width} ${height + 2}`,
      preserveAspectRatio: "none",
      role: "img",
      "aria-label": "Calls per minute",
    },
    ...parts,
  );
}

function view(data) {
  const latency = data.latency_ms;
  return [
    h(
      "div",
      { class: "spread" },
      h("h1", {}, "Overview"),
      h("span", { class: "muted live" }, `live · last ${data.minutes} min · ${time(data.until)}`),
    ),
    h(
      "div",
      { class: "tiles" },
      tile("Calls", data.calls, { href: route("/executions") }),
      tile("Success rate", percent(data.success_rate), {
        alert: data.success_rate !== null && data.success_rate < 0.95,
        href: route("/executions", { status: "failed" }),
      }),
      tile("p50 latency", ms(latency.p50)),
      tile("p99 latency", ms(latency.p99)),
      tile("Retries", data.retries),
      tile("Rate-limit waits", data.rate_limit_waits),
      tile("DLQ depth", data.dlq_pending, { href: "#/dlq", alert: data.dlq_pending > 0 }),
      tile("Runs needing attention", data.runs_needing_attention, {
        href: route("/runs", { status: "needs_attention" }),
        alert: data.runs_needing_attention > 0,
      }),
    ),
    h(
      "section",
      { class: "panel" },
      h(
        "div",
        { class: "spread" },
        h("h2", {}, "Calls per minute"),
        h(
          "div",
          { class: "legend" },
          h("span", {}, `peak ${Math.max(0, ...data.per_minute.map((m) => m.calls))}/min`),
          h("span", {}, h("i", { class: "ok" }), "succeeded"),
          h("span", {}, h("i", { class: "bad" }), "failed"),
        ),
      ),
      chart(data.per_minute),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Circuit breakers"),
      h(
        "p",
        { class: "muted" },
        "Per provider, as this server process sees them (shared by the fleet when Redis is configured).",
      ),
      table(
        [
          { label: "Provider", cell: (b) => b.provider },
          { label: "State", cell: (b) => badge(b.state) },
          { label: "Retry in", cell: (b) => (b.state === "open" ? `${b.retry_in_s.toFixed(1)} s` : "–") },
        ],
        data.breakers,
        { empty: "No provider called in this window." },
      ),
    ),
  ];
}

export async function overviewPage(main, { ctx }) {
  const refresh = async () => {
    try {
      const data = await get("/v1/stats/overview", { minutes: 15 });
      if (ctx.live) replace(main, view(data));
    } catch (error) {
      if (!ctx.live) return;
      main.querySelector(".refresh-error")?.remove();
      const note = notice("bad", `Refresh failed: ${error.message}`);
      note.classList.add("refresh-error");
      main.prepend(note);
    }
  };
  await refresh();
  ctx.every(REFRESH_MS, refresh);
}
