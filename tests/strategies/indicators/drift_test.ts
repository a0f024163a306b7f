/**
 * Long runs do not drift: after 1M random inputs the rolling indicators stay within 1e-9 (absolute) of a fresh
 * computation over the same window, checked every 100k updates. Two streams: uniform noise, and a price-like random
 * walk near 50 000 (the hard case for variance: large mean, small spread).
 */
import assert from "node:assert/strict";
import { seededRandom } from "../../../actors/runtime/random.ts";
import { SMA, StdDev, WMA, ZScore } from "../../../strategies/indicators/mod.ts";

const N = 1_000_000;
const P = 50;

function stream(kind: "noise" | "walk"): Float64Array {
  const rnd = seededRandom(kind === "noise" ? 1 : 2);
  const xs = new Float64Array(N);
  let p = 50_000;
  for (let i = 0; i < N; i++) {
    if (kind === "noise") xs[i] = (rnd() - 0.5) * 1000;
    else xs[i] = p += (rnd() - 0.5) * 10;
  }
  return xs;
}

/** Two-pass statistics of xs[end − P + 1 ..= end], computed from scratch. */
function fresh(xs: Float64Array, end: number) {
  let s = 0;
  let w = 0;
  for (let i = 0; i < P; i++) {
    s += xs[end - P + 1 + i];
    w += (i + 1) * xs[end - P + 1 + i];
  }
  const mean = s / P;
  let q = 0;
  for (let i = end - P + 1; i <= end; i++) q += (xs[i] - mean) ** 2;
  return { mean, wma: w / ((P * (P + 1)) / 2), pop: Math.sqrt(q / P), sample: Math.sqrt(q / (P - 1)) };
}

for (const kind of ["noise", "walk"] as const) {
  Deno.test(`drift: 1M ${kind} values, SMA/WMA/StdDev/ZScore stay within 1e-9 of a fresh computation`, () => {
    const xs = stream(kind);
    const sma = SMA(P);
    const wma = WMA(P);
    const pop = StdDev(P);
    const sample = StdDev(P, { sample: true });
    const z = ZScore(P);
    let worst = 0;
    const check = (label: string, got: number, want: number) => {
      const err = Math.abs(got - want);
      worst = Math.max(worst, err);
      assert.ok(err <= 1e-9, `${kind} ${label}: ${got} vs fresh ${want} (error ${err})`);
    };
    for (let i = 0; i < N; i++) {
      sma.update(xs[i]);
      wma.update(xs[i]);
      pop.update(xs[i]);
      sample.update(xs[i]);
      z.update(xs[i]);
      if ((i + 1) % 100_000 === 0 || i === N - 1 || i === P + 1234) {
        const f = fresh(xs, i);
        check(`SMA@${i}`, sma.value, f.mean);
        check(`WMA@${i}`, wma.value, f.wma);
        check(`StdDev@${i}`, pop.value, f.pop);
        check(`StdDev(sample)@${i}`, sample.value, f.sample);
        check(`ZScore@${i}`, z.value, (xs[i] - f.mean) / f.pop);
      }
    }
    assert.ok(worst <= 1e-9);
  });
}
