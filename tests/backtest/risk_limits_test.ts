/**
 * Risk limits in backtests: the account's and a strategy's limits (the live config's `risk` and `strategies[].limits`)
 * bind through the same risk guardian as live, and bad values are refused by the same rules before anything runs.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { BacktestError, runBacktest, type StrategyRun } from "../../backtest/engine.ts";

const GOOG = new URL("../../examples/data/GOOG.csv", import.meta.url);
const SMA_CROSS = new URL("../../strategies/sma_cross/strategy.ts", import.meta.url).href;
const { series } = await loadBars(GOOG, { symbol: "GOOG" });
const run: StrategyRun = { id: "s1", module: SMA_CROSS, params: { fast: 10, slow: 30 } };

Deno.test("backtest risk: an account position limit caps every all-in order's size", async () => {
  const free = await runBacktest({ strategies: [run], data: [series], cash: 10_000 });
  const capped = await runBacktest({ strategies: [run], data: [series], cash: 10_000, risk: { maxPositionQty: 5 } });
  assert.ok(free.input.trades.some((t) => Math.abs(t.size) > 5), "without the limit the strategy trades more");
  assert.ok(capped.input.trades.length > 0);
  for (const t of capped.input.trades) assert.ok(Math.abs(t.size) <= 5, `trade of ${t.size} units`);
});

Deno.test("backtest risk: a strategy's maxLoss stops it (flattened, no more trades) while the run goes on", async () => {
  const free = await runBacktest({ strategies: [run], data: [series], cash: 10_000 });
  const stopped = await runBacktest({
    strategies: [{ ...run, limits: { maxLoss: 500 } }],
    data: [series],
    cash: 10_000,
  });
  // Equity never goes far below the capital minus the loss limit once the stop has fired, and trading stops.
  const lows = Array.from(free.input.equity).filter((e) => e < 9_500);
  assert.ok(lows.length > 0, "the free run loses more than 500 at some point (else the test proves nothing)");
  assert.ok(stopped.input.trades.length < free.input.trades.length, "fewer trades after the stop");
  const last = stopped.input.trades[stopped.input.trades.length - 1];
  const after = Array.from(stopped.input.equity).slice(last.exitBar + 1);
  assert.ok(after.length > 0 && after.every((e) => e === after[0]), "flat after the stop: equity no longer moves");
  assert.ok(after[0] <= 9_500, `stopped at ${after[0]}`);
});

Deno.test("backtest risk: limits are validated by the live rules, every problem named", async () => {
  await assert.rejects(
    () =>
      runBacktest({
        strategies: [{ ...run, limits: { maxDrawdown: 2 } as never }],
        data: [series],
        cash: 10_000,
        risk: { maxOpenOrders: 1.5, maxPosition: 3 } as never,
      }),
    (err: Error) => {
      assert.ok(err instanceof BacktestError);
      assert.match(err.message, /risk\.maxOpenOrders: /);
      assert.match(err.message, /risk\.maxPosition: .*maxPositionQty/);
      assert.match(err.message, /strategy s1 limits\.maxDrawdown: /);
      return true;
    },
  );
});
