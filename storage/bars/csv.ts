/**
 * CSV text → columnar bars. One pass over the text by `indexOf` and char codes: no split, no per-row regex,
 * no per-row allocation, so a million rows parse in well under a second.
 *
 * Layouts are recognised by header name, case-insensitively, in any column order:
 * - backtesting.py `,Open,High,Low,Close,Volume` (the date is the unnamed first column)
 * - backtrader `Date,Open,High,Low,Close,Volume,OpenInterest` and `Date,Time,Open,...` (separate time column)
 * - Yahoo `Date,Open,High,Low,Close,Adj Close,Volume` (raw OHLC is used; Adj Close is ignored)
 * - Stock.Indicators `date,open,high,low,close,volume`, with or without a UTF-8 BOM
 * The date column may be named date, datetime, timestamp, open_time or time (or be unnamed when first); with both
 * a date and a time column their values are added. Volume is optional (0 when absent); other columns are ignored.
 * The delimiter is a comma, or `;` / tab when the header has no comma. Fields may be quoted (RFC 4180: `""` is a
 * quote inside one); a quoted number may group thousands with commas (`"1,234.5"`). Rows with a quote take a slower
 * path; the others are read in place. Timestamp formats: see dates.ts. Files are read from their bytes by
 * csv_read.ts, which falls back to `parseRows` here for any row its fast path does not take. Every rule a row breaks is a located
 * `DataError` (see validate.ts); prices above `maxPrice` (DEFAULT_MAX_PRICE) are refused.
 */
import type { BarSeries, Timeframe } from "../../actors/protocol/mod.ts";
import { allocColumns, type ColumnBuffers, type Columns, finishColumns, toSeries } from "./columns.ts";
import { parseDateTime, parseTimeOfDay } from "./dates.ts";
import { DataError } from "./errors.ts";
import { isNonFiniteLiteral, parseNumber } from "./numbers.ts";
import { type BarField, type BarLimits, barProblem, DEFAULT_MAX_PRICE, orderProblem } from "./validate.ts";

/**
 * `lenient`: read every row whose fields parse, and leave the bar rules (positive prices, high ≥ low, time order,
 * the price limit) to the caller, e.g. the store's quality check, which reports them all instead of the first; an
 * empty or "NaN" price is read as NaN. The rows' line numbers come back in `lines`.
 */
export interface ParseOptions extends BarLimits {
  readonly lenient?: boolean;
}

/** Columns of a lenient parse: `lines[i]` is the file line of row i, for messages. */
export interface LenientColumns extends Columns {
  readonly lines: Uint32Array;
}

export interface CsvOptions extends BarLimits {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Name used in error messages, usually the file's base name. */
  readonly file?: string;
}

/** Column roles, in `Header.roles`. */
export const SKIP = 0, DATE = 1, TIME = 2, OPEN = 3, HIGH = 4, LOW = 5, CLOSE = 6, VOLUME = 7;
const ROLE_FIELD: readonly BarField[] = ["ts", "ts", "ts", "open", "high", "low", "close", "volume"];
const DATE_NAMES = new Set(["date", "datetime", "timestamp", "open_time", "opentime"]);
const PRICE_ROLES: Readonly<Record<string, number>> = {
  open: OPEN,
  high: HIGH,
  low: LOW,
  close: CLOSE,
  volume: VOLUME,
  vol: VOLUME,
};

export interface Header {
  readonly names: readonly string[];
  readonly roles: Int8Array;
  /** Header name (as written) for each role, for error messages. */
  readonly roleName: readonly string[];
  readonly delimiter: number;
}

export function parseCsv(text: string, options: CsvOptions): BarSeries {
  return toSeries(parseCsvColumns(text, options.file, options), options.symbol, options.timeframe);
}

