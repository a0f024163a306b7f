/**
 * Volume-weighted average price of the typical price (high + low + close) / 3: Σ(TP·volume) / Σvolume.
 * `session: "none"` (default) accumulates from the first bar; `session: "utcDay"` restarts when the bar's time
 * (epoch ms, the 5th update argument) falls on a new UTC day. NaN (not ready) while the session volume is 0.
 * Compensated sums keep million-bar cumulative runs exact to ~1e-15 relative.
 */
import { compensatedSum } from "./_compensated.ts";
import { checkOneOf, checkSameLength } from "./_validate.ts";
import type { Indicator } from "./types.ts";

export type VwapSession = "none" | "utcDay";

export interface VwapOptions {
  session?: VwapSession;
}

const DAY_MS = 86_400_000;

export function VWAP(
  options: VwapOptions = {},
): Indicator<[high: number, low: number, close: number, volume: number, time?: number], number> {
  const session = checkOneOf("session", options.session ?? "none", ["none", "utcDay"]);
  const pv = compensatedSum();
  const vol = compensatedSum();
  let day = NaN;
  let value = NaN;
  return {
    update(high: number, low: number, close: number, volume: number, time = NaN): number {
      if (session === "utcDay") {
        if (!Number.isFinite(time)) throw new RangeError(`Invalid time: VWAP with session "utcDay" needs epoch ms`);
        const d = Math.floor(time / DAY_MS);
        if (d !== day) {
          day = d;
          pv.reset();
          vol.reset();
        }
      }
      pv.add(((high + low + close) / 3) * volume);
      vol.add(volume);
      const v = vol.value;
      value = v !== 0 ? pv.value / v : NaN;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return value === value;
    },
    reset(): void {
      pv.reset();
      vol.reset();
      day = NaN;
      value = NaN;
    },
  };
}

export function vwapSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  options: VwapOptions & { time?: ArrayLike<number> } = {},
): Float64Array {
  const time = options.time;
  const n = time ? checkSameLength(high, low, close, volume, time) : checkSameLength(high, low, close, volume);
  const v = VWAP(options);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = v.update(high[i], low[i], close[i], volume[i], time ? time[i] : NaN);
  return out;
}
