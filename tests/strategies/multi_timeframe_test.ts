/**
 * Multi-timeframe without look-ahead: a strategy on 5m bars reads 1h and 1d bars built from them. A higher bar is
 * visible only once its last base bar has closed, and then it equals the bar `resample()` makes from the same data.
 */
import assert from "node:assert/strict";
import { loadBars, resample } from "../../storage/bars/mod.ts";
import { runBacktest } from "../../backtest/engine.ts";
import { type Bar, type BarSeries, TIMEFRAME_MS } from "../../actors/protocol/mod.ts";
import {
  addBaseBar,
  createHigherTimeframe,
  higherColumns,
  higherTimeframes,
  restoreHigher,
} from "../../actors/strategy_supervisor/timeframes.ts";
import { seededRandom } from "../../actors/runtime/random.ts";
import { mtfSeen } from "./fixtures/mtf_probe_strategy.ts";

const BTC_5M = new URL("../../../shared/data/freqtrade/UNITTEST_BTC-5m.json", import.meta.url);
const PROBE = new URL("./fixtures/mtf_probe_strategy.ts", import.meta.url).href;
const H = TIMEFRAME_MS["1h"];

const barOf = (s: BarSeries, i: number): Bar => ({
  symbol: s.symbol,
  timeframe: s.timeframe,
  ts: s.ts[i],
  open: s.open[i],
  high: s.high[i],
  low: s.low[i],
  close: s.close[i],
  volume: s.volume[i],
});

/** 5m bars with random gaps (missing bars, whole missing hours), as a live feed or a thin market gives them. */
function gappySeries(seed: number, n: number): BarSeries {
  const rnd = seededRandom(seed);
  const ts: number[] = [];
  let t = Date.UTC(2024, 0, 1, 0, 5 * Math.floor(rnd() * 12));
  while (ts.length < n) {
    ts.push(t);
    const r = rnd();
    t += TIMEFRAME_MS["5m"] * (r < 0.8 ? 1 : r < 0.95 ? 2 + Math.floor(rnd() * 5) : 12 + Math.floor(rnd() * 30));
  }
  const cols = {
    open: [] as number[],
    high: [] as number[],
    low: [] as number[],
    close: [] as number[],
    volume: [] as number[],
  };
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    p = Math.max(1, p + (rnd() - 0.5) * 2);
    cols.open.push(o);
    cols.close.push(p);
    cols.high.push(Math.max(o, p) + rnd());
    cols.low.push(Math.min(o, p) - rnd());
    cols.volume.push(Math.floor(rnd() * 100));
  }
  return {
    symbol: "X",
    timeframe: "5m",
    length: n,
    ts: Float64Array.from(ts),
    open: Float64Array.from(cols.open),
    high: Float64Array.from(cols.high),
    low: Float64Array.from(cols.low),
    close: Float64Array.from(cols.close),
    volume: Float64Array.from(cols.volume),
  } as BarSeries;
}

Deno.test("higher timeframe bars: equal resample() of the same bars, shown only once closed (gappy data, 30 seeds)", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const s = gappySeries(seed, 600);
    for (const tf of ["15m", "1h", "4h", "1d"] as const) {
      const step = TIMEFRAME_MS[tf];
      const h = createHigherTimeframe("X", tf, 10_000);
      for (let i = 0; i < s.length; i++) {
        const before = h.ring.length;
        addBaseBar(h, barOf(s, i), TIMEFRAME_MS["5m"]);
        for (let k = before; k < h.ring.length; k++) {
          const shown = h.ring.time(h.ring.length - 1 - k);
          const closesNow = s.ts[i] + TIMEFRAME_MS["5m"] >= shown + step;
          const laterBucket = s.ts[i] >= shown + step;
          assert.ok(
            closesNow || laterBucket,
            `seed ${seed} ${tf}: bar ${shown} shown at base bar ${s.ts[i]} before it closed`,
          );
          // Never a base bar of the shown bucket after this point: it really was complete.
          assert.ok(i + 1 >= s.length || s.ts[i + 1] >= shown + step || closesNow);
        }
      }
      const expected = resample(s, tf);
      const got = h.ring.columns();
      // The last bucket may be unfinished: resample shows it, the strategy never does.
      const lastComplete = s.ts[s.length - 1] + TIMEFRAME_MS["5m"] >= expected.ts[expected.length - 1] + step;
      const n = lastComplete ? expected.length : expected.length - 1;
      assert.equal(got.ts.length, n, `seed ${seed} ${tf}: bar count`);
      for (const col of ["ts", "open", "high", "low", "close", "volume"] as const) {
        assert.deepEqual(Array.from(got[col]), Array.from(expected[col].subarray(0, n)), `seed ${seed} ${tf} ${col}`);
      }
    }
  }
});

