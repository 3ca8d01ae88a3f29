// The dashboard's router: hash routes (#/page/param?filters), sign-in, and per-page timers
// that stop when the person leaves the page.

import { get, signIn, signOut, token } from "./api.js";
import { h, notice, replace } from "./dom.js";
import { catalogPage, toolPage, toolkitPage } from "./pages/catalog.js";
import { connectionsPage } from "./pages/connections.js";
import { dlqPage } from "./pages/dlq.js";
import { executionPage, executionsPage } from "./pages/executions.js";
import { overviewPage } from "./pages/overview.js";
import { runPage, runsPage } from "./pages/runs.js";

const ROUTES = [
  [/^\/?$/, overviewPage, "overview"],
  [/^\/executions$/, executionsPage, "executions"],
  [/^\/executions\/([^/]+)$/, executionPage, "executions"],
  [/^\/connections$/, connectionsPage, "connections"],
  [/^\/dlq$/, dlqPage, "dlq"],
  [/^\/runs$/, runsPage, "runs"],
  [/^\/runs\/([^/]+)$/, runPage, "runs"],
  [/^\/catalog$/, catalogPage, "catalog"],
  [/^\/catalog\/tool\/([^/]+)$/, toolPage, "catalog"],
  [/^\/catalog\/([^/]+)$/, toolkitPage, "catalog"],
];

const main = document.getElementById("main");
let current = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, "");
  const [path, search = ""] = raw.split("?");
  return { path: path || "/", query: Object.fromEntries(new URLSearchParams(search)) };
}

class PageContext {
  constructor() {
    this.timers = [];
    this.live = true;
  }

  /** Run fn every `ms` while this page is shown (errors are shown, not thrown). */
  every(ms, fn) {
    this.timers.push(setInterval(() => this.live && fn(), ms));
  }

  stop() {
    this.live = false;
    this.timers.forEach(clearInterval);
  }
}

function showSignIn(message) {
  document.querySelector(".who").hidden = true;
  document.getElementById("nav").hidden = true;
  const input = h("input", {
    type: "password",
    name: "key",
    autocomplete: "off",
    required: true,
    placeholder: "apk_… or the local admin token",
  });
  const status = h("div");
  const form = h(
    "form",
    {
      onSubmit: async (event) => {
        event.preventDefault();
        const key = input.value.trim();
        const answer = await fetch("/v1/stats/overview?minutes=1", {
          headers: { Authorization: `Bearer ${key}`, Accept: "application/json" },
        });
        if (answer.ok) {
          signIn(key);
          location.hash = "#/";
          start();
          return;
        }
        const body = await answer.json().catch(() => ({}));
        replace(status, notice("bad", `Not signed in: ${body.detail || answer.statusText}`));
      },
    },
    h("label", {}, "Project API key or admin token", input),
    h("button", { type: "submit" }, "Sign in"),
  );
  replace(
    main,
    h(
      "section",
      { class: "signin panel" },
      h("h1", {}, "Sign in"),
      h(
        "p",
        { class: "muted" },
        "Use a project API key (actionplane keys create) or, with actionplane dashboard, ",
        "the admin token it printed. The key is kept in this tab only.",
      ),
      message ? notice("warn", message) : null,
      status,
      form,
    ),
  );
  input.focus();
}

async function render() {
  if (current) current.stop();
  if (!token()) return showSignIn();
  const { path, query } = parseHash();
  const found = ROUTES.find(([pattern]) => pattern.test(path));
  document.querySelectorAll("#nav a").forEach((a) => {
    if (found && a.dataset.page === found[2]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  document.getElementById("nav").classList.remove("open");
  const ctx = (current = new PageContext());
  if (!found) {
    replace(main, notice("warn", "No such page. ", h("a", { href: "#/" }, "Back to the overview")));
    return;
  }
  const params = path.match(found[0]).slice(1).map(decodeURIComponent);
  try {
    await found[1](main, { params, query, ctx });
  } catch (error) {
    if (ctx.live) replace(main, notice("bad", `This page could not load: ${error.message}`));
  }
}

async function start() {
  document.getElementById("nav").hidden = false;
  const who = document.querySelector(".who");
  try {
    const overview = await get("/v1/stats/overview", { minutes: 1 });
    who.querySelector(".project").textContent = `project ${overview.project}`;
    who.hidden = false;
  } catch {
    // render() shows the sign-in form when the key is refused.
  }
  await render();
}

function boot() {
  // `actionplane dashboard` prints a link with the admin token after the #: take it, then drop
  // it from the address bar (it never reaches the server's logs: fragments are not sent).
  const fromLink = location.hash.match(/^#token=(.+)$/);
  if (fromLink) {
    signIn(decodeURIComponent(fromLink[1]));
    history.replaceState(null, "", `${location.pathname}#/`);
  }
  document.querySelector(".signout").addEventListener("click", () => {
    signOut();
    showSignIn("Signed out.");
  });
  const toggle = document.querySelector(".menu-toggle");
  toggle.addEventListener("click", () => {
    const nav = document.getElementById("nav");
    nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(nav.classList.contains("open")));
  });
  window.addEventListener("hashchange", render);
  window.addEventListener("actionplane:signed-out", () => {
    if (current) current.stop();
    showSignIn("The key was refused (revoked, or the server restarted with a new admin token).");
  });
  start();
}

boot();
