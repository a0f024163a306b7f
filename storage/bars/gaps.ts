/**
 * Missing bars, reported and never filled: a backtest should know its data has holes, not trade invented prices.
 * What counts as missing depends on the market's calendar (calendar.ts): a closed market is not missing data.
 */
import type { BarSeries } from "../../actors/protocol/mod.ts";
import { TIMEFRAME_MS } from "../../actors/protocol/mod.ts";
import { type Calendar, type CalendarOptions, expectedBetween, isNyseHoliday, weekdayOf } from "./calendar.ts";

export type { Calendar } from "./calendar.ts";

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

export interface GapOptions extends CalendarOptions {
  /** Default "24x7". */
  readonly calendar?: Calendar;
}

const DAY_MS = 86_400_000;

export function findGaps(series: Pick<BarSeries, "ts" | "length" | "timeframe">, options: GapOptions = {}): Gap[] {
  const { ts, length } = series;
  const step = TIMEFRAME_MS[series.timeframe];
  const calendar = options.calendar ?? "24x7";
  const gaps: Gap[] = [];
  for (let i = 1; i < length; i++) {
    const from = ts[i - 1], to = ts[i];
    if (to - from < 1.5 * step) continue;
    const missing = expectedBetween(calendar, from, to, step, options);
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
 * The calendar a series most likely follows:
 * - "24x7" when more than a tenth of the bars fall on a Saturday or Sunday (UTC): continuous markets put 2/7 of
 *   their bars there; stock data none, forex a few Sunday-evening hours (~3%);
 * - "nyse" when the series spans NYSE holidays and has no bar on any of them (US equities);
 * - "sessions" otherwise (another exchange, or forex, which trades on US holidays).
 */
export function inferCalendar(series: Pick<BarSeries, "ts" | "length">): Calendar {
  if (series.length === 0) return "24x7";
  let weekend = 0, onHoliday = 0;
  // Intraday bars share their day with their neighbours: each day is classified once (a holiday test builds a Date).
  let lastDay = NaN, kind = 0; // 1 weekend, 2 NYSE holiday, 0 neither
  for (let i = 0; i < series.length; i++) {
    const day = Math.floor(series.ts[i] / DAY_MS);
    if (day !== lastDay) {
      lastDay = day;
      const weekday = weekdayOf(day);
      kind = weekday === 0 || weekday === 6 ? 1 : isNyseHoliday(day) ? 2 : 0;
    }
    if (kind === 1) weekend++;
    else if (kind === 2) onHoliday++;
  }
  if (weekend > series.length / 10) return "24x7";
  if (onHoliday > 0) return "sessions";
  let first = Infinity, last = -Infinity; // in any order: the store's check reads files as they are
  for (let i = 0; i < series.length; i++) {
    first = Math.min(first, series.ts[i]);
    last = Math.max(last, series.ts[i]);
  }
  for (let day = Math.floor(first / DAY_MS) + 1; day < Math.floor(last / DAY_MS); day++) {
    if (isNyseHoliday(day)) return "nyse";
  }
  return "sessions";
}
