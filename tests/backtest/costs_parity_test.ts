/**
 * The cost conventions against backtesting.py 0.6.6 (tests/fixtures/backtesting_py/generate_costs.py): SmaCross on
 * GOOG with `spread` (our --spread-mode entry) and `commission=(fixed, relative)` (our --commission-fixed plus
 * --commission) give the same trades and the same equity curve.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { runBacktest } from "../../backtest/engine.ts";
import { combinedCommission } from "../../actors/exchange/sim/costs.ts";
import { relDiff } from "./report/fixtures.ts";

const DATA = new URL("../../../shared/data/backtesting_py/GOOG.csv", import.meta.url);
const SMA_CROSS = new URL("../../strategies/sma_cross/strategy.ts", import.meta.url).href;
const FIXTURE = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/backtesting_py/costs.json", import.meta.url)),
) as {
  cases: Record<string, {
    config: { cash: number; spread: number; commissionFixed: number; commission: number };
    trades: { size: number; entryBar: number; exitBar: number; entryPrice: number; exitPrice: number; pnl: number }[];
    equity: number[];
  }>;
};
const { series } = await loadBars(DATA, { symbol: "X" });

for (const [name, fx] of Object.entries(FIXTURE.cases)) {
  Deno.test(`cost conventions match backtesting.py 0.6.6: ${name}`, async () => {
    const c = fx.config;
    const result = await runBacktest({
      strategies: [{ id: "sma-cross", module: SMA_CROSS, params: { fast: 10, slow: 30, mode: "long_short" } }],
      data: [series],
      cash: c.cash,
      sim: {
        costs: {
          commission: combinedCommission(c.commissionFixed, c.commission),
          slippage: c.spread > 0 ? { kind: "spread", spread: c.spread, mode: "entry" } : { kind: "none" },
          impact: { kind: "none" },
        },
      },
    });
    const trades = result.input.trades;
    assert.equal(trades.length, fx.trades.length, "trade count");
    for (let i = 0; i < trades.length; i++) {
      const [got, want] = [trades[i], fx.trades[i]];
      assert.equal(got.size, want.size, `trade ${i} size`);
      assert.equal(got.entryBar, want.entryBar, `trade ${i} entry bar`);
      assert.ok(
        relDiff(got.entryPrice, want.entryPrice) < 1e-12,
        `trade ${i} entry ${got.entryPrice} vs ${want.entryPrice}`,
      );
      assert.ok(
        relDiff(got.exitPrice, want.exitPrice) < 1e-12,
        `trade ${i} exit ${got.exitPrice} vs ${want.exitPrice}`,
      );
      assert.ok(relDiff(got.pnl, want.pnl) < 1e-9, `trade ${i} pnl ${got.pnl} vs ${want.pnl}`);
    }
    assert.equal(result.input.equity.length, fx.equity.length);
    for (let i = 0; i < fx.equity.length; i++) {
      assert.ok(relDiff(result.input.equity[i], fx.equity[i]) < 1e-9, `equity at bar ${i}`);
    }
  });
}
