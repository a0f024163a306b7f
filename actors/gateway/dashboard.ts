/**
 * The web dashboard: one self-contained page (no external scripts, dark theme, responsive down to a phone)
 * that subscribes to the daemon's `/ws` WebSocket (falling back to polling `/api/v1/status` every second) and shows
 * equity, P&L, positions, strategies, risk state and decisions, with a guarded kill-switch button. It logs in by
 * trading the control token for an HttpOnly session cookie (POST /api/v1/session) when an action needs it.
 */
export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tradeactor</title>
<style>
  :root { color-scheme: dark; --bg:#0f1115; --panel:#171a21; --fg:#d8dee9; --dim:#7b8394; --up:#3fb950; --down:#f85149; --warn:#d29922; }
  * { box-sizing: border-box; }
  body { margin:0; font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background:var(--bg); color:var(--fg); }
  header { display:flex; flex-wrap:wrap; gap:1rem; align-items:baseline; padding:.8rem 1rem; border-bottom:1px solid #262b36; }
  header h1 { font-size:1rem; margin:0; }
  .kpis { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:.6rem; padding:1rem; }
  .kpi { background:var(--panel); border-radius:6px; padding:.6rem .8rem; }
  .kpi .label { color:var(--dim); font-size:.75rem; text-transform:uppercase; }
  .kpi .value { font-size:1.3rem; }
  section { padding:0 1rem 1rem; }
  h2 { font-size:.85rem; color:var(--dim); text-transform:uppercase; margin:.5rem 0; }
  table { width:100%; border-collapse:collapse; background:var(--panel); border-radius:6px; overflow:hidden; }
  th, td { padding:.35rem .6rem; text-align:right; white-space:nowrap; }
  th:first-child, td:first-child, .text { text-align:left; }
  th { color:var(--dim); font-weight:normal; border-bottom:1px solid #262b36; }
  .up { color:var(--up); } .down { color:var(--down); } .warn { color:var(--warn); } .dim { color:var(--dim); }
  button { background:#3a1d1d; color:var(--down); border:1px solid var(--down); border-radius:4px; padding:.4rem .8rem; font:inherit; cursor:pointer; }
  button.plain { background:var(--panel); color:var(--fg); border-color:#262b36; }
  .scroll { overflow-x:auto; }
  @media (max-width: 600px) { .hide-sm { display:none; } }
</style></head>
<body>
<header><h1>tradeactor</h1><span id="link" class="dim">connecting…</span><span style="flex:1"></span>
<span id="who" class="dim"></span><button id="login" class="plain">Log in</button>
<button id="kill" title="Cancel all orders, flatten, halt">Kill switch</button></header>
<div class="kpis">
  <div class="kpi"><div class="label">Equity</div><div class="value" id="equity">--</div></div>
  <div class="kpi"><div class="label">Unrealized</div><div class="value" id="unrealized">--</div></div>
  <div class="kpi"><div class="label">Fees</div><div class="value" id="fees">--</div></div>
  <div class="kpi"><div class="label">Trading</div><div class="value" id="trading">--</div></div>
  <div class="kpi"><div class="label">Venue</div><div class="value" id="venue">--</div></div>
</div>
<section><h2>Positions</h2><div class="scroll"><table><thead><tr><th>Symbol</th><th>Qty</th><th class="hide-sm">Avg</th>
<th>Last</th><th>Unrealized</th><th class="hide-sm">Realized</th></tr></thead><tbody id="positions"></tbody></table></div></section>
<section><h2>Strategies</h2><div class="scroll"><table><thead><tr><th>Strategy</th><th>Equity</th><th>Unrealized</th>
<th class="hide-sm">Fees</th></tr></thead><tbody id="strategies"></tbody></table></div></section>
<section><h2>Risk decisions</h2><div class="scroll"><table><thead><tr><th>Time (UTC)</th><th class="text">Decision</th><th class="text">Detail</th></tr></thead>
<tbody id="decisions"></tbody></table></div></section>
<script>
const $ = (id) => document.getElementById(id);
const money = (n) => n == null || !isFinite(n) ? "--" : n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const cls = (n) => n > 0 ? "up" : n < 0 ? "down" : "";
const signed = (n) => '<span class="' + cls(n) + '">' + (n > 0 ? "+" : "") + money(n) + "</span>";
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
function show(s) {
  const t = (s.portfolio && s.portfolio.total) || {};
  $("equity").textContent = money(t.equity);
  $("unrealized").innerHTML = signed(t.unrealized);
  $("fees").textContent = money(t.commissions);
  const trading = (s.risk && s.risk.trading) || "?";
  $("trading").innerHTML = '<span class="' + (trading === "ACTIVE" ? "up" : trading === "HALTED" ? "down" : "warn") + '">' + esc(trading) + "</span>";
  $("venue").textContent = ((s.adapter && (s.adapter.venue || "")) + " " + (s.adapter && (s.adapter.phase || s.adapter.error) || "")).trim() || "--";
  $("positions").innerHTML = (t.positions || []).map((p) => "<tr><td>" + esc(p.symbol) + "</td><td>" + p.qty + '</td><td class="hide-sm">' + money(p.avgPrice) +
    "</td><td>" + money(p.lastPrice) + "</td><td>" + signed(p.unrealized) + '</td><td class="hide-sm">' + signed(p.realized) + "</td></tr>").join("") || '<tr><td class="dim">none</td></tr>';
  const st = (s.portfolio && s.portfolio.strategies) || {};
  $("strategies").innerHTML = Object.keys(st).map((id) => "<tr><td>" + esc(id) + "</td><td>" + money(st[id].equity) + "</td><td>" + signed(st[id].unrealized) +
    '</td><td class="hide-sm">' + money(st[id].commissions) + "</td></tr>").join("") || '<tr><td class="dim">none</td></tr>';
  $("decisions").innerHTML = ((s.risk && s.risk.decisions) || []).slice().reverse().slice(0, 50).map((d) => "<tr><td>" + new Date(d.ts).toISOString().slice(0, 19).replace("T", " ") +
    '</td><td class="text ' + (/^(deny|kill)/.test(d.decision) ? "down" : "") + '">' + esc(d.decision) + '</td><td class="text">' + esc(d.detail) + "</td></tr>").join("") || '<tr><td class="dim">none</td></tr>';
}
const api = (path, method, body) => fetch(path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
let session = { authenticated: false };
function showSession() {
  $("who").textContent = session.authenticated ? "signed in (" + session.scope + ")" : "";
  $("login").textContent = session.authenticated ? "Log out" : "Log in";
}
const refreshSession = () => fetch("api/v1/session").then((r) => r.json()).then((s) => { session = s; showSession(); }).catch(() => {});
// The token is traded once for an HttpOnly cookie: this page never keeps it.
async function login() {
  const token = prompt("Control token (TRADEACTOR_CONTROL_TOKEN, or 'token' in control.json in the data directory)");
  if (!token) return false;
  const r = await api("api/v1/session", "POST", { token: token.trim() });
  if (!r.ok) { alert("Login refused: " + ((await r.json().catch(() => ({}))).error || r.status)); return false; }
  await refreshSession();
  connect();
  return true;
}
$("login").onclick = async () => {
  if (session.authenticated) { await api("api/v1/session", "DELETE"); await refreshSession(); } else await login();
};
let polling;
function poll() {
  if (polling) return;
  $("link").textContent = "polling";
  polling = setInterval(() => fetch("api/v1/status").then((r) => {
    if (r.status === 401) { $("link").textContent = "log in to see the account"; return; }
    return r.json().then(show);
  }).catch(() => ($("link").textContent = "daemon unreachable")), 1000);
}
let ws;
function connect() {
  clearInterval(polling);
  polling = undefined;
  if (ws) { ws.onclose = null; ws.close(); }
  try {
    ws = new WebSocket(location.href.replace(/^http/, "ws").replace(/[?#].*$/, "").replace(/\\/?$/, "/ws"));
    ws.onopen = () => ($("link").textContent = "live");
    ws.onmessage = (e) => show(JSON.parse(e.data));
    ws.onclose = poll;
    ws.onerror = poll;
  } catch { poll(); }
}
refreshSession();
connect();
$("kill").onclick = async () => {
  if (!confirm("Kill switch: cancel every order, flatten every position and halt trading?")) return;
  const send = () => api("api/v1/system/kill", "POST", { reason: "kill switch from the web dashboard" });
  let r = await send();
  if ((r.status === 401 || r.status === 403) && !session.authenticated && await login()) r = await send();
  const body = await r.json().catch(() => ({}));
  alert(r.ok ? "Kill switch sent" : "Kill switch failed: " + (body.error || r.status));
};
</script></body></html>`;
}
