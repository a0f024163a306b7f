/**
 * Double and triple EMA (Mulloy): DEMA = 2·E1 − E2, TEMA = 3·E1 − 3·E2 + E3, where E1 is an EMA of the input
 * (seeded per `options.seed`) and each further Ek is an EMA of E(k−1).
 *
 * How the inner layers start is a convention the libraries disagree on, so it is an option:
 * - `inner: "first"` (default; Stock.Indicators): each inner EMA starts at its input's first value, so DEMA and TEMA
 *   are ready when E1 is (warm-up period − 1);
 * - `inner: "sma"` (TA-Lib, backtrader): each inner EMA waits for the SMA of its own first `period` inputs, so DEMA is
 *   ready at 2·(period − 1) and TEMA at 3·(period − 1). Use it to reproduce a TA-Lib or backtrader study.
 */
import { EMA, type EmaOptions } from "./ema.ts";
import { checkOneOf, checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

export interface LayeredEmaOptions extends EmaOptions {
  /** How the inner EMAs start: "first" (default, Stock.Indicators) or "sma" (TA-Lib, backtrader). */
  inner?: EmaOptions["seed"];
}

/** `depth` chained EMAs combined with the binomial weights that cancel the lag (2,−1 or 3,−3,1). */
function chained(period: number, options: LayeredEmaOptions, weights: readonly number[]): ScalarIndicator {
  checkPeriod("period", period);
  const inner = checkOneOf("inner", options.inner ?? "first", ["sma", "first"]);
  const emas = weights.map((_, i) => EMA(period, i === 0 ? { seed: options.seed ?? "sma" } : { seed: inner }));
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

export function DEMA(period: number, options: LayeredEmaOptions = {}): ScalarIndicator {
  return chained(period, options, [2, -1]);
}

export function TEMA(period: number, options: LayeredEmaOptions = {}): ScalarIndicator {
  return chained(period, options, [3, -3, 1]);
}

export function demaSeries(values: ArrayLike<number>, period: number, options: LayeredEmaOptions = {}): Float64Array {
  return scalarSeries(DEMA(period, options), values);
}

export function temaSeries(values: ArrayLike<number>, period: number, options: LayeredEmaOptions = {}): Float64Array {
  return scalarSeries(TEMA(period, options), values);
}
