/**
 * Donchian channel: upper = highest high, lower = lowest low over the last `period` bars including the current one,
 * middle = their mean. Warm-up: period − 1. (Stock.Indicators excludes the current bar; feed it the previous bar's
 * result if you want that.)
 */
import { rollingExtremum } from "./_extremum.ts";
import { collect } from "./_series.ts";
import { checkPeriod, checkSameLength } from "./_validate.ts";
import type { Indicator } from "./types.ts";

export interface ChannelResult {
  readonly upper: number;
  readonly middle: number;
  readonly lower: number;
}

export function Donchian(period = 20): Indicator<[high: number, low: number], ChannelResult> {
  checkPeriod("period", period);
  const hi = rollingExtremum(period, "max");
  const lo = rollingExtremum(period, "min");
  // Mutated and returned on every update: no allocation per bar.
  const r = { upper: NaN, middle: NaN, lower: NaN };
  return {
    update(high: number, low: number): ChannelResult {
      const h = hi.push(high);
      const l = lo.push(low);
      if (hi.full) {
        r.upper = h;
        r.lower = l;
        r.middle = (h + l) / 2;
      }
      return r;
    },
    get value() {
      return r;
    },
    get ready() {
      return hi.full;
    },
    reset(): void {
      hi.reset();
      lo.reset();
      r.upper = r.middle = r.lower = NaN;
    },
  };
}

export function donchianSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 20,
): Record<keyof ChannelResult, Float64Array> {
  const d = Donchian(period);
  return collect(checkSameLength(high, low), ["upper", "middle", "lower"], (i) => d.update(high[i], low[i]));
}
