/**
 * Relative Strength Index with Wilder's smoothing of gains and losses, seeded with their plain mean over the first
 * `period` changes. Warm-up: `period` updates (the first close has no change). RSI = 100 when the average loss is 0.
 */
import { wilder } from "./_wilder.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

export function RSI(period = 14): ScalarIndicator {
  checkPeriod("period", period);
  const gains = wilder(period);
  const losses = wilder(period);
  let prev = NaN;
  let value = NaN;
  return {
    update(close: number): number {
      if (prev === prev) { // not NaN: a previous close exists
        const change = close - prev;
        const avgGain = gains.push(change > 0 ? change : 0);
        const avgLoss = losses.push(change < 0 ? -change : 0);
        if (gains.ready) value = avgLoss > 0 ? 100 - 100 / (1 + avgGain / avgLoss) : 100;
      }
      prev = close;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return gains.ready;
    },
    reset(): void {
      gains.reset();
      losses.reset();
      prev = NaN;
      value = NaN;
    },
  };
}

export function rsiSeries(closes: ArrayLike<number>, period = 14): Float64Array {
  return scalarSeries(RSI(period), closes);
}
