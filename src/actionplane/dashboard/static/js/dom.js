// Building the page from data without ever parsing data as HTML: every value is text.

/** An element: h("a", {href: "#/"}, "text", child). `on*` props become listeners. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const SVG = "http://www.w3.org/2000/svg";
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  append(el, children);
  return el;
}

export function time(epoch) {
  if (epoch === null || epoch === undefined) return "–";
  const d = new Date(epoch * 1000);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const clock = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return sameDay ? clock : `${d.toLocaleDateString()} ${clock}`;
}

export function ms(value) {
  if (value === null || value === undefined) return "–";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export function percent(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
}

const GOOD = new Set(["succeeded", "ACTIVE", "completed", "replayed", "closed", "compensated"]);
const BAD = new Set([
  "failed", "FAILED", "EXPIRED", "open", "needs_attention", "permanent", "unknown",
  "auth_required", "circuit_open", "undo_failed", "transient", "exhausted", "unknown_outcome",
]);
const WARN = new Set([
  "pending", "replaying", "INITIATED", "half_open", "running", "compensating", "rate_limited",
  "skipped",
]);

export function badge(text, kind) {
  const tone = kind || (GOOD.has(text) ? "ok" : BAD.has(text) ? "bad" : WARN.has(text) ? "warn" : "");
  return h("span", { class: `badge ${tone}` }, String(text ?? "–").replace(/_/g, " "));
}

export function json(value) {
  return h("pre", {}, JSON.stringify(value, null, 2));
}

/**
 * A table that reads as cards on narrow screens. columns: [{label, cell(row) -> node|text}],
 * onRow(row) makes rows clickable (links inside rows still work on their own).
 */
export function table(columns, rows, { onRow, empty = "Nothing here yet.", rowId } = {}) {
  if (!rows.length) return h("p", { class: "muted empty" }, empty);
  const body = rows.map((row) => {
    const tr = h(
      "tr",
      { class: onRow ? "clickable" : "", dataset: rowId ? { id: rowId(row) } : undefined },
      columns.map((c) => h("td", { "data-label": c.label, class: c.class }, c.cell(row))),
    );
    if (onRow) {
      tr.addEventListener("click", (event) => {
        if (event.target.closest("a, button, input, label, select")) return;
        onRow(row);
      });
    }
    return tr;
  });
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "responsive" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h("tbody", {}, body),
    ),
  );
}

export function notice(kind, ...text) {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(Boolean).flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value ?? "–")]),
  );
}

/** A modal confirmation; resolves true when the person confirms. */
export function confirmAction(text, okLabel = "Confirm") {
  const dialog = document.getElementById("confirm");
  dialog.querySelector(".confirm-text").textContent = text;
  dialog.querySelector(".confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

/** A link target for a page with filters: route("/executions", {user: "alice"}). */
export function route(path, query = {}) {
  const search = new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""),
  ).toString();
  return `#${path}${search ? `?${search}` : ""}`;
}
