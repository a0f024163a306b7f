/**
 * A CSV file → columns, read from its bytes a chunk at a time: the file is never one string (a 1M-row file is
 * ~64 MB), and most rows never become one either. Each row takes a fast path over the bytes (plain ASCII numbers,
 * ISO date-times, epochs) that gives exactly what csv.ts's `parseRows` gives; any row it does not take (a quote,
 * another date format, a long mantissa, non-ASCII text in a read column, a value that fails a rule) is decoded
 * and handed to `parseRows`, so results, warnings and errors are the string parser's, by construction.
 */
import { allocColumns, type ColumnBuffers, type Columns } from "./columns.ts";
import {
  CLOSE,
  DATE,
  finishRows,
  type HeaderAt,
  HIGH,
  LOW,
  OPEN,
  parseRows,
  readHeader,
  type RowState,
  startRows,
  TIME,
  VOLUME,
} from "./csv.ts";
import { dateMs, parseDateTime, parseTimeOfDay } from "./dates.ts";
import { DataError } from "./errors.ts";
import { parseNumber } from "./numbers.ts";
import type { BarLimits } from "./validate.ts";

/**
 * `parseCsvColumns` on a file. The columns are allocated for the rows the file's size suggests (grown if that
 * was short, trimmed at the end). `chunkBytes` is the read size (the buffer grows for a longer line).
 */
export async function readCsvColumns(
  path: string | URL,
  file: string,
  options: BarLimits & { readonly chunkBytes?: number } = {},
): Promise<Columns> {
  let buffer = new Uint8Array(Math.max(1, options.chunkBytes ?? 1 << 20));
  const f = await Deno.open(path);
  try {
    const size = (await f.stat()).size;
    let rows: RowState | undefined;
    let held = 0; // bytes of buffer[0, held) not parsed yet: a partial line, or the lines before the header
    let done = false;
    while (!done) {
      if (held === buffer.length) {
        const grown = new Uint8Array(buffer.length * 2);
        grown.set(buffer);
        buffer = grown;
      }
      const got = await f.read(buffer.subarray(held));
      if (got === null) done = true;
      else held += got;
      const bytes = buffer.subarray(0, held);
      let from = 0;
      if (rows === undefined) {
        const head = findHeader(bytes, file, done);
        // The header line is not complete yet (or only blank lines so far): read on.
        if (head === undefined) {
          if (done) throw new DataError({ file }, "file is empty");
          continue;
        }
        rows = startRows(head, estimateRows(bytes, head.end + 1, size), file, options);
        from = head.end + 1;
      }
      // Whole lines only; the last, partial one waits for the next chunk.
      const cut = done ? held : bytes.lastIndexOf(10) + 1;
      if (cut > from) parseByteRows(rows, bytes.subarray(0, cut), from);
      if (cut > 0) {
        buffer.copyWithin(0, cut, held);
        held -= cut;
      }
    }
    return finishRows(rows!);
  } finally {
    f.close();
  }
}

/**
 * Rows in a file of `size` bytes whose first chunk is `b`, from the lengths of that chunk's rows, a little over.
 * Blank lines do not count (a run of them would make the estimate huge); rows are at least 10 bytes
 * (`d,o,h,l,c\n`).
 */
function estimateRows(b: Uint8Array, from: number, size: number): number {
  let rows = 0, bytes = 0;
  for (let start = from, i = b.indexOf(10, from); i >= 0; start = i + 1, i = b.indexOf(10, start)) {
    if (i - start > 1) {
      rows++;
      bytes += i + 1 - start;
    }
  }
  const perRow = rows > 0 ? Math.max(10, bytes / rows) : 64;
  return Math.ceil(((size - from) / perRow) * 1.02) + 16;
}

// `ignoreBOM`: a BOM inside the file is text, as it is to the streaming decode of the whole file.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function decode(b: Uint8Array, start: number, end: number): string {
  return decoder.decode(b.subarray(start, end));
}

/** csv.ts's `findHeader` on the bytes: after a BOM (the decoder's, then findHeader's own) and blank lines. */
function findHeader(b: Uint8Array, file: string, whole: boolean): HeaderAt | undefined {
  let start = 0;
  for (let bom = 0; bom < 2 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf; bom++) start += 3;
  // A BOM cut by the chunk: wait for the rest.
  if (!whole && b.length - start < 3 && b[start] === 0xef) return undefined;
  while (start < b.length && isBlank(b[start])) start++;
  if (start >= b.length) return undefined;
  let end = b.indexOf(10, start);
  if (end < 0 && !whole) return undefined;
  if (end < 0) end = b.length;
  let line = 1;
  for (let i = b.indexOf(10); i >= 0 && i < start; i = b.indexOf(10, i + 1)) line++;
  return { header: readHeader(decode(b, start, end).replace(/\r$/, ""), file, line), end, line };
}

