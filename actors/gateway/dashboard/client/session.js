// Login and logout: the control token is traded once for an HttpOnly session cookie (POST /api/v1/session); the page
// never keeps the token. Listeners are told when the session changes (channels reconnect with the new cookie).
import { call, onAuthNeeded } from "./api.js";
import { byId, toast } from "./dom.js";
import { openDialog } from "./dialog.js";

let session = { authenticated: false };
const listeners = new Set();
export const onSession = (fn) => listeners.add(fn);
export const isAdmin = () => session.authenticated && session.scope === "admin";

async function refresh() {
  const r = await call("GET", "/api/v1/session");
  if (r.ok) session = r.body;
  byId("who").textContent = session.authenticated ? `signed in (${session.scope})` : "";
  byId("login").textContent = session.authenticated ? "Log out" : "Log in";
  for (const fn of listeners) fn(session);
}

export function login() {
  return openDialog({
    title: "Log in",
    ok: "Log in",
    html: `<p class="dim small">The control token: TRADEACTOR_CONTROL_TOKEN, or "token" in control.json in the
      daemon's data directory. It is traded for a session cookie and not kept by this page.</p>
      <label>Token <input name="token" type="password" required autocomplete="current-password" maxlength="512"></label>`,
    submit: async (form) => {
      const r = await call("POST", "/api/v1/session", { token: form.elements.token.value.trim() });
      if (!r.ok) return `Login refused: ${r.body.error ?? r.status}`;
      await refresh();
      toast(`Signed in (${session.scope})`);
    },
  });
}

let asking = false;
export function setupSession() {
  byId("login").onclick = async () => {
    if (!session.authenticated) return void login();
    await call("DELETE", "/api/v1/session");
    await refresh();
    toast("Signed out");
  };
  // A refused call asks for a login once at a time, not once per failed request.
  onAuthNeeded(async () => {
    if (asking || session.authenticated) return;
    asking = true;
    await login();
    asking = false;
  });
  return refresh();
}
