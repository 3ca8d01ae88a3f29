// Catalog: toolkits and tools, a tool's schema in each LLM format, and a "try it" form.

import { get, post } from "../api.js";
import { badge, confirmAction, h, json, notice, replace, route, table } from "../dom.js";

const FORMATS = ["json", "openai", "openai_responses", "anthropic", "gemini", "mcp"];

function kind(tool) {
  const b = tool.behavior || {};
  if (b.read_only) return badge("read", "ok");
  return badge(b.destructive ? "write, destructive" : "write", b.destructive ? "bad" : "warn");
}

function toolsTable(tools) {
  return table(
    [
      { label: "Tool", cell: (t) => h("a", { href: `#/catalog/tool/${encodeURIComponent(t.slug)}`, class: "mono" }, t.slug) },
      { label: "Name", cell: (t) => t.name },
      { label: "Kind", cell: kind },
      { label: "Version", cell: (t) => t.version },
    ],
    tools,
    { onRow: (t) => (location.hash = `#/catalog/tool/${encodeURIComponent(t.slug)}`), empty: "No tool matches." },
  );
}

export async function catalogPage(main, { query }) {
  const search = h("input", { name: "search", type: "search", value: query.search || "", placeholder: "e.g. create an issue" });
  const form = h("form", {
    class: "filters",
    role: "search",
    onSubmit: (event) => {
      event.preventDefault();
      location.hash = route("/catalog", { search: search.value.trim() });
    },
  }, h("label", {}, "Search tools", search), h("button", { type: "submit" }, "Search"));
  if (query.search) {
    const found = await get("/v1/tools", { search: query.search, limit: 25, format: "definition" });
    replace(main, h("h1", {}, "Catalog"), form, toolsTable(found));
    return;
  }
  const toolkits = await get("/v1/toolkits");
  replace(
    main,
    h("h1", {}, "Catalog"),
    form,
    h("div", { class: "cards" }, toolkits.map((kit) =>
      h("a", { class: "panel card", href: `#/catalog/${encodeURIComponent(kit.slug)}` },
        h("h3", {}, kit.name),
        h("div", { class: "row" }, badge(`${kit.tools} tools`, ""), kit.sandboxed ? badge("sandbox", "ok") : null),
        h("p", { class: "muted" }, `auth: ${kit.auth.join(", ")}`)))),
  );
}

export async function toolkitPage(main, { params }) {
  const [slug] = params;
  const tools = await get("/v1/tools", { toolkit: slug, limit: 1000, format: "definition" });
  replace(main, h("p", {}, h("a", { href: "#/catalog" }, "← Catalog")), h("h1", {}, slug), toolsTable(tools));
}

function field(name, schema, required) {
  const label = `${name}${required ? " *" : ""}`;
  const hint = schema.description ? h("span", { class: "sub" }, schema.description) : null;
  const common = { name, "data-type": schema.type || "string", required: required && schema.type !== "boolean" };
  let input;
  if (Array.isArray(schema.enum)) {
    input = h("select", common, [required ? null : h("option", { value: "" }, "–"), ...schema.enum.map((v) => h("option", { value: String(v) }, String(v)))]);
  } else if (schema.type === "boolean") {
    return h("label", { class: "check" }, h("input", { ...common, type: "checkbox" }), ` ${label}`, hint);
  } else if (schema.type === "integer" || schema.type === "number") {
    input = h("input", { ...common, type: "number", step: schema.type === "integer" ? "1" : "any" });
  } else if (schema.type === "object" || schema.type === "array") {
    input = h("textarea", { ...common, rows: 3, placeholder: schema.type === "array" ? "[ ]" : "{ }" });
  } else {
    input = h("input", { ...common, type: "text" });
  }
  const wide = schema.type === "object" || schema.type === "array" || (schema.description || "").length > 80;
  return h("label", { class: wide ? "wide" : "" }, label, input, hint);
}

