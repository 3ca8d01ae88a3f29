// The /v1 API with the signed-in key. The key lives in sessionStorage: it is gone when the tab
// closes, and never leaves this origin.

const KEY = "actionplane.key";

export class ApiError extends Error {
  constructor(status, title, detail, body) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.body = body;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(key) {
  sessionStorage.setItem(KEY, key.trim());
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") query.set(k, v);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method, path, { params, body, headers } = {}) {
  const response = await fetch(url(path, params), {
    method,
    headers: {
      Authorization: `Bearer ${token() || ""}`,
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(headers || {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    signOut();
    window.dispatchEvent(new Event("actionplane:signed-out"));
  }
  return response;
}

async function problem(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { detail: response.statusText };
  }
  const fields = (data.problems || []).map((p) => `${p.field}: ${p.message}`).join("; ");
  const detail = [data.detail, fields].filter(Boolean).join(" — ");
  return new ApiError(response.status, data.title, detail, data);
}

/** A JSON request; problem details become an ApiError. */
export async function api(method, path, options) {
  const response = await send(method, path, options);
  if (!response.ok) throw await problem(response);
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path, params) => api("GET", path, { params });
export const post = (path, body, options = {}) => api("POST", path, { body, ...options });
export const del = (path) => api("DELETE", path);

/** A POST answered with server-sent events; onEvent(name, data) for each. */
export async function stream(path, body, onEvent) {
  const response = await send("POST", path, { body, headers: { Accept: "text/event-stream" } });
  if (!response.ok) throw await problem(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}
