/**
 * True range and Average True Range (Wilder's smoothing, seeded with the mean of the first `period` true ranges).
 *
 * The first bar has no previous close. `firstBar: "skip"` (default; Stock.Indicators, TA-Lib) gives it no true
 * range, so ATR warms up over `period` updates. `firstBar: "range"` (the StockCharts worksheet) counts its
 * high − low, so ATR warms up over period − 1 updates.
 */
import { wilder } from "./_wilder.ts";
import { checkOneOf, checkPeriod, checkSameLength } from "./_validate.ts";
import type { HlcIndicator } from "./types.ts";

export type FirstBar = "skip" | "range";

export interface AtrOptions {
  firstBar?: FirstBar;
}

/** True range of each bar: max(high − low, |high − prevClose|, |low − prevClose|). */
export function TR(options: AtrOptions = {}): HlcIndicator {
  const firstBar = checkOneOf("firstBar", options.firstBar ?? "skip", ["skip", "range"]);
  let prevClose = NaN;
  let value = NaN;
  return {
    update(high: number, low: number, close: number): number {
      if (prevClose === prevClose) {
        const a = high - low;
        const b = Math.abs(high - prevClose);
        const c = Math.abs(low - prevClose);
        value = a > b ? (a > c ? a : c) : (b > c ? b : c);
      } else {
        value = firstBar === "range" ? high - low : NaN;
      }
      prevClose = close;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return value === value;
    },
    reset(): void {
      prevClose = NaN;
      value = NaN;
    },
  };
}

export function ATR(period = 14, options: AtrOptions = {}): HlcIndicator {
  checkPeriod("period", period);
  const tr = TR(options);
  const avg = wilder(period);
  let value = NaN;
  return {
    update(high: number, low: number, close: number): number {
      const t = tr.update(high, low, close);
      if (t === t) value = avg.push(t);
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return avg.ready;
    },
    reset(): void {
      tr.reset();
      avg.reset();
      value = NaN;
    },
  };
}

/** Runs a high/low/close indicator over arrays; shared by every HLC `*Series`. */
export function hlcSeries(
  ind: HlcIndicator,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): Float64Array {
  const n = checkSameLength(high, low, close);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ind.update(high[i], low[i], close[i]);
  return out;
}

export function trSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  options: AtrOptions = {},
): Float64Array {
  return hlcSeries(TR(options), high, low, close);
}

export function atrSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  options: AtrOptions = {},
): Float64Array {
  return hlcSeries(ATR(period, options), high, low, close);
}
