// How backtesting.py infers the data's periodicity from the bar times, and what follows from it:
// the annualisation factor, the calendar buckets for "day" returns, and the rounding of durations.
import { median } from "./numeric.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The calendar bucket equity is resampled into before computing period returns (pandas offset alias). */
export type Bucket = "D" | "W" | "ME" | "YE";

/** backtesting.py's `_data_period`: the median spacing of the last 100 bars (NaN with fewer than two bars). */
export function dataPeriodMs(ts: ArrayLike<number>): number {
  const from = Math.max(0, ts.length - 100);
  const diffs: number[] = [];
  for (let i = from + 1; i < ts.length; i++) diffs.push(ts[i] - ts[i - 1]);
  return median(diffs);
}

/** True when more than 60% of the 2/7 weekend share of bars fall on Saturday or Sunday (UTC). */
export function hasWeekends(ts: ArrayLike<number>): boolean {
  let weekend = 0;
  for (let i = 0; i < ts.length; i++) {
    // Day of week from the epoch (1970-01-01 was a Thursday): no Date object per bar.
    const day = (((Math.floor(ts[i] / 86_400_000) + 4) % 7) + 7) % 7;
    if (day === 0 || day === 6) weekend++;
  }
  return weekend / ts.length > (2 / 7) * 0.6;
}

/**
 * Periods per year and resampling bucket, as `compute_stats`: weekly bars → 52 / "W", monthly (31-day median
 * spacing) → 12 / "ME", yearly → 1 / "YE"; anything else is resampled to days and annualised with 365 when
 * weekends are traded, else 252. The day count is the whole days of the period (`Timedelta.days`), so hourly
 * data counts as 0 days, i.e. daily resampling.
 */
export function annualisation(ts: ArrayLike<number>, periodMs: number): { periods: number; bucket: Bucket } {
  const days = Math.floor(periodMs / DAY);
  if (days === 7) return { periods: 52, bucket: "W" };
  if (days === 31) return { periods: 12, bucket: "ME" };
  if (days === 365) return { periods: 1, bucket: "YE" };
  return { periods: hasWeekends(ts) ? 365 : 252, bucket: "D" };
}

/**
 * The key of the calendar bucket holding time `t` (UTC). pandas' "W" bins are Monday–Sunday weeks,
 * "ME" calendar months, "YE" calendar years (bins closed on the right, with the edge at the end of the last day).
 */
export function bucketKey(t: number, bucket: Bucket): number {
  const day = Math.floor(t / DAY);
  switch (bucket) {
    case "D":
      return day;
    case "W":
      // 1970-01-01 was a Thursday: shifting by 3 days makes the key change on Mondays.
      return Math.floor((day + 3) / 7);
    case "ME": {
      const d = new Date(t);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
    case "YE":
      return new Date(t).getUTCFullYear();
  }
}

/**
 * Last equity of each bucket, then simple returns between consecutive buckets: pandas'
 * `resample(bucket).last().dropna().pct_change().dropna()`. A 0 → 0 step gives NaN and is dropped;
 * x → 0 → y gives −1 then +Infinity, which is kept (as pandas keeps inf).
 */
export function periodReturns(ts: ArrayLike<number>, equity: ArrayLike<number>, bucket: Bucket): number[] {
  const last: number[] = [];
  let key = NaN;
  for (let i = 0; i < ts.length; i++) {
    if (Number.isNaN(equity[i])) continue;
    const k = bucketKey(ts[i], bucket);
    if (k === key) last[last.length - 1] = equity[i];
    else {
      last.push(equity[i]);
      key = k;
    }
  }
  const out: number[] = [];
  for (let i = 1; i < last.length; i++) {
    const r = last[i] / last[i - 1] - 1;
    if (!Number.isNaN(r)) out.push(r);
  }
  return out;
}

/**
 * Round a duration up to the resolution of the bar period, as backtesting.py's `_round_timedelta`
 * (`Timedelta.ceil(period.resolution_string)`): daily bars → whole days, hourly → whole hours, and so on.
 */
export function ceilToResolution(ms: number, periodMs: number): number {
  if (!Number.isFinite(ms) || !Number.isFinite(periodMs)) return ms;
  const unit = resolutionMs(periodMs);
  return Math.ceil(ms / unit) * unit;
}

/** The smallest unit (day, hour, minute, second, ms) with a non-zero component in the period. */
function resolutionMs(periodMs: number): number {
  for (const unit of [DAY, HOUR, MINUTE, SECOND]) if (periodMs % unit === 0) return unit;
  return 1;
}