function collect(form) {
  const args = {};
  for (const el of form.querySelectorAll("[data-type]")) {
    const type = el.dataset.type;
    if (type === "boolean") {
      if (el.checked) args[el.name] = true;
      continue;
    }
    const raw = el.value.trim();
    if (raw === "") continue;
    if (type === "integer" || type === "number") args[el.name] = Number(raw);
    else if (type === "object" || type === "array") {
      try {
        args[el.name] = JSON.parse(raw);
      } catch {
        throw new Error(`${el.name} is not valid JSON`);
      }
    } else args[el.name] = raw;
  }
  return args;
}

function tryIt(tool, sandboxed) {
  const props = (tool.input_schema && tool.input_schema.properties) || {};
  const required = new Set((tool.input_schema && tool.input_schema.required) || []);
  const user = h("input", { name: "__user", required: true, placeholder: "the end user to act for" });
  const output = h("div", { class: "try-result" });
  const form = h("form", {
    class: "try-it",
    onSubmit: async (event) => {
      event.preventDefault();
      let args;
      try {
        args = collect(form);
      } catch (error) {
        replace(output, notice("bad", error.message));
        return;
      }
      if (!sandboxed && !tool.behavior.read_only &&
          !(await confirmAction(`${tool.slug} writes to the real provider, not a sandbox. Run it?`, "Run"))) return;
      run.disabled = true;
      replace(output, h("p", { class: "muted" }, "Running…"));
      let result;
      try {
        result = await post(`/v1/tools/${encodeURIComponent(tool.slug)}/execute`, { user_id: user.value.trim(), arguments: args });
      } catch (error) {
        result = error.body && error.body.result;
        if (!result) {
          replace(output, notice("bad", error.message));
          run.disabled = false;
          return;
        }
      }
      run.disabled = false;
      replace(
        output,
        result.successful
          ? notice("ok", `Succeeded in ${result.attempts} attempt(s). `, h("a", { href: `#/executions/${encodeURIComponent(result.execution_id)}` }, "See the call"))
          : notice("bad", `${result.error.category}: ${result.error.message} `, h("a", { href: `#/executions/${encodeURIComponent(result.execution_id)}` }, "See the call")),
        json(result.successful ? result.data : result),
      );
    },
  },
  h("div", { class: "fields" }, h("label", {}, "End user *", user),
    Object.entries(props).map(([name, schema]) => field(name, schema, required.has(name)))),
  );
  const run = h("button", { type: "submit" }, "Run");
  form.append(run);
  return [
    sandboxed
      ? notice("ok", "Runs against the sandbox: nothing real is touched.")
      : notice("warn", "This toolkit is not pointed at the sandbox: a run calls the real provider."),
    form,
    output,
  ];
}

export async function toolPage(main, { params, ctx }) {
  const [slug] = params;
  const [tool, toolkits] = await Promise.all([
    get(`/v1/tools/${encodeURIComponent(slug)}`, { format: "definition" }),
    get("/v1/toolkits"),
  ]);
  const kit = toolkits.find((k) => k.slug === tool.toolkit) || {};
  const schema = h("div");
  const tabs = h("div", { class: "tabs", role: "tablist" });
  async function show(format) {
    tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b.value === format)));
    const rendered = await get(`/v1/tools/${encodeURIComponent(slug)}`, { format });
    if (ctx.live) replace(schema, json(rendered));
  }
  FORMATS.forEach((f) => tabs.append(h("button", { type: "button", role: "tab", value: f, onClick: () => show(f) }, f)));
  replace(
    main,
    h("p", {}, h("a", { href: `#/catalog/${encodeURIComponent(tool.toolkit)}` }, `← ${tool.toolkit}`)),
    h("div", { class: "spread" }, h("h1", { class: "mono" }, tool.slug), kind(tool)),
    h("p", {}, tool.description),
    h("section", { class: "panel" }, h("h2", {}, "Try it"), tryIt(tool, Boolean(kit.sandboxed))),
    h("section", { class: "panel" }, h("h2", {}, "Schema for each LLM API"), tabs, schema),
  );
  await show("openai");
}
