/**
 * Peer parity: backtesting.py v0.6.6's SmaCross (SMA 10/30, always in the market via exclusive orders,
 * all available cash in whole units, fills at the next open) run through our actors must give the same
 * trades, the same equity curve and the same statistics. References: tests/fixtures/backtesting_py/.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { runBacktest } from "../../backtest/engine.ts";
import { REPORT_FIELDS } from "../../backtest/report/mod.ts";
import { loadFixture, relDiff } from "./report/fixtures.ts";

const DATA = new URL("../../../shared/data/backtesting_py/", import.meta.url);
const SMA_CROSS = new URL("../../strategies/sma_cross/strategy.ts", import.meta.url).href;

const cases = [
  { name: "goog", file: "GOOG.csv", timeframe: "1d", mode: "long_short" },
  { name: "goog_commission", file: "GOOG.csv", timeframe: "1d", mode: "long_short" },
  { name: "eurusd_hourly", file: "EURUSD.csv", timeframe: "1h", mode: "long_short" },
  { name: "btcusd_monthly_long", file: "BTCUSD.csv", timeframe: undefined, mode: "long_only" },
  // Short from $231 into a rally: equity reaches zero, the position is liquidated and the run stops.
  { name: "btcusd_monthly_bust", file: "BTCUSD.csv", timeframe: undefined, mode: "long_short" },
] as const;

for (const c of cases) {
  Deno.test(`parity with backtesting.py 0.6.6: ${c.name}`, async () => {
    const fx = loadFixture(c.name) as ReturnType<typeof loadFixture> & { config: { commission: number } };
    const { series } = await loadBars(new URL(c.file, DATA), {
      symbol: "X",
      ...(c.timeframe ? { timeframe: c.timeframe } : {}),
    });
    const result = await runBacktest({
      strategies: [{ id: "sma-cross", module: SMA_CROSS, params: { fast: 10, slow: 30, mode: c.mode } }],
      data: [series],
      cash: fx.config.cash,
      sim: {
        costs: {
          commission: { kind: "percent", rate: fx.config.commission },
          slippage: { kind: "none" },
          impact: { kind: "none" },
        },
      },
    });
    const trades = result.input.trades;
    assert.equal(trades.length, fx.trades.length, "trade count");
    for (let i = 0; i < trades.length; i++) {
      const got = trades[i];
      const want = fx.trades[i];
      assert.equal(got.size, want.size, `trade ${i} size`);
      assert.equal(got.entryBar, want.entryBar, `trade ${i} entry bar`);
      assert.equal(got.exitBar, want.exitBar, `trade ${i} exit bar`);
      assert.equal(got.entryPrice, want.entryPrice, `trade ${i} entry price`);
      assert.equal(got.exitPrice, want.exitPrice, `trade ${i} exit price`);
      assert.ok(relDiff(got.pnl, want.pnl) < 1e-9, `trade ${i} pnl ${got.pnl} vs ${want.pnl}`);
    }
    assert.equal(result.input.equity.length, fx.equity.length);
    for (let i = 0; i < fx.equity.length; i++) {
      assert.ok(relDiff(result.input.equity[i], fx.equity[i]) < 1e-9, `equity at bar ${i}`);
    }
    for (const field of REPORT_FIELDS) {
      const expected = fx.stats[field.label];
      if (expected === undefined) continue; // an extra of ours, checked in tests/backtest/report
      const diff = relDiff(result.report[field.key], expected);
      assert.ok(diff <= 1e-6, `${field.label}: ${result.report[field.key]} vs ${expected} (rel ${diff})`);
    }
  });
}

Deno.test("a backtest is deterministic: the same inputs give a byte-identical JSON report", async () => {
  const { toJson } = await import("../../backtest/report/mod.ts");
  const { series } = await loadBars(new URL("GOOG.csv", DATA), { symbol: "GOOG" });
  const run = async () =>
    toJson(
      (await runBacktest({
        strategies: [{ id: "a", module: SMA_CROSS, params: { fast: 5, slow: 40, average: "ema" } }],
        data: [series],
        cash: 25_000,
        sim: {
          costs: {
            commission: { kind: "percent", rate: 0.001 },
            slippage: { kind: "volatility", k: 0.05 },
            impact: { kind: "sqrt", coefficient: 0.1 },
          },
          volumeShare: 0.01,
        },
      })).report,
    );
  const first = await run();
  assert.equal(await run(), first);
  assert.match(first, /"tradeCount"/);
});

/** Strategies for the variant cases, written with our API the way the reference wrote them for backtesting.py. */
const BRACKET = new URL("./fixtures/sma_cross_bracket.ts", import.meta.url).href;

