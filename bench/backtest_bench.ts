/**
 * Backtest throughput: an SMA-cross backtest over ~1M bars through the full actor path, for one strategy on
 * one symbol and for 10 strategies on 10 symbols, and the same trading rule as a bare Float64Array loop.
 * Bars are built from GOOG's real daily returns, resampled with a seeded RNG (block bootstrap).
 */
import { loadBars } from "../storage/bars/mod.ts";
import { runBacktest } from "../backtest/engine.ts";
import type { BarSeries } from "../actors/protocol/mod.ts";
import { seededRandom } from "../actors/runtime/random.ts";
import { type BenchRow, printRow } from "./row.ts";
import { BTC_1M, ticksFromBars } from "./gen_ticks.ts";
import { ticksToBars } from "../storage/ticks/mod.ts";

const SMA_CROSS = new URL("../strategies/sma_cross/strategy.ts", import.meta.url).href;

export async function syntheticSeries(symbol: string, n: number, seed: number): Promise<BarSeries> {
  const { series: goog } = await loadBars(new URL("../examples/data/GOOG.csv", import.meta.url), { symbol: "GOOG" });
  const random = seededRandom(seed);
  const ret = (i: number) => Math.log(goog.close[i] / goog.close[i - 1]);
  // De-meaned so the million-bar walk has no drift (GOOG's own drift, compounded 1M times, would explode).
  let drift = 0;
  for (let i = 1; i < goog.length; i++) drift += ret(i) / (goog.length - 1);
  const ts = new Float64Array(n), open = new Float64Array(n), high = new Float64Array(n), low = new Float64Array(n);
  const close = new Float64Array(n), volume = new Float64Array(n);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const j = 1 + Math.floor(random() * (goog.length - 1));
    const r = (ret(j) - drift) / 16; // daily returns scaled to minute-like moves
    const o = price;
    const c = o * Math.exp(r);
    const range = Math.abs(Math.log(goog.high[j] / goog.low[j])) / 16;
    ts[i] = 1_600_000_000_000 + i * 60_000;
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o, c) * (1 + range / 2);
    low[i] = Math.min(o, c) * (1 - range / 2);
    volume[i] = goog.volume[j];
    price = c;
  }
  return { symbol, timeframe: "1m", length: n, ts, open, high, low, close, volume };
}

/** The same rule with no actors: SMA 10/30 cross, always in the market, all cash in whole units at the next open. */
export function bareLoop(s: BarSeries, fast: number, slow: number, cash: number): number {
  const c = s.close;
  let sumF = 0, sumS = 0, prevF = NaN, prevS = NaN, pending = 0, position = 0, balance = cash, entry = 0;
  for (let i = 0; i < s.length; i++) {
    if (pending !== 0) {
      const px = s.open[i];
      if (position !== 0) {
        balance += position * (px - entry);
        position = 0;
      }
      position = pending * Math.floor(balance / px);
      entry = px;
      pending = 0;
    }
    sumF += c[i];
    sumS += c[i];
    if (i >= fast) sumF -= c[i - fast];
    if (i >= slow) sumS -= c[i - slow];
    const f = i >= fast - 1 ? sumF / fast : NaN;
    const sl = i >= slow - 1 ? sumS / slow : NaN;
    if (prevF < prevS && f > sl) pending = 1;
    else if (prevF > prevS && f < sl) pending = -1;
    prevF = f;
    prevS = sl;
  }
  return balance + position * (c[s.length - 1] - entry);
}

