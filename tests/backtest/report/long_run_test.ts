// Reports of long runs: charts downsampled to each bucket's extremes, CSV files streamed to disk.
import assert from "node:assert/strict";
import { bucketExtremes } from "../../../backtest/report/downsample.ts";
import { chartData } from "../../../backtest/report/html.ts";
import {
  computeStats,
  drawdownSeries,
  equityCsv,
  renderHtml,
  tradesCsv,
  writeEquityCsv,
  writeTradesCsv,
} from "../../../backtest/report/mod.ts";
import type { ClosedTrade, ReportInput } from "../../../backtest/report/mod.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";

/** A random walk of `n` bars with a trade every `every` bars (alternating long and short). */
function longRun(n: number, every: number): ReportInput {
  const random = seededRandom(7);
  const ts = new Float64Array(n), equity = new Float64Array(n), close = new Float64Array(n);
  let e = 1e6, c = 100;
  for (let i = 0; i < n; i++) {
    ts[i] = Date.UTC(2020, 0, 1) + i * 60_000;
    e *= Math.exp((random() - 0.5) * 0.002);
    c *= Math.exp((random() - 0.5) * 0.002);
    equity[i] = e;
    close[i] = c;
  }
  const trades: ClosedTrade[] = [];
  for (let i = 0, k = 0; i + every < n; i += every, k++) {
    trades.push({
      strategyId: "s",
      symbol: "X",
      size: k % 2 === 0 ? 1 : -1,
      entryBar: i,
      exitBar: i + every - 1,
      entryTime: ts[i],
      exitTime: ts[i + every - 1],
      entryPrice: close[i],
      exitPrice: close[i + every - 1],
      pnl: 0,
      commission: 0,
      returnPct: 0,
      mae: 0,
      mfe: 0,
    });
  }
  return { ts, equity, close, trades, initialCash: 1e6, totalCommission: 0 };
}

Deno.test("bucketExtremes keeps every bar of a short series", () => {
  assert.deepEqual(Array.from(bucketExtremes(10, 3, [new Float64Array(10)])), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("bucketExtremes keeps each bucket's min and max, the first and last bar, ascending", () => {
  const xs = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) + (i === 517 ? 5 : 0) - (i === 518 ? 9 : 0));
  xs[601] = NaN;
  const keep = Array.from(bucketExtremes(xs.length, 10, [xs]));
  assert.ok(keep.includes(517) && keep.includes(518), "the global max and min");
  assert.ok(keep.includes(0) && keep.includes(999));
  assert.ok(!keep.includes(601), "NaN is never an extreme");
  assert.ok(keep.length <= 10 * 3 + 1, `at most first, min and max per bucket, got ${keep.length}`);
  for (let k = 1; k < keep.length; k++) assert.ok(keep[k] > keep[k - 1]);
  for (let b = 0; b < 10; b++) {
    const bucket = Array.from(xs.subarray(b * 100, (b + 1) * 100)).filter((x) => !Number.isNaN(x));
    const kept = keep.filter((i) => i >= b * 100 && i < (b + 1) * 100).map((i) => xs[i]);
    assert.equal(Math.max(...kept), Math.max(...bucket));
    assert.equal(Math.min(...kept), Math.min(...bucket));
  }
});

Deno.test("chartData on 300k bars: a few thousand points, peak and max drawdown exact, markers at their own bar", () => {
  const input = longRun(300_000, 37);
  const d = chartData(input, undefined, 500);
  assert.ok(d.t.length <= 500 * 10 + 1, `points: ${d.t.length}`);
  assert.ok(d.t.length < input.ts.length);
  assert.equal(Math.max(...(d.equity as number[])), input.equity.reduce((a, b) => Math.max(a, b)));
  const dd = drawdownSeries(input.equity);
  assert.equal(Math.min(...(d.drawdown as number[])), -dd.reduce((a, b) => Math.max(a, b)) * 100);
  assert.equal(Math.min(...(d.close as number[])), input.close.reduce((a, b) => Math.min(a, b)));
  let markers = 0;
  for (let k = 0; k < d.t.length; k++) {
    const bar = d.bars[k];
    assert.equal(d.t[k], input.ts[bar] / 1000);
    for (const m of [d.longEntry[k], d.shortEntry[k]]) {
      if (m === null) continue;
      markers++;
      const trade = input.trades.find((t) => t.entryBar === bar)!;
      assert.equal(m, trade.entryPrice, "an entry marker sits at its trade's entry bar and price");
    }
  }
  assert.ok(markers >= 500, `about one long and one short entry per bucket, got ${markers}`);
});

Deno.test("renderHtml of a long run stays small and says the charts are sampled", async () => {
  const input = longRun(300_000, 37);
  const html = await renderHtml(computeStats(input), input);
  assert.ok(html.length < 2_000_000, `${html.length} characters`);
  assert.match(html, /300000 bars, 8108 trades; the charts draw \d+ of them/);
  assert.match(html, /the last 1000 of 8108; all in trades.csv/);
});

Deno.test("writeEquityCsv and writeTradesCsv write what equityCsv and tradesCsv return", async () => {
  const input = longRun(50_000, 11);
  const dd = drawdownSeries(input.equity);
  const dir = await Deno.makeTempDir();
  try {
    await writeEquityCsv(`${dir}/e.csv`, input.ts, input.equity, dd);
    await writeTradesCsv(`${dir}/t.csv`, input.trades);
    assert.equal(await Deno.readTextFile(`${dir}/e.csv`), equityCsv(input.ts, input.equity, dd));
    assert.equal(await Deno.readTextFile(`${dir}/t.csv`), tradesCsv(input.trades));
    await writeTradesCsv(`${dir}/none.csv`, []);
    assert.equal(await Deno.readTextFile(`${dir}/none.csv`), tradesCsv([]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeEquityCsv: the same bytes as equityCsv at the edges (odd times, NaN, ±Infinity, ±0, long numbers)", async () => {
  const random = seededRandom(5);
  const ts = [0, -0, -1, -0.5, 0.5, 1.9, -86_400_000, 8.64e15, -8.64e15, 253402300799999, 253402300800000, NaN];
  for (let i = 0; i < 30_000; i++) ts.push((random() - 0.5) * 1.7e16);
  const values = [0, -0, NaN, Infinity, -Infinity, 1e21, -1.2345678901234567e-308, 5e-324, 0.1 + 0.2, -123456.789];
  const equity = Float64Array.from(
    ts,
    (_, i) => i < values.length ? values[i] : (random() - 0.3) * 10 ** (i % 30 - 10),
  );
  const dd = Float64Array.from(ts, (_, i) => i < values.length ? values[values.length - 1 - i] : random());
  const dir = await Deno.makeTempDir();
  try {
    await writeEquityCsv(`${dir}/e.csv`, Float64Array.from(ts), equity, dd);
    assert.equal(await Deno.readTextFile(`${dir}/e.csv`), equityCsv(Float64Array.from(ts), equity, dd));
    await writeEquityCsv(`${dir}/empty.csv`, new Float64Array(0), new Float64Array(0), new Float64Array(0));
    assert.equal(await Deno.readTextFile(`${dir}/empty.csv`), "time,equity,drawdown\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
