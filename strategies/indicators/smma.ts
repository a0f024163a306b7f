/**
 * Smoothed moving average (SMMA, Wilder's RMA, MT4's SMMA, backtrader's SmoothedMovingAverage): an EMA with
 * α = 1/period, seeded with the SMA of the first `period` inputs, so warm-up period − 1. The same smoothing RSI, ATR and
 * ADX use inside; here as an indicator of its own.
 */
import { checkPeriod } from "./_validate.ts";
import { wilder } from "./_wilder.ts";
import { scalarSeries } from "./sma.ts";
import type { ScalarIndicator } from "./types.ts";

export function SMMA(period: number): ScalarIndicator {
  checkPeriod("period", period);
  const w = wilder(period);
  return {
    update: (x: number) => w.push(x),
    get value() {
      return w.value;
    },
    get ready() {
      return w.ready;
    },
    reset: () => w.reset(),
  };
}

export function smmaSeries(values: ArrayLike<number>, period: number): Float64Array {
  return scalarSeries(SMMA(period), values);
}
