/**
 * Market calendars: which bars a market is expected to print, so that a closed market is not reported as missing
 * data. Days are UTC calendar days, which is also the exchange's date for US equities whether the bars are stamped
 * in UTC (a session is 13:30–21:00 UTC at most) or in New York time.
 *
 * - "24x7" (crypto): every step of the timeframe.
 * - "nyse" (US equities): New York Stock Exchange trading days — Monday to Friday, less its holidays (New Year's Day,
 *   Martin Luther King Jr. Day from 1998, Washington's Birthday, Good Friday, Memorial Day, Juneteenth from 2022,
 *   Independence Day, Labor Day, Thanksgiving, Christmas; observed on the Friday before or the Monday after, except
 *   that a Saturday New Year's Day is not observed) and its unscheduled closures since 1994 (CLOSURES). Daily bars:
 *   a missing trading day is a gap. Intraday bars: holes inside one day are gaps, and so is every trading day
 *   missing between two days (counted as a full session of 6.5 hours, 3.5 on the early-close days); the break
 *   between sessions is not. A session that loses its first or last bars is not reported: which hours a file's
 *   times show depends on the time zone it was written in.
 * - "sessions" (any exchange whose holidays are not listed here): weekends are not gaps; daily bars up to
 *   `maxDailyGapDays` apart (default 4: a weekend and a holiday either side) are not either, a longer break counts
 *   its weekdays; intraday, only holes inside one day are gaps.
 */

export type Calendar = "24x7" | "nyse" | "sessions";
export const CALENDARS: readonly Calendar[] = ["24x7", "nyse", "sessions"];

export function isCalendar(value: string): value is Calendar {
  return (CALENDARS as readonly string[]).includes(value);
}

export interface CalendarOptions {
  /** "sessions" with daily bars: longest spacing, in calendar days, that is not a gap. */
  readonly maxDailyGapDays?: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const SESSION_MS = 390 * 60_000;
const EARLY_CLOSE_SESSION_MS = 210 * 60_000;

/**
 * How many bars the calendar expects strictly between two consecutive bars opening at `from` and `to`, with bars
 * `step` ms long: 0 when nothing is missing.
 */
export function expectedBetween(
  calendar: Calendar,
  from: number,
  to: number,
  step: number,
  options: CalendarOptions = {},
): number {
  const spacing = to - from;
  // Rounded to whole steps, so timestamp jitter of under half a step is not a gap.
  if (spacing < 1.5 * step) return 0;
  if (calendar === "24x7" || step >= WEEK_MS) return Math.round(spacing / step) - 1;
  const fromDay = Math.floor(from / DAY_MS), toDay = Math.floor(to / DAY_MS);
  if (step >= DAY_MS) {
    if (calendar === "nyse") return countDays(fromDay, toDay, isNyseTradingDay);
    if (spacing <= (options.maxDailyGapDays ?? 4) * DAY_MS) return 0;
    return countDays(fromDay, toDay, isWeekday);
  }
  if (fromDay === toDay) return Math.round(spacing / step) - 1;
  if (calendar === "sessions") return 0;
  let missing = 0;
  for (let day = fromDay + 1; day < toDay; day++) {
    if (isNyseTradingDay(day)) {
      missing += Math.ceil((isNyseEarlyClose(day) ? EARLY_CLOSE_SESSION_MS : SESSION_MS) / step);
    }
  }
  return missing;
}

/** Days strictly between two day numbers (days since 1970-01-01 UTC) that pass `test`. */
function countDays(fromDay: number, toDay: number, test: (day: number) => boolean): number {
  let n = 0;
  for (let day = fromDay + 1; day < toDay; day++) if (test(day)) n++;
  return n;
}

/** 0 = Sunday … 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekday(day: number): boolean {
  const w = weekdayOf(day);
  return w !== 0 && w !== 6;
}

export function isNyseTradingDay(day: number): boolean {
  return isWeekday(day) && !nyseHolidays(yearOf(day)).has(day);
}

/** A weekday the NYSE is closed on: a holiday or an unscheduled closure. */
export function isNyseHoliday(day: number): boolean {
  return isWeekday(day) && nyseHolidays(yearOf(day)).has(day);
}

/**
 * 13:00 closes: the day before Independence Day, the day after Thanksgiving and Christmas Eve, when they are
 * trading days (the rule of recent decades; older years varied).
 */
export function isNyseEarlyClose(day: number): boolean {
  if (!isNyseTradingDay(day)) return false;
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear(), m = d.getUTCMonth(), date = d.getUTCDate();
  if (m === 6 && date === 3) return true;
  if (m === 11 && date === 24) return true;
  return day === nthWeekday(y, 10, 4, 4) + 1;
}

const yearOf = (day: number) => new Date(day * DAY_MS).getUTCFullYear();
const dayNumber = (y: number, m: number, d: number) => Date.UTC(y, m, d) / DAY_MS;

/** Unscheduled NYSE closures (national days of mourning, 9/11, Hurricane Sandy). */
const CLOSURES = [
  [1994, 3, 27],
  [2001, 8, 11],
  [2001, 8, 12],
  [2001, 8, 13],
  [2001, 8, 14],
  [2004, 5, 11],
  [2007, 0, 2],
  [2012, 9, 29],
  [2012, 9, 30],
  [2018, 11, 5],
  [2025, 0, 9],
].map(([y, m, d]) => dayNumber(y, m, d));

const HOLIDAYS = new Map<number, ReadonlySet<number>>();

function nyseHolidays(year: number): ReadonlySet<number> {
  let days = HOLIDAYS.get(year);
  if (days) return days;
  const observed = (day: number) => weekdayOf(day) === 6 ? day - 1 : weekdayOf(day) === 0 ? day + 1 : day;
  const newYear = dayNumber(year, 0, 1);
  const list = [
    ...(weekdayOf(newYear) === 6 ? [] : [observed(newYear)]),
    ...(year >= 1998 ? [nthWeekday(year, 0, 1, 3)] : []),
    nthWeekday(year, 1, 1, 3),
    easter(year) - 2,
    lastWeekday(year, 4, 1),
    ...(year >= 2022 ? [observed(dayNumber(year, 5, 19))] : []),
    observed(dayNumber(year, 6, 4)),
    nthWeekday(year, 8, 1, 1),
    nthWeekday(year, 10, 4, 4),
    observed(dayNumber(year, 11, 25)),
    ...CLOSURES.filter((d) => yearOf(d) === year),
  ];
  days = new Set(list);
  HOLIDAYS.set(year, days);
  return days;
}

/** The `n`th `weekday` (0 = Sunday) of a month (0-based), as a day number. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = dayNumber(year, month, 1);
  return first + ((weekday - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
}

function lastWeekday(year: number, month: number, weekday: number): number {
  const last = dayNumber(year, month + 1, 1) - 1;
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

/** Easter Sunday (Gregorian; the anonymous algorithm, as in Meeus), as a day number. */
function easter(year: number): number {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100;
  const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30, i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month - 1, day);
}