/** Parses without naming the series, for callers (loadBars) that infer the timeframe from the timestamps. */
export function parseCsvColumns(text: string, file?: string, options?: ParseOptions & { lenient?: false }): Columns;
export function parseCsvColumns(text: string, file: string, options: ParseOptions & { lenient: true }): LenientColumns;
export function parseCsvColumns(text: string, file = "input.csv", options: ParseOptions = {}): Columns {
  const head = findHeader(text, file);
  if (head === undefined) throw new DataError({ file }, "file is empty");
  const rows = startRows(head, countNewlines(text, head.end, text.length) + 1, file, options);
  parseRows(rows, text, head.end + 1);
  return finishRows(rows);
}

export interface HeaderAt {
  readonly header: Header;
  /** Index of the header line's "\n" (or the text's length). */
  readonly end: number;
  readonly line: number;
}

/**
 * The header, after a BOM and blank lines; undefined when the text holds none of it, or (`whole` false: more text
 * may follow) not all of its line.
 */
function findHeader(text: string, file: string, whole = true): HeaderAt | undefined {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length && isBlank(text.charCodeAt(start))) start++;
  if (start >= text.length) return undefined;
  let end = text.indexOf("\n", start);
  if (end < 0 && !whole) return undefined;
  if (end < 0) end = text.length;
  const line = 1 + countNewlines(text, 0, start);
  return { header: readHeader(text.slice(start, end).replace(/\r$/, ""), file, line), end, line };
}

/** A parse in progress: the columns filled so far and where the next row's line number starts. */
export interface RowState {
  readonly header: Header;
  buf: ColumnBuffers;
  lines: Uint32Array | undefined;
  readonly file: string;
  readonly maxPrice: number;
  readonly lenient: boolean;
  n: number;
  line: number;
  prevLine: number;
}

export function startRows(head: HeaderAt, capacity: number, file: string, options: ParseOptions): RowState {
  const lenient = options.lenient ?? false;
  const buf = allocColumns(capacity);
  return {
    header: head.header,
    buf,
    lines: lenient ? new Uint32Array(capacity) : undefined,
    file,
    maxPrice: options.maxPrice ?? DEFAULT_MAX_PRICE,
    lenient,
    n: 0,
    line: head.line,
    prevLine: 0,
  };
}

export function finishRows(rows: RowState): Columns {
  if (rows.n === 0) throw new DataError({ file: rows.file }, "no bars after the header");
  const columns = finishColumns(rows.buf, rows.n);
  if (!rows.lines) return columns;
  const withLines: LenientColumns = { ...columns, lines: rows.lines.slice(0, rows.n) };
  return withLines;
}

