/** A portfolio's report: each strategy's equity, statistics and trades beside the account's, in every output. */
import assert from "node:assert/strict";
import { loadBars } from "../../../storage/bars/mod.ts";
import { runBacktest, type StrategyRun } from "../../../backtest/engine.ts";
import { renderHtml, REPORT_FIELDS, toJson, writeReport } from "../../../backtest/report/mod.ts";

const GOOG = new URL("../../../examples/data/GOOG.csv", import.meta.url);
const SMA_CROSS = new URL("../../../strategies/sma_cross/strategy.ts", import.meta.url).href;
const MEAN_REVERSION = new URL("../../../strategies/mean_reversion/strategy.ts", import.meta.url).href;
const { series } = await loadBars(GOOG, { symbol: "GOOG" });
const ma: StrategyRun = { id: "ma", module: SMA_CROSS, params: { fast: 10, slow: 30 }, capital: 6_000 };
const mr: StrategyRun = { id: "mr", module: MEAN_REVERSION, capital: 4_000 };
const sim = {
  costs: {
    commission: { kind: "percent" as const, rate: 0.002 },
    slippage: { kind: "none" as const },
    impact: { kind: "none" as const },
  },
};
const both = await runBacktest({ strategies: [ma, mr], data: [series], cash: 10_000, sim });

const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.abs(b);

Deno.test("portfolio report: a strategy's section equals the strategy run alone on its capital", async () => {
  const alone = await runBacktest({ strategies: [{ ...ma, capital: undefined }], data: [series], cash: 6_000, sim });
  const section = both.portfolio!.strategies.find((s) => s.id === "ma")!;
  assert.equal(section.input.trades.length, alone.input.trades.length);
  assert.ok(section.input.trades.length > 10);
  section.input.trades.forEach((t, i) => {
    assert.equal(t.size, alone.input.trades[i].size);
    assert.ok(same(t.pnl, alone.input.trades[i].pnl));
  });
  for (let i = 0; i < alone.input.equity.length; i++) assert.ok(same(section.input.equity[i], alone.input.equity[i]));
  for (const { key } of REPORT_FIELDS) assert.ok(same(section.report[key], alone.report[key]), key);
});

Deno.test("portfolio report: the strategies add up to the account", () => {
  const p = both.portfolio!;
  assert.deepEqual(p.strategies.map((s) => [s.id, s.capital, s.symbols]), [["ma", 6_000, ["GOOG"]], [
    "mr",
    4_000,
    ["GOOG"],
  ]]);
  assert.equal(p.strategies.reduce((n, s) => n + s.report.tradeCount, 0), both.report.tradeCount);
  const finals = p.strategies.reduce((sum, s) => sum + s.report.equityFinal, 0);
  assert.ok(Math.abs(finals - both.report.equityFinal) < 1e-6);
  const commissions = p.strategies.reduce((sum, s) => sum + s.report.commissions, 0);
  assert.ok(Math.abs(commissions - both.report.commissions) < 1e-6);
  for (const s of p.strategies) assert.ok(s.input.trades.every((t) => t.strategyId === s.id));
});

Deno.test("portfolio report: report.json keeps the account's keys and adds every strategy's statistics", () => {
  const json = JSON.parse(toJson(both.report, both.portfolio));
  const single = JSON.parse(toJson(both.report));
  assert.equal(single.strategies, undefined);
  for (const { key } of REPORT_FIELDS) assert.deepEqual(json[key], single[key]);
  assert.deepEqual(Object.keys(json.strategies), ["ma", "mr"]);
  assert.deepEqual(Object.keys(json.strategies.ma), ["capital", "symbols", ...REPORT_FIELDS.map((f) => f.key)]);
  assert.equal(json.strategies.mr.capital, 4_000);
  assert.equal(json.strategies.ma.tradeCount, both.portfolio!.strategies[0].report.tradeCount);
});

Deno.test("portfolio report: the HTML has each strategy's equity chart, statistics column and trades", async () => {
  const html = await renderHtml(both.report, both.input, both.ohlc, { portfolio: both.portfolio });
  const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]);
  assert.deepEqual(data.strategies.labels, ["ma", "mr"]);
  assert.equal(data.strategies.equity[0].length, data.t.length);
  assert.equal(data.strategies.equity[1].at(-1), both.portfolio!.strategies[1].input.equity.at(-1));
  assert.match(html, /<section id="strategies">/);
  assert.match(html, /<th><\/th><th>Portfolio<\/th><th>ma<\/th><th>mr<\/th>/);
  assert.match(html, /<tr><th>Strategy<\/th><th>Symbol<\/th>/);
  assert.match(html, /<tr><td class="l">mr<\/td><td class="l">GOOG<\/td>/);
  const single = await renderHtml(both.report, both.input, both.ohlc);
  assert.doesNotMatch(single, /id="strategies"|<th>Strategy<\/th>/);
});

Deno.test("portfolio report: writeReport adds each strategy's trades.csv and equity.csv", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeReport(dir, both.report, both.input, both.ohlc, both.portfolio);
    for (const s of both.portfolio!.strategies) {
      const trades = (await Deno.readTextFile(`${dir}/strategies/${s.id}/trades.csv`)).trim().split("\n");
      assert.equal(trades.length, s.input.trades.length + 1);
      assert.ok(trades.slice(1).every((line) => line.startsWith(`${s.id},`)));
      const equity = (await Deno.readTextFile(`${dir}/strategies/${s.id}/equity.csv`)).trim().split("\n");
      assert.equal(equity.length, s.input.ts.length + 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
