/**
 * MACD: macd = EMA(fast) − EMA(slow), signal = EMA(signal) of macd, histogram = macd − signal.
 * Seed "sma" (default, Stock.Indicators): macd warms up slow − 1 updates, signal and histogram slow + signal − 2, the
 * signal EMA seeded with the SMA of the first `signal` macd values. Seed "first" (pandas/StockCharts worksheet):
 * every EMA starts at its first input, all outputs ready at once.
 */
import { EMA, type EmaOptions } from "./ema.ts";
import { collect } from "./_series.ts";
import { checkPeriod } from "./_validate.ts";
import type { Indicator } from "./types.ts";

export interface MacdResult {
  readonly macd: number;
  readonly signal: number;
  readonly histogram: number;
  readonly fastEma: number;
  readonly slowEma: number;
}

export function MACD(
  fast = 12,
  slow = 26,
  signal = 9,
  options: EmaOptions = {},
): Indicator<[close: number], MacdResult> {
  checkPeriod("fast", fast);
  checkPeriod("slow", slow);
  checkPeriod("signal", signal);
  if (fast >= slow) throw new RangeError(`Invalid fast: expected fast < slow, got fast ${fast} and slow ${slow}`);
  const fastEma = EMA(fast, options);
  const slowEma = EMA(slow, options);
  const signalEma = EMA(signal, options);
  // Mutated and returned on every update: no allocation per bar.
  const r = { macd: NaN, signal: NaN, histogram: NaN, fastEma: NaN, slowEma: NaN };
  return {
    update(close: number): MacdResult {
      r.fastEma = fastEma.update(close);
      r.slowEma = slowEma.update(close);
      if (slowEma.ready) {
        r.macd = r.fastEma - r.slowEma;
        r.signal = signalEma.update(r.macd);
        r.histogram = r.macd - r.signal;
      }
      return r;
    },
    get value() {
      return r;
    },
    get ready() {
      return signalEma.ready;
    },
    reset(): void {
      fastEma.reset();
      slowEma.reset();
      signalEma.reset();
      r.macd =
        r.signal =
        r.histogram =
        r.fastEma =
        r.slowEma =
          NaN;
    },
  };
}

export function macdSeries(
  closes: ArrayLike<number>,
  fast = 12,
  slow = 26,
  signal = 9,
  options: EmaOptions = {},
): Record<keyof MacdResult, Float64Array> {
  const m = MACD(fast, slow, signal, options);
  return collect(closes.length, ["macd", "signal", "histogram", "fastEma", "slowEma"], (i) => m.update(closes[i]));
}