/** Reads the rows of `text` from `pos` to its end (whole lines) into `rows`. */
export function parseRows(rows: RowState, text: string, pos: number): void {
  const { header, buf, lines, file, maxPrice, lenient } = rows;
  const { roles, delimiter } = header;
  const ncols = roles.length;
  const delim = String.fromCharCode(delimiter);
  let n = rows.n;
  let line = rows.line;
  let prevLine = rows.prevLine;
  const len = text.length;
  let quote = text.indexOf('"', pos);
  while (pos < len) {
    line++;
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = len;
    let end = eol;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    if (end === pos) {
      pos = eol + 1;
      continue;
    }
    let ts = NaN, tod = 0, open = NaN, high = NaN, low = NaN, close = NaN, volume = 0;
    let col = 0;
    let fs = pos;
    if (quote >= 0 && quote < pos) quote = text.indexOf('"', pos);
    let quoted: string[] | undefined;
    if (quote >= 0 && quote < end) {
      quoted = splitQuoted(text.slice(pos, end), delimiter, file, line);
      [ts, tod, open, high, low, close, volume] = readFields(quoted, roles);
      col = quoted.length;
    } else {
      for (;;) {
        let fe = text.indexOf(delim, fs);
        if (fe < 0 || fe > end) fe = end;
        if (col < ncols) {
          switch (roles[col]) {
            case DATE:
              ts = parseDateTime(text, fs, fe);
              break;
            case TIME:
              tod = parseTimeOfDay(text, fs, fe);
              break;
            case OPEN:
              open = parseNumber(text, fs, fe);
              break;
            case HIGH:
              high = parseNumber(text, fs, fe);
              break;
            case LOW:
              low = parseNumber(text, fs, fe);
              break;
            case CLOSE:
              close = parseNumber(text, fs, fe);
              break;
            case VOLUME:
              volume = parseNumber(text, fs, fe);
              break;
          }
        }
        col++;
        if (fe === end) break;
        fs = fe + 1;
      }
    }
    if (col !== ncols) {
      throw new DataError({ file, line }, `expected ${ncols} columns, found ${col}`);
    }
    ts += tod;
    if (ts !== ts || open !== open || high !== high || low !== low || close !== close || volume !== volume) {
      unreadable(quoted ?? text.slice(pos, end).split(delim), header, file, line, maxPrice, lenient);
    }
    if (lenient) {
      lines![n] = line;
    } else {
      // Inline sound-bar test first; barProblem only runs to word a failure.
      if (
        !(low > 0 && high >= low && open >= low && open <= high && close >= low && close <= high &&
          high < Infinity && high <= maxPrice && volume >= 0 && volume < Infinity)
      ) {
        const problem = barProblem(open, high, low, close, volume, maxPrice)!;
        throw new DataError({ file, line, column: nameOf(header, problem.field) }, problem.reason);
      }
      if (n > 0 && !(ts > buf.ts[n - 1])) {
        const reason = orderProblem(buf.ts[n - 1], ts, `line ${prevLine}`);
        if (reason !== undefined) throw new DataError({ file, line, column: header.roleName[DATE] }, reason);
      }
    }
    buf.ts[n] = ts;
    buf.open[n] = open;
    buf.high[n] = high;
    buf.low[n] = low;
    buf.close[n] = close;
    buf.volume[n] = volume;
    n++;
    prevLine = line;
    pos = eol + 1;
  }
  rows.n = n;
  rows.line = line;
  rows.prevLine = prevLine;
}

export function readHeader(raw: string, file: string, line: number): Header {
  const delimiter = raw.includes(",") ? 44 : raw.includes(";") ? 59 : raw.includes("\t") ? 9 : 44;
  const names = raw.split(String.fromCharCode(delimiter)).map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
  const keys = names.map((s) => s.toLowerCase());
  const roles = new Int8Array(names.length);
  const roleName: string[] = [];
  const assign = (i: number, role: number) => {
    if (roleName[role] !== undefined) return; // the first column of a name wins
    roles[i] = role;
    roleName[role] = names[i] === "" ? `#${i + 1}` : names[i];
  };
  const hasDate = keys.some((k, i) => DATE_NAMES.has(k) || (k === "" && i === 0));
  keys.forEach((k, i) => {
    if (DATE_NAMES.has(k) || (k === "" && i === 0)) assign(i, DATE);
    else if (k === "time") assign(i, hasDate ? TIME : DATE);
    else if (k in PRICE_ROLES) assign(i, PRICE_ROLES[k]);
    else roles[i] = SKIP;
  });
  for (const [role, what] of [[DATE, "date"], [OPEN, "open"], [HIGH, "high"], [LOW, "low"], [CLOSE, "close"]]) {
    if (roleName[role as number] === undefined) {
      throw new DataError({ file, line }, `missing column "${what}" in header "${raw}"`);
    }
  }
  return { names, roles, roleName, delimiter };
}

function nameOf(header: Header, field: BarField): string {
  return header.roleName[field === "ts" ? DATE : ROLE_FIELD.indexOf(field)] ?? field;
}

/**
 * A value of the row is NaN: throws, saying which field is unreadable and why. Lenient, an empty or "NaN" price is
 * a value the quality check reports, so it returns when that is all there is.
 */