function isBlank(c: number): boolean {
  return c === 10 || c === 13 || c === 32 || c === 9;
}

/**
 * Reads the rows of `b` (whole lines) from `pos` into `rows`. The fast path finds a row's end by reading its
 * fields (no search for the newline first); a row it gives up on is found by its newline and goes to parseRows.
 */
function parseByteRows(rows: RowState, b: Uint8Array, pos: number): void {
  const { header, maxPrice, lenient } = rows;
  const { roles, delimiter } = header;
  const ncols = roles.length;
  let { buf, lines } = rows;
  let n = rows.n;
  let line = rows.line;
  let prevLine = rows.prevLine;
  const len = b.length;
  let quote = b.indexOf(34, pos);
  if (quote < 0) quote = len;
  while (pos < len) {
    line++;
    let c = b[pos];
    if (c === 10 || (c === 13 && (pos + 1 === len || b[pos + 1] === 10))) { // blank line: counted, skipped
      pos += c === 10 ? 1 : 2;
      continue;
    }
    if (quote < pos) {
      quote = b.indexOf(34, pos);
      if (quote < 0) quote = len;
    }
    v[DATE] = NaN;
    v[TIME] = 0;
    v[OPEN] =
      v[HIGH] =
      v[LOW] =
      v[CLOSE] =
        NaN;
    v[VOLUME] = 0;
    let col = 0;
    let next = -1; // the next row's start, once this one's end is found
    for (let fs = pos; col < ncols; col++) {
      // One call site per reader, values through `v`: the readers inline and no double is boxed.
      const role = roles[col];
      if (role >= OPEN) v[role] = numberAt(b, fs, len, delimiter);
      else if (role === DATE) v[DATE] = dateAt(b, fs, len, delimiter);
      else if (role === TIME) v[TIME] = timeOfDayAt(b, fs, len, delimiter);
      else skipField(b, fs, len, delimiter);
      c = b[fieldEnd];
      if (c === delimiter) {
        fs = fieldEnd + 1;
        continue;
      }
      if (col === ncols - 1) {
        if (fieldEnd === len) next = len;
        else if (c === 10) next = fieldEnd + 1;
        else if (c === 13 && b[fieldEnd + 1] === 10) next = fieldEnd + 2;
      }
      break;
    }
    const ts = v[DATE] + v[TIME], open = v[OPEN], high = v[HIGH], low = v[LOW], close = v[CLOSE], volume = v[VOLUME];
    if (
      next < 0 || quote < next ||
      ts !== ts || open !== open || high !== high || low !== low || close !== close || volume !== volume ||
      // The inline sound-bar and time-order tests of parseRows: a row failing one is worded there.
      (!lenient &&
        (!(low > 0 && high >= low && open >= low && open <= high && close >= low && close <= high &&
          high < Infinity && high <= maxPrice && volume >= 0 && volume < Infinity) ||
          (n > 0 && !(ts > buf.ts[n - 1]))))
    ) {
      let eol = b.indexOf(10, pos);
      if (eol < 0) eol = len;
      rows.n = n;
      rows.line = line - 1;
      rows.prevLine = prevLine;
      if (n === buf.ts.length) ({ buf, lines } = grow(rows));
      parseRows(rows, decode(b, pos, eol), 0);
      n = rows.n;
      line = rows.line;
      prevLine = rows.prevLine;
      pos = eol + 1;
      continue;
    }
    if (n === buf.ts.length) {
      rows.n = n;
      ({ buf, lines } = grow(rows));
    }
    if (lenient) lines![n] = line;
    buf.ts[n] = ts;
    buf.open[n] = open;
    buf.high[n] = high;
    buf.low[n] = low;
    buf.close[n] = close;
    buf.volume[n] = volume;
    n++;
    prevLine = line;
    pos = next;
  }
  rows.n = n;
  rows.line = line;
  rows.prevLine = prevLine;
}

