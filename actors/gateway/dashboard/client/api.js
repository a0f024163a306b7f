// Talking to the daemon: JSON over fetch with the session cookie (same origin), WebSocket URLs.
import { toast } from "./dom.js";

/** Listeners told when a call is refused for want of a login (401/403 without a session). */
const authNeeded = new Set();
export const onAuthNeeded = (fn) => authNeeded.add(fn);

/**
 * Calls the API; resolves to { ok, status, body }. Never throws: a network failure is status 0 with its message.
 * Paths are relative to the page so the dashboard also works behind a proxy under a prefix.
 */
export async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path.replace(/^\//, ""), {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, status: 0, body: { error: `the daemon cannot be reached (${err.message})` } };
  }
  const type = response.headers.get("content-type") ?? "";
  const payload = type.startsWith("application/json") ? await response.json().catch(() => ({})) : {};
  if (response.status === 401) { for (const fn of authNeeded) fn(); }
  return { ok: response.ok, status: response.status, body: payload };
}

/** Calls a mutating route and tells the user what happened; resolves to the body, or undefined on failure. */
export async function act(method, path, body, done) {
  const r = await call(method, path, body);
  if (!r.ok) {
    toast(`${done ? done + ": " : ""}failed (${r.status || "no answer"}): ${r.body.error ?? "unknown error"}`, "error");
    return undefined;
  }
  if (done) toast(done);
  return r.body;
}

export const wsUrl = (path) => {
  const base = new URL(".", location.href);
  base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
  return new URL(path.replace(/^\//, ""), base).href;
};
