/**
 * Double and triple EMA (Mulloy): DEMA = 2·E1 − E2, TEMA = 3·E1 − 3·E2 + E3, where E1 is an EMA of the input
 * (seeded per `options.seed`) and each further Ek is an EMA of E(k−1) that starts at E(k−1)'s first value.
 * That is Stock.Indicators' convention: warm-up period − 1 like an EMA, instead of TA-Lib's 2·(period − 1) and
 * 3·(period − 1), where each layer waits for its own SMA seed.
 */
import { EMA, type EmaOptions } from "./ema.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

/** `depth` chained EMAs combined with the binomial weights that cancel the lag (2,−1 or 3,−3,1). */
function chained(period: number, options: EmaOptions, weights: readonly number[]): ScalarIndicator {
  checkPeriod("period", period);
  const emas = weights.map((_, i) => EMA(period, i === 0 ? options : { seed: "first" }));
  let value = NaN;
  return {
    update(x: number): number {
      let input = x;
      for (const e of emas) {
        input = e.update(input);
        if (!e.ready) {
          value = NaN;
          return value;
        }
      }
      value = 0;
      for (let i = 0; i < emas.length; i++) value += weights[i] * emas[i].value;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return emas[emas.length - 1].ready;
    },
    reset(): void {
      for (const e of emas) e.reset();
      value = NaN;
    },
  };
}

export function DEMA(period: number, options: EmaOptions = {}): ScalarIndicator {
  return chained(period, options, [2, -1]);
}

export function TEMA(period: number, options: EmaOptions = {}): ScalarIndicator {
  return chained(period, options, [3, -3, 1]);
}

export function demaSeries(values: ArrayLike<number>, period: number, options: EmaOptions = {}): Float64Array {
  return scalarSeries(DEMA(period, options), values);
}

export function temaSeries(values: ArrayLike<number>, period: number, options: EmaOptions = {}): Float64Array {
  return scalarSeries(TEMA(period, options), values);
}
