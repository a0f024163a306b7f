// The account at a glance: the /ws status push (once a second) fills the header badge, the KPI cards and the banner
// when trading is HALTED or REDUCING; the health endpoint (every 5 s) adds what is degraded (feed stale, venue not
// reconciled, strategies stopped…). Other panels read the same document through onStatus.
import { call } from "./api.js";
import { subscribe } from "./channel.js";
import { byId, escapeHtml, money, pct, signed } from "./dom.js";

const listeners = new Set();
export const onStatus = (fn) => listeners.add(fn);

let trading = "";
let reasons = [];

function showBanner() {
  const banner = byId("banner");
  const lines = [];
  if (trading === "HALTED") {
    lines.push("Trading is HALTED: no order goes out until an operator resumes (Resume, with a reason).");
  } else if (trading === "REDUCING") lines.push("Trading is REDUCING: only orders that shrink positions are allowed.");
  const other = reasons.filter((r) => r !== "halted" && r !== "reducing");
  if (other.length) lines.push(`Degraded: ${other.join("; ")}`);
  banner.hidden = lines.length === 0;
  banner.className = `banner ${trading}`;
  banner.innerHTML = lines.map(escapeHtml).join("<br>");
}

function show(doc) {
  const risk = doc.risk ?? {};
  const total = doc.portfolio?.total ?? {};
  trading = risk.trading ?? "?";
  const badge = byId("trading");
  badge.textContent = trading;
  badge.className = `badge ${trading}`;
  byId("resume").hidden = trading === "ACTIVE";
  byId("kpi-equity").textContent = money(total.equity);
  byId("kpi-unrealized").innerHTML = signed(total.unrealized);
  byId("kpi-fees").textContent = money(total.commissions);
  const account = risk.metrics?.account ?? {};
  byId("kpi-drawdown").textContent = pct(account.drawdown);
  byId("kpi-daily").innerHTML = typeof account.dailyPnl === "number" ? signed(account.dailyPnl) : "--";
  const adapter = doc.adapter ?? {};
  byId("kpi-venue").textContent = adapter.error ? "not answering" : `${adapter.venue ?? ""} ${adapter.phase ?? ""}`;
  showBanner();
  for (const fn of listeners) fn(doc);
}

async function health() {
  const r = await call("GET", "/api/v1/system/health");
  reasons = Array.isArray(r.body?.reasons) ? r.body.reasons : r.status === 0 ? ["daemon unreachable"] : [];
  showBanner();
}

export function setupStatus() {
  const channel = subscribe("/ws", { event: show });
  void health();
  setInterval(health, 5000);
  return channel;
}
