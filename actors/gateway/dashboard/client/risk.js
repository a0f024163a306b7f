// Risk: the guardian's measures (status push) — exposure, leverage, drawdown, daily P&L — and every limit in force
// with its use, for the account and each strategy; limits edited in a form that shows each rule's range.
import { call } from "./api.js";
import { byId, escapeHtml, fillRows, money, num, pct, signed, toast } from "./dom.js";
import { openDialog } from "./dialog.js";
import { onStatus } from "./status.js";

const meta = () => JSON.parse(byId("meta").textContent);
let risk = {};

function meter(usage) {
  if (typeof usage !== "number" || !isFinite(usage)) return `<span class="dim">per order</span>`;
  const level = usage >= 0.9 ? "down" : usage >= 0.7 ? "warn" : "";
  return `<span class="meter ${level}"><i style="width:${Math.min(100, Math.max(0, usage * 100)).toFixed(0)}%"></i>` +
    `</span> ${pct(usage)}`;
}

function render() {
  const account = risk.metrics?.account ?? {};
  byId("risk-metrics").innerHTML = [
    ["Trading", escapeHtml(risk.trading ?? "--")],
    ["Equity", money(account.equity)],
    ["Gross", money(account.gross)],
    ["Leverage", num(account.leverage, 3)],
    ["Drawdown", pct(account.drawdown)],
    ["Day P&L", typeof account.dailyPnl === "number" ? signed(account.dailyPnl) : "--"],
  ].map(([k, v]) => `<div>${k}<b>${v}</b></div>`).join("");
  const rows = [];
  const add = (scope, uses) => {
    for (const [name, use] of Object.entries(uses ?? {})) {
      rows.push(
        `<tr><td class="text">${escapeHtml(name)}</td><td class="text">${escapeHtml(scope)}</td><td>${
          num(use.limit)
        }</td><td>${num(use.used)}</td><td>${meter(use.usage)}</td></tr>`,
      );
    }
  };
  add("account", account.limits);
  for (const [id, m] of Object.entries(risk.metrics?.strategies ?? {})) add(id, m.limits);
  fillRows(byId("limits"), rows, 5);
}

function editLimits() {
  const rules = meta().limits;
  const strategies = Object.keys(risk.capital ?? risk.strategies ?? {}).sort();
  const fieldsFor = (scope) => {
    const current = scope === "account" ? risk.limits ?? {} : risk.strategyLimits?.[scope] ?? {};
    const table = scope === "account" ? rules.account : rules.strategy;
    return Object.entries(table).map(([name, rule]) =>
      `<label title="${escapeHtml(rule.text)}">${escapeHtml(name)} <span class="small">${
        escapeHtml(rule.text)
      }</span>` +
      `<input name="limit.${escapeHtml(name)}" type="number" step="any" value="${current[name] ?? ""}" ` +
      `placeholder="no limit" data-was="${current[name] ?? ""}"></label>`
    ).join("");
  };
  const opened = openDialog({
    title: "Risk limits",
    ok: "Apply",
    html:
      `<p class="dim small">In force from the next order, journaled, re-applied after a restart. An emptied field ` +
      `removes that limit.</p><label>Scope <select name="scope" id="limit-scope"><option value="account">account` +
      `</option>${strategies.map((s) => `<option>${escapeHtml(s)}</option>`).join("")}</select></label>` +
      `<div class="params" id="limit-fields">${fieldsFor("account")}</div>` +
      `<label>Reason <input name="reason" required maxlength="500" value="limits changed from the web dashboard">` +
      `</label>`,
    submit: async (form) => {
      const scope = form.elements.scope.value;
      const limits = {};
      for (const input of form.querySelectorAll("input[name^='limit.']")) {
        const name = input.name.slice("limit.".length);
        if (input.value !== "") limits[name] = Number(input.value);
        else if (input.dataset.was !== "") limits[name] = null;
      }
      if (Object.keys(limits).length === 0) return "Nothing to change: set or clear at least one limit.";
      const r = await call("POST", "/api/v1/risk/limits", {
        scope: scope === "account" ? { kind: "account" } : { kind: "strategy", strategyId: scope },
        limits,
        reason: form.elements.reason.value,
      });
      if (!r.ok) return `Refused: ${r.body.error ?? r.status}`;
      toast(`Limits of ${scope} applied`);
    },
  });
  byId("limit-scope").onchange = (e) => (byId("limit-fields").innerHTML = fieldsFor(e.target.value));
  return opened;
}

export function setupRisk() {
  byId("edit-limits").onclick = () => void editLimits();
  onStatus((doc) => {
    if (doc.risk && !doc.risk.error) risk = doc.risk;
    render();
  });
}
