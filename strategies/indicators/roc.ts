/**
 * Momentum = x − x[period bars ago]; ROC = 100·(x − x[period]) / x[period] (±Infinity or NaN if that is 0).
 * Warm-up: `period` updates.
 */
import { window } from "./_window.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

function lagged(period: number, f: (x: number, past: number) => number): ScalarIndicator {
  checkPeriod("period", period);
  const w = window(period + 1);
  let value = NaN;
  return {
    update(x: number): number {
      w.push(x);
      value = w.full ? f(x, w.at(0)) : NaN;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return w.full;
    },
    reset(): void {
      w.reset();
      value = NaN;
    },
  };
}

export function Momentum(period = 10): ScalarIndicator {
  return lagged(period, (x, past) => x - past);
}

export function ROC(period = 10): ScalarIndicator {
  return lagged(period, (x, past) => (100 * (x - past)) / past);
}

export function momentumSeries(values: ArrayLike<number>, period = 10): Float64Array {
  return scalarSeries(Momentum(period), values);
}

export function rocSeries(values: ArrayLike<number>, period = 10): Float64Array {
  return scalarSeries(ROC(period), values);
}
