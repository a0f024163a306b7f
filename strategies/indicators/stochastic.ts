/**
 * Stochastic oscillator. Fast %K = 100·(close − LL) / (HH − LL) over `kPeriod` bars; %K = SMA(kSmooth) of fast %K
 * (kSmooth 1 = fast stochastic, 3 = slow, the Stock.Indicators default); %D = SMA(dPeriod) of %K.
 * Warm-up: %K kPeriod + kSmooth − 2, %D that + dPeriod − 1. When HH = LL, fast %K is 0 (TA-Lib, Stock.Indicators),
 * which keeps the smoothing sums finite.
 */
import { rollingExtremum } from "./_extremum.ts";
import { collect } from "./_series.ts";
import { checkPeriod, checkSameLength } from "./_validate.ts";
import { SMA } from "./sma.ts";
import type { HlcIndicator } from "./types.ts";

export interface StochasticResult {
  readonly k: number;
  readonly d: number;
}

export function Stochastic(kPeriod = 14, dPeriod = 3, kSmooth = 3): HlcIndicator<StochasticResult> {
  checkPeriod("kPeriod", kPeriod);
  checkPeriod("dPeriod", dPeriod);
  checkPeriod("kSmooth", kSmooth);
  const hi = rollingExtremum(kPeriod, "max");
  const lo = rollingExtremum(kPeriod, "min");
  const smoothK = SMA(kSmooth);
  const smoothD = SMA(dPeriod);
  // Mutated and returned on every update: no allocation per bar.
  const r = { k: NaN, d: NaN };
  return {
    update(high: number, low: number, close: number): StochasticResult {
      const h = hi.push(high);
      const l = lo.push(low);
      if (!hi.full) return r;
      const fastK = h !== l ? (100 * (close - l)) / (h - l) : 0;
      r.k = smoothK.update(fastK);
      if (smoothK.ready) r.d = smoothD.update(r.k);
      return r;
    },
    get value() {
      return r;
    },
    get ready() {
      return smoothD.ready;
    },
    reset(): void {
      hi.reset();
      lo.reset();
      smoothK.reset();
      smoothD.reset();
      r.k = r.d = NaN;
    },
  };
}

export function stochasticSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  kPeriod = 14,
  dPeriod = 3,
  kSmooth = 3,
): Record<keyof StochasticResult, Float64Array> {
  const s = Stochastic(kPeriod, dPeriod, kSmooth);
  return collect(checkSameLength(high, low, close), ["k", "d"], (i) => s.update(high[i], low[i], close[i]));
}
