/**
 * Golden backtests of the built-in strategies on GOOG daily (backtesting.py's sample data): default parameters,
 * 10,000 cash, 0.2% commission. Trade count and final equity are pinned exactly (runs are deterministic); a
 * property of each strategy's rules is checked against indicators computed independently over the same data.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { type BacktestResult, runBacktest } from "../../backtest/engine.ts";
import { atrSeries, bollingerSeries, donchianSeries, smaSeries } from "../../strategies/indicators/mod.ts";
import { BUILT_INS } from "../../strategies/registry.ts";
import type { BarSeries } from "../../actors/protocol/mod.ts";

const GOOG = new URL("../../../shared/data/backtesting_py/GOOG.csv", import.meta.url);
const COSTS = {
  costs: {
    commission: { kind: "percent" as const, rate: 0.002 },
    slippage: { kind: "none" as const },
    impact: { kind: "none" as const },
  },
};

async function golden(name: string): Promise<{ series: BarSeries; result: BacktestResult }> {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const result = await runBacktest({
    strategies: [{ id: name, module: BUILT_INS[name] }],
    data: [series],
    cash: 10_000,
    sim: COSTS,
  });
  // One series and no gaps in the record: report bar indexes are data indexes.
  assert.equal(result.input.ts.length, series.length);
  return { series, result };
}

Deno.test("golden: sma_cross on GOOG", async () => {
  const { series, result } = await golden("sma_cross");
  assert.equal(result.report.tradeCount, 65);
  assert.equal(result.report.equityFinal, 39770.03121999998);
  // Always in the market: each trade is entered at the open after a cross in its direction.
  const fast = smaSeries(series.close, 10), slow = smaSeries(series.close, 30);
  for (const t of result.input.trades) {
    const i = t.entryBar - 1;
    assert.equal(t.entryPrice, series.open[t.entryBar]);
    if (t.size > 0) assert.ok(fast[i] > slow[i] && fast[i - 1] < slow[i - 1], `long at bar ${t.entryBar}`);
    else assert.ok(fast[i] < slow[i] && fast[i - 1] > slow[i - 1], `short at bar ${t.entryBar}`);
  }
});

Deno.test("golden: mean_reversion on GOOG, exits at or after crossing back to the mean", async () => {
  const { series, result } = await golden("mean_reversion");
  assert.equal(result.report.tradeCount, 39);
  assert.equal(result.report.equityFinal, 15547.664959999996);
  const bands = bollingerSeries(series.close, 20, 2);
  const mean = smaSeries(series.close, 20);
  for (const t of result.input.trades) {
    assert.ok(t.size > 0, "long only by default");
    const entrySignal = t.entryBar - 1, exitSignal = t.exitBar - 1;
    assert.ok(series.close[entrySignal] < bands.lower[entrySignal], `entry at bar ${t.entryBar} below the band`);
    assert.ok(series.close[exitSignal] >= mean[exitSignal] - 1e-9, `exit at bar ${t.exitBar} before the mean`);
    // And not later than needed: no close between entry and exit signal reached the mean.
    for (let i = entrySignal + 1; i < exitSignal; i++) assert.ok(series.close[i] < mean[i], `held past bar ${i}`);
    assert.equal(t.exitPrice, series.open[t.exitBar]);
  }
});

Deno.test("golden: momentum on GOOG, breakout entries and ATR stop or channel exits", async () => {
  const { series, result } = await golden("momentum");
  assert.equal(result.report.tradeCount, 42);
  assert.equal(result.report.equityFinal, 29350.28843605061);
  const entry = donchianSeries(series.high, series.low, 20);
  const exit = donchianSeries(series.high, series.low, 10);
  const atr = atrSeries(series.high, series.low, series.close, 14);
  let stops = 0, channel = 0;
  for (const t of result.input.trades) {
    assert.ok(t.size > 0, "long only by default");
    const e = t.entryBar - 1, x = t.exitBar - 1;
    assert.ok(series.close[e] > entry.upper[e - 1], `entry at bar ${t.entryBar} is a breakout`);
    const stop = series.close[e] - 2 * atr[e];
    if (series.close[x] < exit.lower[x - 1] && t.exitPrice === series.open[t.exitBar]) channel++;
    else {
      // The stop fills at its price, or at the open when the bar gaps below it.
      const open = series.open[t.exitBar];
      assert.equal(t.exitPrice, open < stop ? open : stop, `trade exiting at bar ${t.exitBar} by its stop`);
      stops++;
    }
  }
  assert.ok(stops > 0 && channel > 0, `both exits happen (stops ${stops}, channel ${channel})`);
});
