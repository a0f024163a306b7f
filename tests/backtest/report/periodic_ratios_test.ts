/**
 * The conventional Sharpe and Sortino ratios beside backtesting.py's: mean and standard deviation of the period
 * returns × √(periods per year), checked against a direct computation, and sane where backtesting.py's are not.
 */
import assert from "node:assert/strict";
import { computeStats, formatTable, REPORT_FIELDS, toJson } from "../../../backtest/report/mod.ts";
import { loadBars } from "../../../storage/bars/mod.ts";
import { runBacktest } from "../../../backtest/engine.ts";

const DAY = 86_400_000;

function input(equity: number[], start = Date.UTC(2024, 0, 1)) {
  return {
    ts: Float64Array.from(equity, (_, i) => start + i * DAY),
    equity: Float64Array.from(equity),
    close: Float64Array.from(equity),
    trades: [],
    initialCash: equity[0],
    totalCommission: 0,
  };
}

Deno.test("periodic Sharpe and Sortino: mean / std (ddof 1) and mean / downside deviation, × √periods per year", () => {
  const returns = [0.01, -0.02, 0.03, 0, 0.015, -0.005, 0.02, -0.01];
  const equity = [1000];
  for (const r of returns) equity.push(equity[equity.length - 1] * (1 + r));
  for (const rf of [0, 0.03]) {
    const report = computeStats(input(equity), { riskFreeRate: rf });
    assert.equal(report.annualPeriods, 365, "daily bars with weekends: 365 periods a year");
    const n = returns.length;
    const rfDay = (1 + rf) ** (1 / 365) - 1;
    const excess = returns.map((r) => r - rfDay);
    const m = excess.reduce((a, b) => a + b, 0) / n;
    const mr = returns.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mr) ** 2, 0) / (n - 1));
    const dd = Math.sqrt(excess.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / n);
    assert.ok(Math.abs(report.sharpeRatioPeriodic - m / sd * Math.sqrt(365)) < 1e-9, `rf ${rf}`);
    assert.ok(Math.abs(report.sortinoRatioPeriodic - m / dd * Math.sqrt(365)) < 1e-9, `rf ${rf}`);
    assert.notEqual(report.sharpeRatioPeriodic, report.sharpeRatio, "a different definition from backtesting.py's");
  }
});

Deno.test("periodic ratios are labelled in every output: table, JSON and the field list", () => {
  const report = computeStats(input([100, 101, 99, 102, 103]));
  const labels = REPORT_FIELDS.map((f) => f.label);
  assert.ok(labels.includes("Sharpe Ratio (mean/std × √periods)"));
  assert.ok(labels.includes("Sortino Ratio (mean/downside × √periods)"));
  assert.ok(labels.includes("Periods per Year"));
  const table = formatTable(report, { color: false });
  assert.match(table, /Sharpe Ratio \(mean\/std × √periods\)\s+-?\d/);
  assert.match(table, new RegExp(`Periods per Year\\s+${report.annualPeriods}`));
  const json = JSON.parse(toJson(report));
  assert.equal(typeof json.sharpeRatioPeriodic, "number");
  assert.equal(typeof json.sortinoRatioPeriodic, "number");
});

Deno.test("on 5m crypto bars the periodic Sharpe stays in a readable range where backtesting.py's explodes", async () => {
  const data = new URL("../../../../shared/data/freqtrade/UNITTEST_BTC-5m.json", import.meta.url);
  const { series } = await loadBars(data, { symbol: "BTC" });
  const result = await runBacktest({
    strategies: [{
      id: "s",
      module: new URL("../../../strategies/sma_cross/strategy.ts", import.meta.url).href,
      params: { fast: 20, slow: 50 },
    }],
    data: [series],
    cash: 1000,
    sim: { defaultStep: 0.0001 },
  });
  const r = result.report;
  assert.ok(Number.isFinite(r.sharpeRatioPeriodic), `${r.sharpeRatioPeriodic}`);
  assert.ok(Math.abs(r.sharpeRatioPeriodic) < 20, `periodic Sharpe ${r.sharpeRatioPeriodic}`);
});
