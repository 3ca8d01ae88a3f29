// Connections: per end user, status and last failure; connect (the OAuth consent opens in a new
// tab and lands on /ui/connected.html), reconnect an expired one, revoke.

import { del, get, post } from "../api.js";
import { badge, confirmAction, h, notice, replace, route, table, time } from "../dom.js";

const WAIT_MS = 1500;
const REDIRECT = `${location.origin}/ui/connected.html`;

/** Open the provider's consent, then watch the connection until it leaves INITIATED. */
async function consent(started, ctx, say, reload) {
  window.open(started.authorize_url, "_blank", "noopener");
  say(notice("warn", h("span", { class: "waiting" },
    `Waiting for consent in the new tab (connection ${started.connection_id})… `),
    h("a", { href: started.authorize_url, target: "_blank", rel: "noopener" }, "open it again")));
  await reload();
  const deadline = Date.now() + 10 * 60 * 1000;
  const watch = setInterval(async () => {
    if (!ctx.live || Date.now() > deadline) return clearInterval(watch);
    try {
      const connection = await get(`/v1/connections/${encodeURIComponent(started.connection_id)}`);
      if (connection.status === "INITIATED") return;
      clearInterval(watch);
      say(connection.status === "ACTIVE"
        ? notice("ok", `${connection.user_id} is connected to ${connection.toolkit}.`)
        : notice("bad", `The connection is ${connection.status}: ${connection.status_reason || "no reason given"}`));
      await reload();
    } catch (error) {
      clearInterval(watch);
      say(notice("bad", `Could not read the connection: ${error.message}`));
    }
  }, WAIT_MS);
}

function connectForm(toolkits, query, ctx, say, reload) {
  const user = h("input", { name: "user_id", required: true, value: query.user_id || "", placeholder: "the end user's id" });
  const kit = h("select", { name: "toolkit", required: true },
    toolkits.filter((t) => t.auth.includes("oauth2")).map((t) =>
      h("option", { value: t.slug }, `${t.name}${t.sandboxed ? " (sandbox)" : ""}`)));
  const account = h("input", { name: "account", value: "default" });
  const button = h("button", { type: "submit" }, "Connect");
  return h("form", {
    class: "filters connect",
    onSubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const started = await post("/v1/connections/initiate", {
          user_id: user.value.trim(), toolkit: kit.value, account: account.value.trim() || "default", redirect_url: REDIRECT,
        });
        await consent(started, ctx, say, reload);
      } catch (error) {
        say(notice("bad", `Could not start the connection: ${error.message}`));
      } finally {
        button.disabled = false;
      }
    },
  }, h("label", {}, "End user", user), h("label", {}, "Toolkit", kit), h("label", {}, "Account label", account), button);
}

export async function connectionsPage(main, { query, ctx }) {
  const messages = h("div", { class: "messages" });
  const listing = h("div");
  const say = (node) => replace(messages, node);
  const toolkits = await get("/v1/toolkits");

  async function reload() {
    const found = await get("/v1/connections", { user_id: query.user_id, toolkit: query.toolkit });
    if (!ctx.live) return;
    replace(listing, table(
      [
        { label: "End user", cell: (c) => h("a", { href: route("/connections", { user_id: c.user_id }) }, c.user_id) },
        { label: "Toolkit", cell: (c) => c.toolkit },
        { label: "Account", cell: (c) => c.account },
        { label: "Auth", cell: (c) => c.auth_type },
        { label: "Status", cell: (c) => badge(c.status) },
        { label: "Last failure", cell: (c) => c.status_reason || "–" },
        { label: "Since", cell: (c) => time(c.created_at) },
        {
          label: "Actions",
          class: "actions",
          cell: (c) => [
            c.auth_type === "oauth2" && c.status !== "ACTIVE"
              ? h("button", {
                  type: "button",
                  class: "small",
                  onClick: async () => {
                    try {
                      const started = await post(`/v1/connections/${encodeURIComponent(c.id)}/reconnect`, { redirect_url: REDIRECT });
                      await consent(started, ctx, say, reload);
                    } catch (error) {
                      say(notice("bad", `Could not reconnect: ${error.message}`));
                    }
                  },
                }, "Reconnect")
              : null,
            " ",
            h("button", {
              type: "button",
              class: "small secondary",
              onClick: async () => {
                if (!(await confirmAction(`Revoke ${c.user_id}'s ${c.toolkit} connection? The grant is revoked at the provider and the credential deleted.`, "Revoke"))) return;
                try {
                  await del(`/v1/connections/${encodeURIComponent(c.id)}`);
                  say(notice("ok", `Revoked ${c.user_id}'s ${c.toolkit} connection.`));
                } catch (error) {
                  say(notice("bad", `Could not revoke: ${error.message}`));
                }
                await reload();
              },
            }, "Revoke"),
          ],
        },
      ],
      found,
      { empty: "No connections yet: connect an account above.", rowId: (c) => c.id },
    ));
  }

  const filter = h("form", {
    class: "filters",
    role: "search",
    onSubmit: (event) => {
      event.preventDefault();
      location.hash = route("/connections", Object.fromEntries(new FormData(event.target)));
    },
  },
  h("label", {}, "End user", h("input", { name: "user_id", value: query.user_id || "", placeholder: "any" })),
  h("button", { type: "submit", class: "secondary" }, "Filter"));

  replace(
    main,
    h("h1", {}, "Connections"),
    h("section", { class: "panel" }, h("h2", {}, "Connect an account"),
      h("p", { class: "muted" }, "The provider's consent page opens in a new tab; this page updates when the user has agreed."),
      connectForm(toolkits, query, ctx, say, reload)),
    messages,
    filter,
    listing,
  );
  await reload();
}