export async function backtestBench(
  emit: (row: BenchRow) => void,
  totalBars = 1_000_000,
): Promise<void> {
  const one = await syntheticSeries("SYN", totalBars, 42);
  // Warm the JIT on the same path first, so the measured run is steady-state code.
  for (let w = 0; w < 2; w++) {
    await runBacktest({
      strategies: [{ id: "warm", module: SMA_CROSS }],
      data: [await syntheticSeries("W", 200_000, 1 + w)],
      cash: 1e6,
    });
  }

  // Best of two runs, and the bare loop's best of five (after one to warm it): one slow round on a shared machine
  // (another process, a GC at the wrong time) would otherwise swing the ratio by 2-3x between runs.
  const runSingle = () => runBacktest({ strategies: [{ id: "s", module: SMA_CROSS }], data: [one], cash: 1e6 });
  const [first, second] = [await runSingle(), await runSingle()];
  const single = first.elapsedMs <= second.elapsedMs ? first : second;
  const singleRate = totalBars / (single.elapsedMs / 1000);

  let sink = bareLoop(one, 10, 30, 1e6);
  let bareMs = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    sink += bareLoop(one, 10, 30, 1e6);
    bareMs = Math.min(bareMs, performance.now() - t0);
  }
  const bareRate = totalBars / (bareMs / 1000);

  const perSymbol = Math.floor(totalBars / 10);
  const many = await Promise.all(Array.from({ length: 10 }, (_, k) => syntheticSeries(`SYN${k}`, perSymbol, 100 + k)));
  const multi = await runBacktest({
    strategies: many.map((s, k) => ({ id: `s${k}`, module: SMA_CROSS, symbols: [s.symbol] })),
    data: many,
    cash: 1e7,
  });
  const multiRate = (perSymbol * 10) / (multi.elapsedMs / 1000);

  // Ten strategies (ten parameter pairs) on the same 1M bars: what a user running a strategy family pays per bar.
  const family = await runBacktest({
    strategies: Array.from({ length: 10 }, (_, k) => ({
      id: `f${k}`,
      module: SMA_CROSS,
      params: { fast: 5 + k, slow: 30 + 2 * k },
    })),
    data: [one],
    cash: 1e7,
  });

  emit({
    bench: "backtest_sma_cross_1x1",
    unit: "bars/s",
    value: Math.round(singleRate),
    bars: totalBars,
    trades: single.report.tradeCount,
    loadavg: Deno.loadavg(),
  });
  emit({
    bench: "backtest_sma_cross_10x10",
    unit: "bars/s",
    value: Math.round(multiRate),
    bars: perSymbol * 10,
    trades: multi.report.tradeCount,
  });
  emit({
    bench: "backtest_bare_loop",
    unit: "bars/s",
    value: Math.round(bareRate),
    bars: totalBars,
    checksum: Math.round(sink),
  });
  emit({
    bench: "backtest_sma_cross_10_strategies",
    unit: "strategy-bars/s",
    value: Math.round((10 * totalBars) / (family.elapsedMs / 1000)),
    bars: totalBars,
    strategies: 10,
    trades: family.report.tradeCount,
    loadavg: Deno.loadavg(),
  });
  // How many times faster the bare loop is than the engine on the same rule and bars.
  emit({ bench: "backtest_engine_vs_bare_loop", unit: "x", value: +(bareRate / singleRate).toFixed(1) });
  emit(await tickBench(totalBars));
}

/** Ticks/s: SMA cross on 1m bars made from trade ticks, orders matched on every tick (storage/ticks, tick_matching). */
export async function tickBench(count: number): Promise<BenchRow> {
  const { series: candles } = await loadBars(BTC_1M, { symbol: "BTC" });
  const ticks = ticksFromBars(candles, count);
  const result = await runBacktest({
    strategies: [{ id: "t", module: SMA_CROSS }],
    data: [ticksToBars(ticks, "1m")],
    ticks: [ticks],
    cash: 1e6,
    sim: { defaultStep: 0.0001 },
  });
  return {
    bench: "backtest_ticks_sma_cross",
    unit: "ticks/s",
    value: Math.round(ticks.length / (result.elapsedMs / 1000)),
    ticks: ticks.length,
    bars: result.bars,
    trades: result.report.tradeCount,
  };
}

if (import.meta.main) await backtestBench(printRow);