function unreadable(
  fields: readonly string[],
  header: Header,
  file: string,
  line: number,
  maxPrice: number,
  lenient: boolean,
): void {
  for (let i = 0; i < fields.length; i++) {
    const role = header.roles[i];
    if (role === SKIP) continue;
    const raw = fields[i];
    const column = header.roleName[role];
    if (lenient && role >= OPEN && (raw.trim() === "" || isNonFiniteLiteral(raw))) continue;
    if (raw.trim() === "") throw new DataError({ file, line, column }, "value is empty");
    if (role === DATE && Number.isNaN(parseDateTime(raw, 0, raw.length))) {
      throw new DataError({ file, line, column }, `cannot parse date "${raw}"`);
    }
    if (role === TIME && Number.isNaN(parseTimeOfDay(raw, 0, raw.length))) {
      throw new DataError({ file, line, column }, `cannot parse time "${raw}"`);
    }
    if (role >= OPEN && Number.isNaN(parseNumber(raw, 0, raw.length)) && !isNonFiniteLiteral(raw)) {
      throw new DataError({ file, line, column }, `cannot parse number "${raw}"`);
    }
  }
  if (lenient) return;
  // Every field reads, so a value is NaN on purpose: barProblem words that.
  const values = fields.map((f) => parseNumber(f, 0, f.length));
  const at = (role: number) => values[header.roles.indexOf(role)] ?? 0;
  const problem = barProblem(at(OPEN), at(HIGH), at(LOW), at(CLOSE), at(VOLUME), maxPrice);
  throw new DataError({ file, line, column: problem && nameOf(header, problem.field) }, problem?.reason ?? "bad row");
}

export function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

export function isBlank(c: number): boolean {
  return c === 10 || c === 13 || c === 32 || c === 9;
}

/**
 * One row with quoted fields → its fields, unquoted (RFC 4180: `""` is a quote). A quoted number's thousands
 * separators go (`"1,234.5"` → `1234.5`): spreadsheets write numbers that way.
 */
function splitQuoted(row: string, delimiter: number, file: string, line: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (row.charCodeAt(i) === 32) i++;
    if (row.charCodeAt(i) === 34) {
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = row.indexOf('"', j);
        if (q < 0) throw new DataError({ file, line }, `a quoted field is not closed: ${row.slice(i)}`);
        value += row.slice(j, q);
        if (row.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      while (row.charCodeAt(j) === 32) j++;
      if (j < row.length && row.charCodeAt(j) !== delimiter) {
        const stop = row.indexOf(String.fromCharCode(delimiter), j);
        throw new DataError(
          { file, line },
          `text after the closing quote in ${row.slice(i, stop < 0 ? undefined : stop)}`,
        );
      }
      fields.push(THOUSANDS.test(value) ? value.replaceAll(",", "") : value);
      if (j >= row.length) return fields;
      i = j + 1;
    } else {
      let j = row.indexOf(String.fromCharCode(delimiter), i);
      if (j < 0) j = row.length;
      fields.push(row.slice(i, j));
      if (j >= row.length) return fields;
      i = j + 1;
    }
  }
}

const THOUSANDS = /^\s*[+-]?\d{1,3}(,\d{3})+(\.\d*)?\s*$/;

/** [ts, time of day, open, high, low, close, volume] from already split fields (the quoted-row path). */
function readFields(fields: readonly string[], roles: Int8Array): number[] {
  const v = [NaN, 0, NaN, NaN, NaN, NaN, 0];
  const n = Math.min(fields.length, roles.length);
  for (let i = 0; i < n; i++) {
    const f = fields[i];
    switch (roles[i]) {
      case DATE:
        v[0] = parseDateTime(f, 0, f.length);
        break;
      case TIME:
        v[1] = parseTimeOfDay(f, 0, f.length);
        break;
      case OPEN:
      case HIGH:
      case LOW:
      case CLOSE:
      case VOLUME:
        v[roles[i] - 1] = parseNumber(f, 0, f.length);
        break;
    }
  }
  return v;
}
