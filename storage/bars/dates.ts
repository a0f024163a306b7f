/**
 * Timestamps from CSV text, read by char codes (no regex, no Date object per row), all as UTC epoch ms.
 *
 * Accepted: `YYYY-MM-DD`, `YYYY-MM-DD HH:mm[:ss[.fff]]`, the same with `T` and an optional `Z` or `±HH:mm` offset,
 * `M/D/YYYY` (optionally followed by a time), and integer epochs: values of at least 1e11 are milliseconds,
 * smaller ones seconds (1e11 s is the year 5138, 1e11 ms is 1973). Dates without an offset are taken as UTC,
 * because the files carry no zone and a backtest must not depend on the machine's zone.
 * Every function returns NaN when the text is not a valid timestamp.
 */

const DAY_MS = 86_400_000;

// Where the last digit run ended: a module-level cursor avoids allocating a result object per field.
let cursor = 0;

/** Reads 1..max ASCII digits at `i`; returns -1 when there is none. Leaves `cursor` after the last digit. */
function digits(text: string, i: number, end: number, max: number): number {
  let value = 0;
  const stop = Math.min(end, i + max);
  let j = i;
  for (; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  cursor = j;
  return j === i ? -1 : value;
}

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch ms of a calendar date at midnight UTC; NaN when the date does not exist. */
export function dateMs(year: number, month: number, day: number): number {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day) * DAY_MS;
}

/** Parses a date or date-time in `text[start, end)`. */
export function parseDateTime(text: string, start: number, end: number): number {
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  if (start === end) return NaN;
  let i = start;
  while (i < end && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === end) return parseEpoch(text, start, end);
  const sep = text.charCodeAt(i);
  let day: number;
  if (sep === 45 && i - start === 4) { // YYYY-MM-DD
    const year = digits(text, start, i, 4);
    const month = digits(text, i + 1, end, 2);
    if (month < 0 || text.charCodeAt(cursor) !== 45) return NaN;
    const d = digits(text, cursor + 1, end, 2);
    if (d < 0) return NaN;
    day = dateMs(year, month, d);
  } else if (sep === 47 && i - start <= 2) { // M/D/YYYY
    const month = digits(text, start, i, 2);
    const d = digits(text, i + 1, end, 2);
    if (d < 0 || text.charCodeAt(cursor) !== 47) return NaN;
    const yearStart = cursor + 1;
    const year = digits(text, yearStart, end, 4);
    if (cursor - yearStart !== 4) return NaN;
    day = dateMs(year, month, d);
  } else {
    return NaN;
  }
  if (cursor === end) return day;
  const c = text.charCodeAt(cursor);
  if (c !== 32 && c !== 84) return NaN; // ' ' or 'T'
  return day + parseTimeOfDay(text, cursor + 1, end);
}

/** Parses `H:mm[:ss[.fff]]` with an optional `Z` or `±HH[:]mm` offset: milliseconds since midnight UTC. */
export function parseTimeOfDay(text: string, start: number, end: number): number {
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  const hour = digits(text, start, end, 2);
  if (hour < 0 || hour > 23 || text.charCodeAt(cursor) !== 58) return NaN;
  const minuteStart = cursor + 1;
  const minute = digits(text, minuteStart, end, 2);
  if (minute > 59 || cursor - minuteStart !== 2) return NaN;
  let ms = (hour * 60 + minute) * 60_000;
  if (cursor < end && text.charCodeAt(cursor) === 58) {
    const secondStart = cursor + 1;
    const second = digits(text, secondStart, end, 2);
    if (second > 59 || cursor - secondStart !== 2) return NaN;
    ms += second * 1000;
    if (cursor < end && text.charCodeAt(cursor) === 46) {
      const fracStart = cursor + 1;
      const frac = digits(text, fracStart, end, 3);
      if (frac < 0) return NaN;
      ms += frac * 10 ** (3 - (cursor - fracStart));
      digits(text, cursor, end, 9); // sub-millisecond digits are dropped
    }
  }
  if (cursor === end) return ms;
  const z = text.charCodeAt(cursor);
  if (z === 90 && cursor + 1 === end) return ms; // 'Z'
  if (z !== 43 && z !== 45) return NaN; // '+' | '-'
  const offHour = digits(text, cursor + 1, end, 2);
  if (offHour < 0 || offHour > 23) return NaN;
  let offMin = 0;
  if (cursor < end) {
    offMin = digits(text, text.charCodeAt(cursor) === 58 ? cursor + 1 : cursor, end, 2);
    if (offMin < 0 || offMin > 59) return NaN;
  }
  if (cursor !== end) return NaN;
  const offset = (offHour * 60 + offMin) * 60_000;
  return z === 43 ? ms - offset : ms + offset;
}

function parseEpoch(text: string, start: number, end: number): number {
  if (end - start > 16) return NaN;
  const value = Number(text.slice(start, end));
  return value >= 1e11 ? value : value * 1000;
}
