// Where the provider sends the user back after consent: hands state and code to the API's
// callback (no key needed: the single-use state names the project) and says how it went.

const query = new URLSearchParams(location.search);
const title = document.querySelector("h1");
const result = document.querySelector(".result");

function show(ok, heading, text) {
  title.textContent = heading;
  result.textContent = text;
  result.className = `result notice ${ok ? "ok" : "bad"}`;
}

async function finish() {
  const answer = await fetch(`/v1/connections/callback?${query.toString()}`, {
    headers: { Accept: "application/json" },
  });
  const body = await answer.json().catch(() => ({}));
  // The code is single use: keep it out of the address bar and the history.
  history.replaceState(null, "", location.pathname);
  if (answer.ok) {
    show(true, "Connected", `${body.user_id} is connected to ${body.toolkit} (${body.status}). You can close this tab.`);
  } else {
    show(false, "Not connected", body.detail || `The callback failed (HTTP ${answer.status}).`);
  }
}

finish().catch((error) => show(false, "Not connected", String(error)));