/** More room for rows: the capacity is an estimate from the file's size. */
function grow(rows: RowState): { buf: ColumnBuffers; lines: Uint32Array | undefined } {
  const capacity = Math.ceil(rows.buf.ts.length * 1.25) + 1024;
  const buf = allocColumns(capacity);
  for (const k of ["ts", "open", "high", "low", "close", "volume"] as const) {
    buf[k].set(rows.buf[k].subarray(0, rows.n));
  }
  rows.buf = buf;
  if (rows.lines) {
    const lines = new Uint32Array(capacity);
    lines.set(rows.lines.subarray(0, rows.n));
    rows.lines = lines;
  }
  return { buf, lines: rows.lines };
}

// The values of the row being read, by role.
const v = new Float64Array(8);

// Where the field just read ends (its delimiter, or the row's end): a module-level cursor, no result object.
let fieldEnd = 0;

/** Sets `fieldEnd` to the end of the field at `i`: its delimiter, or its line's end (before a CR LF's CR). */
function skipField(b: Uint8Array, i: number, end: number, delimiter: number): void {
  const start = i;
  for (; i < end; i++) {
    const c = b[i];
    if (c === delimiter) break;
    if (c === 10) {
      if (i > start && b[i - 1] === 13) i--;
      break;
    }
  }
  fieldEnd = i;
}

/** A fast-path value stops at `i`: the field must end there (the row loop checks which end it is). */
function stops(b: Uint8Array, i: number, end: number, delimiter: number): boolean {
  if (i === end) return true;
  const c = b[i];
  return c === delimiter || c === 10 || c === 13;
}

const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * numbers.ts's `parseNumber` fast path on the bytes (a mantissa below 2^53 over an exact power of ten is one
 * correctly rounded division, so bit-identical to `Number`); anything else is decoded and given to parseNumber.
 */
function numberAt(b: Uint8Array, start: number, end: number, delimiter: number): number {
  let i = start;
  const c = b[i];
  const negative = c === 45; // '-'
  if (negative || c === 43) i++; // '+'
  // Nine digits or fewer (prices, volumes) fit an int32: integer arithmetic, a shorter dependency chain than
  // doubles. A longer mantissa is read again as doubles by numberLong.
  const first = i;
  let mantissa = 0;
  for (; i < end; i++) {
    const d = b[i] - 48;
    if (d >>> 0 > 9) break;
    mantissa = (mantissa * 10 + d) | 0;
  }
  const digits = i - first;
  let scale = 0;
  if (i < end && b[i] === 46) { // '.'
    const dot = ++i;
    for (; i < end; i++) {
      const d = b[i] - 48;
      if (d >>> 0 > 9) break;
      mantissa = (mantissa * 10 + d) | 0;
    }
    scale = i - dot;
  }
  if (digits + scale > 9) return numberLong(b, start, end, delimiter);
  if (digits + scale === 0 || !stops(b, i, end, delimiter)) return numberSlow(b, start, end, delimiter);
  fieldEnd = i;
  const value = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -value : value;
}

