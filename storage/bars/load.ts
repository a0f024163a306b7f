/**
 * One call from a file to validated bars: sniff the format, name the series, infer what the file does not say,
 * and report gaps. Throws `DataError` for data that cannot be bars; anything merely suspicious is a warning.
 */
import { type BarSeries, isTimeframe, type Timeframe, TIMEFRAME_MS } from "../../actors/protocol/mod.ts";
import { type Columns, toSeries } from "./columns.ts";
import { parseCsvColumns } from "./csv.ts";
import { readCsvColumns } from "./csv_read.ts";
import { DataError } from "./errors.ts";
import { type Calendar, findGaps, type Gap, inferCalendar } from "./gaps.ts";
import { parseJsonColumns } from "./json.ts";
import { formatDuration, medianSpacing, nearestTimeframe } from "./timeframe.ts";
import type { BarLimits } from "./validate.ts";

export interface LoadOptions extends BarLimits {
  /** Default: from the file name (see `nameFromFile`). */
  readonly symbol?: string;
  /** Default: from a freqtrade-style file name (`ADA_BTC-5m.json`), else the nearest to the median bar spacing. */
  readonly timeframe?: Timeframe;
  /** Default: inferred, see `inferCalendar` in gaps.ts. */
  readonly calendar?: Calendar;
}

export interface LoadResult {
  readonly series: BarSeries;
  readonly gaps: readonly Gap[];
  readonly warnings: readonly string[];
  /** The calendar the gaps were judged by. */
  readonly calendar: Calendar;
}

/**
 * Reads a .csv/.txt (CSV) or .json (candle array) file; other extensions are sniffed from the first character.
 * CSV files named so are read a chunk at a time, never as one string.
 */
export async function loadBars(path: string | URL, options: LoadOptions = {}): Promise<LoadResult> {
  const p = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  const file = p.slice(p.lastIndexOf("/") + 1);
  if (CSV_EXTENSIONS.has(extension(file))) return fromColumns(await readCsvColumns(path, file, options), file, options);
  return parseBars(await Deno.readTextFile(path), file, options);
}

/** `loadBars` without the I/O: `file` is the file's base name, used for the format, the names and messages. */
export function parseBars(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const columns = isJson(text, file) ? parseJsonColumns(text, file, options) : parseCsvColumns(text, file, options);
  return fromColumns(columns, file, options);
}

function fromColumns(columns: Columns, file: string, options: LoadOptions): LoadResult {
  const named = nameFromFile(file);
  const warnings: string[] = [];
  const spacing = medianSpacing(columns.ts, columns.length);
  const timeframe = options.timeframe ?? named.timeframe ?? guessTimeframe(spacing, file);
  const fits = spacing / TIMEFRAME_MS[timeframe];
  if (fits < 0.9 || fits > 1.1) {
    warnings.push(
      `median bar spacing ${formatDuration(spacing)} does not match timeframe ${timeframe}; gaps are not reported`,
    );
  }
  const series = toSeries(columns, options.symbol ?? named.symbol, timeframe);
  const calendar = options.calendar ?? inferCalendar(series);
  const gaps = fits >= 0.9 && fits <= 1.1 ? findGaps(series, { calendar }) : [];
  warnings.push(...alignmentWarnings(columns, timeframe));
  return { series, gaps, warnings, calendar };
}

/**
 * Symbol and timeframe from a file name. Freqtrade names its files `BASE_QUOTE-TIMEFRAME` (`ADA_BTC-5m.json`):
 * that gives symbol "ADA/BTC" and timeframe "5m". Any other name is the symbol as is, minus its extension
 * (`GOOG.csv` → "GOOG").
 */
export function nameFromFile(file: string): { symbol: string; timeframe?: Timeframe } {
  const base = file.replace(/\.[^.]*$/, "");
  const dash = base.lastIndexOf("-");
  const suffix = base.slice(dash + 1);
  if (dash > 0 && isTimeframe(suffix)) {
    const pair = base.slice(0, dash);
    const symbol = /^[A-Za-z0-9]+_[A-Za-z0-9]+$/.test(pair) ? pair.replace("_", "/") : pair;
    return { symbol, timeframe: suffix };
  }
  return { symbol: base };
}

function guessTimeframe(spacing: number, file: string): Timeframe {
  if (!(spacing > 0)) throw new DataError({ file }, "cannot infer the timeframe from a single bar; pass a timeframe");
  return nearestTimeframe(spacing).timeframe;
}

const CSV_EXTENSIONS = new Set(["csv", "txt", "tsv"]);

function extension(file: string): string {
  return file.slice(file.lastIndexOf(".") + 1).toLowerCase();
}

function isJson(text: string, file: string): boolean {
  const ext = extension(file);
  if (ext === "json") return true;
  if (CSV_EXTENSIONS.has(ext)) return false;
  return text.trimStart().startsWith("[");
}

/**
 * Intraday bars whose times are not multiples of their timeframe would be bucketed differently by `resample` and
 * by an exchange: worth saying. Daily and longer bars are often stamped at a session's local open, so not checked.
 */
function alignmentWarnings(columns: Columns, timeframe: Timeframe): string[] {
  const step = TIMEFRAME_MS[timeframe];
  if (step >= 86_400_000) return [];
  let off = 0;
  for (let i = 0; i < columns.length; i++) {
    // `t % step !== 0` without fmod (slow on doubles): the multiple of step below t is exact while |t| + step
    // < 2^53, so it equals t exactly when t is a multiple. Beyond that (and for NaN), `%` itself.
    const t = columns.ts[i];
    if (Math.abs(t) < 2 ** 52 ? t - Math.floor(t / step) * step !== 0 : t % step !== 0) off++;
  }
  return off === 0 ? [] : [`${off} of ${columns.length} bar times are not multiples of ${timeframe}`];
}