Deno.test("higher timeframe: a repeated bar is not counted twice; a snapshot restores the bucket being filled", () => {
  const s = gappySeries(7, 50);
  const h = createHigherTimeframe("X", "1h", 100);
  for (let i = 0; i < 30; i++) {
    addBaseBar(h, barOf(s, i), TIMEFRAME_MS["5m"]);
    addBaseBar(h, barOf(s, i), TIMEFRAME_MS["5m"]);
  }
  const saved = structuredClone(higherColumns(h));
  const copy = restoreHigher(saved, 100);
  for (let i = 30; i < 50; i++) {
    addBaseBar(h, barOf(s, i), TIMEFRAME_MS["5m"]);
    addBaseBar(copy, barOf(s, i), TIMEFRAME_MS["5m"]);
  }
  assert.deepEqual(copy.ring.columns(), h.ring.columns());
  const once = createHigherTimeframe("X", "1h", 100);
  for (let i = 0; i < 50; i++) addBaseBar(once, barOf(s, i), TIMEFRAME_MS["5m"]);
  assert.deepEqual(once.ring.columns(), h.ring.columns(), "duplicates changed nothing");
});

Deno.test("declared timeframes: a finer or non-multiple one is refused with what and why", () => {
  assert.deepEqual(higherTimeframes("s", "5m", ["1h", "5m", "1h", "1d"]), ["1h", "1d"]);
  assert.throws(
    () => higherTimeframes("s", "1h", ["5m"]),
    /strategy s: timeframes: 5m is not a whole multiple of the 1h/,
  );
  assert.throws(() => higherTimeframes("s", "3m", ["5m"]), /5m is not a whole multiple of the 3m bars/);
  assert.throws(() => higherTimeframes("s", "5m", ["2d" as never]), /unknown timeframe "2d"/);
});

Deno.test("a strategy on 5m bars reads 1h and 1d through the real actors, never before they close", async () => {
  const { series } = await loadBars(BTC_5M, { symbol: "BTC" });
  mtfSeen.length = 0;
  const result = await runBacktest({
    strategies: [{ id: "mtf", module: PROBE }],
    data: [series],
    cash: 10_000,
    sim: { defaultStep: 0.0001 },
  });
  assert.equal(mtfSeen.length, series.length, "one onBar per base bar");
  const hours = resample(series, "1h");
  const hourAt = new Map(Array.from(hours.ts, (ts, i) => [ts, i]));
  let shown = 0;
  for (const s of mtfSeen) {
    if (!s.hour) continue;
    shown++;
    assert.ok(s.hour.ts + H <= s.now, `the 1h bar of ${s.hour.ts} seen at ${s.now}, before its close`);
    assert.ok(s.hour.ts + H <= s.barTs + TIMEFRAME_MS["5m"], "it closed no later than the base bar being handled");
    const i = hourAt.get(s.hour.ts);
    assert.ok(i !== undefined);
    assert.equal(s.hour.close, hours.close[i], `1h close of ${s.hour.ts}`);
  }
  assert.ok(shown > series.length * 0.9, `${shown} bars saw a 1h bar`);
  assert.ok(mtfSeen.some((s) => s.dayLength > 0), "1d bars appeared");
  assert.ok(result.report.tradeCount > 0, "it traded on its 1h view");
});

Deno.test("reading a timeframe the strategy did not declare fails the strategy and says how to fix it", async () => {
  const src = `import { defineStrategy } from ${
    JSON.stringify(new URL("../../strategies/api.ts", import.meta.url).href)
  };
export default defineStrategy({ name: "undeclared", params: {}, init: () => ({}),
  onBar(_s, _b, ctx) { ctx.history(undefined, "4h"); } });`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, src);
  const { series } = await loadBars(BTC_5M, { symbol: "BTC" });
  const lines: string[] = [];
  try {
    await runBacktest({
      strategies: [{ id: "u", module: new URL(`file://${file}`).href }],
      data: [{ ...series, length: 50 } as BarSeries],
      cash: 1_000,
      logSink: (r) => lines.push(JSON.stringify(r)),
    }).catch((err) => lines.push(String(err)));
  } finally {
    await Deno.remove(file);
  }
  assert.ok(
    lines.some((l) =>
      l.includes('reads 4h bars without declaring them: add timeframes: [\\"4h\\"]') ||
      l.includes('reads 4h bars without declaring them: add timeframes: ["4h"]')
    ),
    lines.slice(0, 5).join("\n"),
  );
});
