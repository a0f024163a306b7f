// The report's speed-ups must not change a byte or a bit: writeReport's files against the string writers they
// replaced (tradesCsv, equityCsv: the old code, kept as the reference) on real backtests, and the rewritten
// statistics helpers against their old implementations (copied here) on random series.
import assert from "node:assert/strict";
import { loadBars } from "../../../storage/bars/mod.ts";
import { runBacktest } from "../../../backtest/engine.ts";
import {
  computeStats,
  drawdownSeries,
  equityCsv,
  renderHtml,
  toJson,
  tradesCsv,
  writeReport,
  writeTradesCsv,
} from "../../../backtest/report/mod.ts";
import { bucketExtremes } from "../../../backtest/report/downsample.ts";
import { drawdownPeriods } from "../../../backtest/report/drawdown.ts";
import { sortedAt } from "../../../backtest/report/extras.ts";
import { covariance, nanMax, nanMin, variance } from "../../../backtest/report/numeric.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";
import { syntheticSeries } from "../../../bench/backtest_bench.ts";

const SMA_CROSS = new URL("../../../strategies/sma_cross/strategy.ts", import.meta.url).href;

async function sameFiles(result: Awaited<ReturnType<typeof runBacktest>>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const { report, input, ohlc } = result;
    await writeReport(dir, report, input, ohlc);
    assert.equal(await Deno.readTextFile(`${dir}/report.json`), toJson(report));
    assert.equal(await Deno.readTextFile(`${dir}/trades.csv`), tradesCsv(input.trades));
    assert.equal(
      await Deno.readTextFile(`${dir}/equity.csv`),
      equityCsv(input.ts, input.equity, drawdownSeries(input.equity)),
    );
    assert.equal(await Deno.readTextFile(`${dir}/report.html`), await renderHtml(report, input, ohlc));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeReport: the same bytes as the string writers on GOOG daily (SMA cross, with commission)", async () => {
  const { series } = await loadBars(new URL("../../../examples/data/GOOG.csv", import.meta.url), { symbol: "GOOG" });
  const result = await runBacktest({
    strategies: [{ id: "s1", module: SMA_CROSS, params: { fast: 10, slow: 30 } }],
    data: [series],
    cash: 10_000,
    sim: {
      costs: { commission: { kind: "percent", rate: 0.002 }, slippage: { kind: "none" }, impact: { kind: "none" } },
    },
  });
  assert.ok(result.input.trades.length > 10);
  await sameFiles(result);
});

Deno.test("writeReport: the same bytes as the string writers on 200,000 minute bars (several file chunks)", async () => {
  const series = await syntheticSeries("SYN", 200_000, 11);
  const result = await runBacktest({
    strategies: [{ id: "s1", module: SMA_CROSS, params: { fast: 10, slow: 30 } }],
    data: [series],
    cash: 10_000,
  });
  assert.ok(result.input.trades.length > 1000);
  await sameFiles(result);
});

// ---- The old implementations, as they were before the rewrite.

function oldDrawdownPeriods(ts: ArrayLike<number>, dd: ArrayLike<number>) {
  const marks: number[] = [];
  for (let i = 0; i < dd.length; i++) if (dd[i] === 0 || i === dd.length - 1) marks.push(i);
  const periods = [];
  for (let k = 1; k < marks.length; k++) {
    const startBar = marks[k - 1], endBar = marks[k];
    if (endBar <= startBar + 1) continue;
    const depth = nanMax(Array.prototype.slice.call(dd, startBar, endBar + 1) as number[]);
    periods.push({ startBar, endBar, durationMs: ts[endBar] - ts[startBar], depth });
  }
  return periods;
}

function oldNanMax(xs: ArrayLike<number>): number {
  let m = NaN;
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]) && !(xs[i] <= m)) m = xs[i];
  return m;
}

function oldNanMin(xs: ArrayLike<number>): number {
  let m = NaN;
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]) && !(xs[i] >= m)) m = xs[i];
  return m;
}

function oldBucketExtremes(n: number, buckets: number, series: readonly ArrayLike<number>[]): number[] {
  const picked = new Uint8Array(n);
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size), to = b === buckets - 1 ? n : Math.floor((b + 1) * size);
    picked[from] = 1;
    for (const s of series) {
      let lo = -1, hi = -1;
      for (let i = from; i < to; i++) {
        const x = s[i];
        if (x !== x) continue;
        if (lo < 0 || x < s[lo]) lo = i;
        if (hi < 0 || x > s[hi]) hi = i;
      }
      if (lo >= 0) picked[lo] = picked[hi] = 1;
    }
  }
  picked[n - 1] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (picked[i]) out.push(i);
  return out;
}