/** `numberAt` for mantissas of more than nine digits: as parseNumber's fast path, in doubles. */
function numberLong(b: Uint8Array, start: number, end: number, delimiter: number): number {
  let i = start;
  const c = b[i];
  const negative = c === 45; // '-'
  if (negative || c === 43) i++; // '+'
  let mantissa = 0;
  let digits = 0;
  for (; i < end; i++) {
    const d = b[i] - 48;
    if (d >>> 0 > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
  }
  let scale = 0;
  if (i < end && b[i] === 46) { // '.'
    for (i++; i < end; i++) {
      const d = b[i] - 48;
      if (d >>> 0 > 9) break;
      mantissa = mantissa * 10 + d;
      scale++;
    }
  }
  if (stops(b, i, end, delimiter) && digits + scale > 0 && mantissa <= Number.MAX_SAFE_INTEGER && scale <= 22) {
    fieldEnd = i;
    const value = scale === 0 ? mantissa : mantissa / POW10[scale];
    return negative ? -value : value;
  }
  return numberSlow(b, start, end, delimiter);
}

/** Kept out of `numberAt`, so that stays small enough to inline. */
function numberSlow(b: Uint8Array, start: number, end: number, delimiter: number): number {
  skipField(b, start, end, delimiter);
  const text = decode(b, start, fieldEnd);
  return parseNumber(text, 0, text.length);
}

// The last YYYY-MM-DD read and its day: consecutive intraday bars share their date, so most rows skip the calendar.
// The dashes are checked, so the date's eight digits are the key (0 matches no date: its bytes are digits).
let lastHi = 0, lastMid = 0, lastDay = NaN;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * dates.ts's `parseDateTime` on the bytes for `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:mm[:ss]`
 * with an optional `Z`, and for integer epochs; other forms are decoded and given to parseDateTime.
 */
function dateAt(b: Uint8Array, start: number, end: number, delimiter: number): number {
  if (start + 10 <= end && b[start + 4] === 45 && b[start + 7] === 45) {
    // The 10 bytes as three integers: one comparison each instead of ten byte comparisons.
    const hi = (b[start] << 24 | b[start + 1] << 16 | b[start + 2] << 8 | b[start + 3]) >>> 0;
    const mid = (b[start + 5] << 24 | b[start + 6] << 16 | b[start + 8] << 8 | b[start + 9]) >>> 0;
    let same = hi === lastHi && mid === lastMid;
    if (
      !same && isDigit(b[start]) && isDigit(b[start + 1]) && isDigit(b[start + 2]) && isDigit(b[start + 3]) &&
      isDigit(b[start + 5]) && isDigit(b[start + 6]) && isDigit(b[start + 8]) && isDigit(b[start + 9])
    ) {
      const year = (b[start] - 48) * 1000 + (b[start + 1] - 48) * 100 + (b[start + 2] - 48) * 10 + b[start + 3] - 48;
      const month = (b[start + 5] - 48) * 10 + b[start + 6] - 48;
      const day = (b[start + 8] - 48) * 10 + b[start + 9] - 48;
      lastHi = hi;
      lastMid = mid;
      lastDay = dateMs(year, month, day);
      same = true;
    }
    if (same) {
      const i = start + 10;
      if (stops(b, i, end, delimiter)) {
        fieldEnd = i;
        return lastDay;
      }
      const c = b[i];
      if (c === 84 || c === 32) { // 'T' | ' '
        const ms = timeAt(b, i + 1, end, delimiter);
        if (ms >= 0) return lastDay + ms;
      }
    }
  } else {
    // An integer epoch of at most 15 digits is exact as a double, as Number() reads it.
    let value = 0;
    let i = start;
    for (; i < end && i - start < 16; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
    }
    if (i > start && i - start <= 15 && stops(b, i, end, delimiter)) {
      fieldEnd = i;
      return value >= 1e11 ? value : value * 1000;
    }
  }
  return dateSlow(b, start, end, delimiter);
}

function dateSlow(b: Uint8Array, start: number, end: number, delimiter: number): number {
  skipField(b, start, end, delimiter);
  const text = decode(b, start, fieldEnd);
  return parseDateTime(text, 0, text.length);
}

/** A separate time column: `HH:mm[:ss][Z]` on the bytes, else decoded and given to parseTimeOfDay. */
function timeOfDayAt(b: Uint8Array, start: number, end: number, delimiter: number): number {
  const ms = timeAt(b, start, end, delimiter);
  if (ms >= 0) return ms;
  skipField(b, start, end, delimiter);
  const text = decode(b, start, fieldEnd);
  return parseTimeOfDay(text, 0, text.length);
}

/**
 * `HH:mm[:ss]`, then optionally `Z`, up to the field's end: milliseconds since midnight, setting `fieldEnd`; -1
 * for anything else (one-digit hours, fractions, offsets, spaces, out-of-range values), which the caller decodes.
 */
function timeAt(b: Uint8Array, i: number, end: number, delimiter: number): number {
  if (
    i + 5 > end || !isDigit(b[i]) || !isDigit(b[i + 1]) || b[i + 2] !== 58 || !isDigit(b[i + 3]) ||
    !isDigit(b[i + 4])
  ) {
    return -1;
  }
  const hour = (b[i] - 48) * 10 + b[i + 1] - 48;
  const minute = (b[i + 3] - 48) * 10 + b[i + 4] - 48;
  if (hour > 23 || minute > 59) return -1;
  let ms = (hour * 60 + minute) * 60_000;
  let j = i + 5;
  if (j < end && b[j] === 58) {
    if (j + 3 > end || !isDigit(b[j + 1]) || !isDigit(b[j + 2])) return -1;
    const second = (b[j + 1] - 48) * 10 + b[j + 2] - 48;
    if (second > 59) return -1;
    ms += second * 1000;
    j += 3;
  }
  if (j < end && b[j] === 90) j++; // 'Z'
  if (!stops(b, j, end, delimiter)) return -1;
  fieldEnd = j;
  return ms;
}
