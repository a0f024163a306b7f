/**
 * Missing bars, reported and never filled: a backtest should know its data has holes, not trade invented prices.
 *
 * Calendars, kept deliberately simple:
 * - "24x7" (crypto): every step of the timeframe should hold a bar. Spacing is rounded to whole steps, so jitter
 *   of under half a step is not a gap.
 * - "sessions" (exchanges with opening hours, all judged in UTC):
 *   - daily bars: a spacing of at most `maxDailyGapDays` calendar days (default 4: a weekend plus a one-day
 *     holiday on either side) is not a gap; a longer one is, and its `missing` counts the weekdays in between.
 *   - intraday bars: only holes inside one UTC calendar day are gaps; the break between sessions (overnight,
 *     weekends) is not, so a session that loses its first bars after midnight goes unreported.
 *   - weekly bars: as "24x7".
 */
import { type BarSeries, TIMEFRAME_MS } from "../../actors/protocol/mod.ts";

export type Calendar = "24x7" | "sessions";

export interface Gap {
  /** Index of the first bar after the gap. */
  readonly index: number;
  /** Open time of the last bar before the gap (epoch ms). */
  readonly from: number;
  /** Open time of the first bar after the gap (epoch ms). */
  readonly to: number;
  /** How many bars the calendar expected between `from` and `to`. */
  readonly missing: number;
}

export interface GapOptions {
  readonly calendar?: Calendar;
  /** "sessions" with daily bars: longest spacing, in calendar days, that is not a gap. */
  readonly maxDailyGapDays?: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export function findGaps(series: Pick<BarSeries, "ts" | "length" | "timeframe">, options: GapOptions = {}): Gap[] {
  const { ts, length } = series;
  const step = TIMEFRAME_MS[series.timeframe];
  const calendar = options.calendar ?? "24x7";
  const maxDailyGap = (options.maxDailyGapDays ?? 4) * DAY_MS;
  const gaps: Gap[] = [];
  for (let i = 1; i < length; i++) {
    const from = ts[i - 1], to = ts[i];
    const spacing = to - from;
    if (spacing < 1.5 * step) continue;
    let missing: number;
    if (calendar === "24x7" || step >= WEEK_MS) {
      missing = Math.round(spacing / step) - 1;
    } else if (step >= DAY_MS) {
      if (spacing <= maxDailyGap) continue;
      missing = weekdaysBetween(from, to);
    } else {
      if (Math.floor(from / DAY_MS) !== Math.floor(to / DAY_MS)) continue;
      missing = Math.round(spacing / step) - 1;
    }
    if (missing > 0) gaps.push({ index: i, from, to, missing });
  }
  return gaps;
}

/** Total bars missing over all gaps. */
export function countMissing(gaps: readonly Gap[]): number {
  let total = 0;
  for (const g of gaps) total += g.missing;
  return total;
}

/**
 * "24x7" when more than a tenth of the bars fall on a Saturday or Sunday (UTC), else "sessions". Continuous
 * markets put 2/7 of their bars there; stock data none, forex a few Sunday-evening hours (~3%).
 */
export function inferCalendar(series: Pick<BarSeries, "ts" | "length">): Calendar {
  let weekend = 0;
  for (let i = 0; i < series.length; i++) {
    const weekday = dayOfWeek(series.ts[i]);
    if (weekday === 0 || weekday === 6) weekend++;
  }
  return weekend > series.length / 10 ? "24x7" : "sessions";
}

/** 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday. */
function dayOfWeek(ts: number): number {
  return (((Math.floor(ts / DAY_MS) + 4) % 7) + 7) % 7;
}

/** Monday-to-Friday days strictly between the UTC days of `from` and `to`. */
function weekdaysBetween(from: number, to: number): number {
  let count = 0;
  for (let day = Math.floor(from / DAY_MS) + 1; day < Math.floor(to / DAY_MS); day++) {
    const weekday = dayOfWeek(day * DAY_MS);
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}