/** An equity curve with flat stretches, new peaks, ±0, NaN bars and a last-bar drawdown now and then. */
function randomEquity(random: () => number, n: number): Float64Array {
  const e = new Float64Array(n);
  let x = 1000;
  for (let i = 0; i < n; i++) {
    const u = random();
    if (u < 0.2) {
      // flat: x stays
    } else if (u < 0.22) x = NaN;
    else if (u < 0.23) x = random() < 0.5 ? 0 : -0;
    else x = (Number.isFinite(x) && x !== 0 ? x : 1000) * (1 + (random() - 0.5) / 20);
    e[i] = x;
  }
  return e;
}

Deno.test("drawdownPeriods, nanMax and nanMin: the same results as before, bit for bit, on random series", () => {
  const random = seededRandom(21);
  for (let run = 0; run < 2000; run++) {
    const n = 1 + Math.floor(random() * 300);
    const equity = randomEquity(random, n);
    const ts = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const dd = drawdownSeries(equity);
    assert.deepEqual(drawdownPeriods(ts, dd), oldDrawdownPeriods(ts, dd));
    for (const xs of [dd, equity]) {
      assert.ok(Object.is(nanMax(xs), oldNanMax(xs)) && Object.is(nanMin(xs), oldNanMin(xs)));
    }
  }
});

Deno.test("computeStats: beta as covariance / variance of the log returns, bit for bit", () => {
  const random = seededRandom(22);
  for (let run = 0; run < 500; run++) {
    const n = 3 + Math.floor(random() * 500);
    const equity = randomEquity(random, n).map((x) => (Number.isFinite(x) && x > 0 ? x : 1000));
    const close = Float64Array.from({ length: n }, () => 50 + random() * 10);
    const ts = Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * 86_400_000);
    const eq = new Float64Array(n - 1), mk = new Float64Array(n - 1);
    for (let i = 1; i < n; i++) {
      eq[i - 1] = Math.log(equity[i] / equity[i - 1]);
      mk[i - 1] = Math.log(close[i] / close[i - 1]);
    }
    const report = computeStats({ ts, equity, close, trades: [], initialCash: 1000, totalCommission: 0 });
    assert.ok(Object.is(report.beta, covariance(eq, mk) / variance(mk)), `run ${run}`);
  }
});

Deno.test("sortedAt: the order statistics of a full sort, with ties, zeros and consecutive ranks", () => {
  const random = seededRandom(23);
  for (let run = 0; run < 500; run++) {
    const n = 1 + Math.floor(random() * 2000);
    // Bar returns (x / y − 1) are never −0, so neither are these: with both zeros, which one a rank holds is open.
    const xs = Float64Array.from(
      { length: n },
      () => random() < 0.3 ? 0 : Math.round((random() - 0.5) * 50) / 1000 + 0,
    );
    const sorted = Float64Array.from(xs).sort();
    const at = sortedAt(xs, [5, 95, 50]);
    for (const q of [5, 95, 50]) {
      for (const k of [Math.floor((q / 100) * (n - 1)), Math.ceil((q / 100) * (n - 1))]) {
        assert.ok(Object.is(at[k], sorted[k]), `n ${n} rank ${k}`);
      }
    }
  }
});

Deno.test("bucketExtremes: the same bars as before on random series with NaN and ties", () => {
  const random = seededRandom(24);
  for (let run = 0; run < 200; run++) {
    const n = 50 + Math.floor(random() * 5000);
    const series = [randomEquity(random, n), Float64Array.from({ length: n }, () => Math.round(random() * 5))];
    const buckets = 1 + Math.floor(random() * 12);
    if (n <= buckets * 4) continue;
    assert.deepEqual(Array.from(bucketExtremes(n, buckets, series)), oldBucketExtremes(n, buckets, series));
  }
});

Deno.test("writeTradesCsv: the same bytes as tradesCsv for quoted, non-ASCII and huge strings and odd numbers", async () => {
  const t = {
    strategyId: "s1",
    symbol: "X",
    size: -3,
    entryBar: 5,
    exitBar: 9,
    entryTime: Date.UTC(2021, 5, 30, 23, 59, 59, 999),
    exitTime: Date.UTC(2021, 6, 1),
    entryPrice: 101.25,
    exitPrice: 99.1,
    pnl: 6.450000000000003,
    commission: 0,
    returnPct: -0.021234567890123456,
    mae: NaN,
    mfe: Infinity,
  };
  const trades = [
    t,
    { ...t, symbol: 'A,"B"', strategyId: "line\nbreak", size: -0, pnl: 1e-9, entryPrice: 2 ** 60 },
    { ...t, symbol: "ÄÖ€-日本", entryTime: NaN, exitTime: -Date.UTC(1000, 0, 1) },
    { ...t, symbol: "Y".repeat(3_000_000) }, // a row longer than the buffer
    t,
  ];
  const dir = await Deno.makeTempDir();
  try {
    await writeTradesCsv(`${dir}/t.csv`, trades);
    assert.equal(await Deno.readTextFile(`${dir}/t.csv`), tradesCsv(trades));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
