/**
 * Exponential moving average, α = 2 / (period + 1). Seed "sma" (default): the SMA of the first `period` inputs,
 * warm-up period − 1 (Stock.Indicators, TA-Lib). Seed "first": the first input, ready at once (pandas adjust=False).
 */
import { checkOneOf, checkPeriod } from "./_validate.ts";
import type { EmaSeed, ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

export interface EmaOptions {
  seed?: EmaSeed;
}

export function EMA(period: number, options: EmaOptions = {}): ScalarIndicator {
  checkPeriod("period", period);
  const seed = checkOneOf("seed", options.seed ?? "sma", ["sma", "first"]);
  const k = 2 / (period + 1);
  const warm = seed === "sma" ? period : 1;
  let n = 0;
  let sum = 0;
  let value = NaN;
  return {
    update(x: number): number {
      if (n >= warm) {
        // Same operation order as Stock.Indicators, so the reference matches to the last bit.
        value = value + k * (x - value);
      } else {
        n++;
        sum += x;
        if (n === warm) value = sum / warm;
      }
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return n >= warm;
    },
    reset(): void {
      n = 0;
      sum = 0;
      value = NaN;
    },
  };
}

export function emaSeries(values: ArrayLike<number>, period: number, options: EmaOptions = {}): Float64Array {
  return scalarSeries(EMA(period, options), values);
}
