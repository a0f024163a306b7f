/**
 * On-Balance Volume: starts at 0 on the first bar, then adds the volume on an up close, subtracts it on a down close.
 * Ready from the first update. Compensated summation keeps fractional (crypto) volumes exact over long runs.
 */
import { compensatedSum } from "./_compensated.ts";
import { checkSameLength } from "./_validate.ts";
import type { Indicator } from "./types.ts";

export function OBV(): Indicator<[close: number, volume: number], number> {
  const acc = compensatedSum();
  let prev = NaN;
  let value = NaN;
  return {
    update(close: number, volume: number): number {
      if (prev === prev) {
        if (close > prev) acc.add(volume);
        else if (close < prev) acc.add(-volume);
      }
      prev = close;
      value = acc.value;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return value === value;
    },
    reset(): void {
      acc.reset();
      prev = NaN;
      value = NaN;
    },
  };
}

export function obvSeries(close: ArrayLike<number>, volume: ArrayLike<number>): Float64Array {
  const n = checkSameLength(close, volume);
  const o = OBV();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = o.update(close[i], volume[i]);
  return out;
}