const variants = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/backtesting_py/variants.json", import.meta.url)),
) as Record<string, VariantFixture>;

interface VariantFixture {
  readonly config: { readonly cash: number; readonly commission: number };
  readonly trades: {
    size: number;
    entryBar: number;
    exitBar: number;
    entryPrice: number;
    exitPrice: number;
    pnl: number;
  }[];
  readonly equity: number[];
  readonly stats: Record<string, number | null | string>;
}

const variantRuns: Record<string, { module: string; fillAt?: "close"; closeAtEnd?: boolean }> = {
  goog_trade_on_close: { module: SMA_CROSS, fillAt: "close" },
  goog_finalize: { module: SMA_CROSS, closeAtEnd: true },
  goog_bracket: { module: BRACKET },
};

for (const [name, run] of Object.entries(variantRuns)) {
  Deno.test(`parity with backtesting.py 0.6.6: ${name}`, async () => {
    const fx = variants[name];
    const { series } = await loadBars(new URL("GOOG.csv", DATA), { symbol: "X" });
    const result = await runBacktest({
      strategies: [{ id: "v", module: run.module }],
      data: [series],
      cash: fx.config.cash,
      closeAtEnd: run.closeAtEnd,
      sim: {
        fillAt: run.fillAt ?? "next_open",
        costs: {
          commission: { kind: "percent", rate: fx.config.commission },
          slippage: { kind: "none" },
          impact: { kind: "none" },
        },
      },
    });
    const trades = result.input.trades;
    assert.equal(trades.length, fx.trades.length, "trade count");
    fx.trades.forEach((want, i) => {
      const got = trades[i];
      assert.deepEqual(
        [got.size, got.entryBar, got.exitBar],
        [want.size, want.entryBar, want.exitBar],
        `trade ${i} size/entry/exit`,
      );
      assert.ok(relDiff(got.entryPrice, want.entryPrice) < 1e-12, `trade ${i} entry price ${got.entryPrice}`);
      assert.ok(
        relDiff(got.exitPrice, want.exitPrice) < 1e-12,
        `trade ${i} exit price ${got.exitPrice} vs ${want.exitPrice}`,
      );
      assert.ok(relDiff(got.pnl, want.pnl) < 1e-9, `trade ${i} pnl ${got.pnl} vs ${want.pnl}`);
    });
    fx.equity.forEach((want, i) => assert.ok(relDiff(result.input.equity[i], want) < 1e-9, `equity at bar ${i}`));
    for (const field of REPORT_FIELDS) {
      const expected = fx.stats[field.label];
      if (expected === undefined) continue;
      const diff = relDiff(result.report[field.key], expected as number | null);
      assert.ok(diff <= 1e-6, `${field.label}: ${result.report[field.key]} vs ${expected}`);
    }
  });
}

Deno.test("two strategies on one venue size equity-fraction orders from their own capital", async () => {
  const { series } = await loadBars(new URL("GOOG.csv", DATA), { symbol: "GOOG" });
  const alone = await runBacktest({ strategies: [{ id: "a", module: SMA_CROSS }], data: [series], cash: 10_000 });
  const shared = await runBacktest({
    strategies: [
      { id: "a", module: SMA_CROSS, capital: 10_000 },
      { id: "b", module: SMA_CROSS, params: { fast: 20, slow: 60 }, capital: 10_000 },
    ],
    data: [series],
    cash: 20_000,
  });
  // Strategy a trades exactly as it does alone with 10,000: b's money is not in its sizing.
  const aTrades = shared.input.trades.filter((t) => t.strategyId === "a");
  assert.deepEqual(
    aTrades.map((t) => [t.size, t.entryBar, t.exitBar]),
    alone.input.trades.map((t) => [t.size, t.entryBar, t.exitBar]),
  );
  assert.ok(shared.input.trades.some((t) => t.strategyId === "b"));
  assert.ok(shared.record.perStrategy.a.length > 0 && shared.record.perStrategy.b.length > 0);
});
