/**
 * The store's file reader. Two layouts are read leniently, so `check` can report their problems instead of the
 * import refusing them; every other CSV layout goes through backtest/data's strict parser:
 *
 * - freqtrade JSON (`<BASE>_<QUOTE>-<timeframe>.json`): `[[open_time_ms, open, high, low, close, volume], ...]`.
 *   Symbol and timeframe come from the file name: `ADA_BTC-5m.json` → `ADA/BTC`, `5m`.
 * - backtesting.py CSV: header `,Open,High,Low,Close,Volume`; the first column is the date (`YYYY-MM-DD` or
 *   `YYYY-MM-DD HH:MM[:SS]`, read as UTC). Symbol = file name (`GOOG.csv` → `GOOG`); timeframe inferred from the
 *   median spacing between rows unless given.
 *
 * A file is parsed whole before anything is stored, so a corrupt file stores nothing. Errors name the file and line.
 */
import { basename } from "node:path";
import { type Candles, candlesFromRows } from "./columns.ts";
import { parseTimeframe, type StoreTimeframe } from "./timeframe.ts";
import { TIMEFRAME_MS, TIMEFRAMES } from "../../actors/protocol/market.ts";
import { parseCsvColumns } from "../../backtest/data/csv.ts";

export type FileFormat = "freqtrade-json" | "backtesting-csv";

export interface CandleFile {
  readonly path: string;
  readonly format: FileFormat;
  readonly symbol: string;
  readonly timeframe: StoreTimeframe;
  /** In file order (checks look for duplicates and disorder before the store sorts them out). */
  readonly candles: Candles;
  /** 1-based line (CSV) or row (JSON) of each candle, for messages. */
  readonly lineOf: (index: number) => number;
}

export interface ReadOverrides {
  readonly symbol?: string;
  readonly timeframe?: string;
}

/** Thrown for a file that cannot be read as candles: says which file, where, and what is wrong. */
export class CandleFileError extends Error {
  override name = "CandleFileError";
}

export async function readCandleFile(path: string, overrides: ReadOverrides = {}): Promise<CandleFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new CandleFileError(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseCandleFile(path, text, overrides);
}

export function parseCandleFile(path: string, text: string, overrides: ReadOverrides = {}): CandleFile {
  const name = basename(path);
  if (/\.json$/i.test(name)) {
    const named = name.match(/^(.+)-([0-9]+[a-zA-Z]+)\.json$/i);
    const timeframe = parseTimeframe(
      overrides.timeframe ?? named?.[2] ?? "",
      overrides.timeframe ? "--timeframe" : path,
    );
    const symbol = overrides.symbol ?? (named?.[1] ?? name.replace(/\.json$/i, "")).replace("_", "/");
    const candles = parseFreqtradeJson(path, text);
    return { path, format: "freqtrade-json", symbol, timeframe, candles, lineOf: (i) => i + 1 };
  }
  if (/\.(csv|txt)$/i.test(name)) {
    const candles = isBacktestingLayout(text) ? parseBacktestingCsv(path, text) : parseOtherCsv(path, text);
    const timeframe = overrides.timeframe
      ? parseTimeframe(overrides.timeframe, "--timeframe")
      : inferTimeframe(path, candles.ts);
    const symbol = overrides.symbol ?? name.replace(/\.(csv|txt)$/i, "");
    return { path, format: "backtesting-csv", symbol, timeframe, candles, lineOf: (i) => i + 2 };
  }
  throw new CandleFileError(`Cannot import ${path}: unknown file type (expected a freqtrade .json or a .csv)`);
}

function isBacktestingLayout(text: string): boolean {
  const header = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0].split(",").map((h) => h.trim().toLowerCase());
  // backtesting.py's layout leaves the date column's name empty.
  return header.length === 6 && header[0] === "" && header.every((h, i) => i === 0 || h === CSV_HEADER[i]);
}

/**
 * Every other CSV layout the backtester reads (backtrader, Yahoo, Stock.Indicators, split date/time columns),
 * through backtest/data's parser. That parser is strict (duplicate or out-of-order rows are errors with a line
 * number), so such files are refused here rather than imported and reported by `check`.
 */
function parseOtherCsv(path: string, text: string): Candles {
  try {
    return parseCsvColumns(text, basename(path));
  } catch (error) {
    throw new CandleFileError(`Cannot import ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function parseFreqtradeJson(path: string, text: string): Candles {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (error) {
    throw new CandleFileError(`Cannot parse ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(rows)) throw new CandleFileError(`Cannot parse ${path}: expected a JSON array of candles`);
  rows.forEach((row, i) => {
    const ok = Array.isArray(row) && row.length >= 6 && row.slice(0, 6).every((v) => typeof v === "number");
    if (!ok) {
      const shown = JSON.stringify(row)?.slice(0, 80);
      throw new CandleFileError(
        `Cannot parse ${path} at row ${i + 1}: expected [open_time_ms, open, high, low, close, volume], got ${shown}`,
      );
    }
  });
  return candlesFromRows(rows as number[][]);
}

const CSV_HEADER = ["", "open", "high", "low", "close", "volume"];

export function parseBacktestingCsv(path: string, text: string): Candles {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  if (header.length !== 6 || header.some((h, i) => i > 0 && h !== CSV_HEADER[i])) {
    throw new CandleFileError(`Cannot parse ${path} at line 1: expected header ",Open,High,Low,Close,Volume"`);
  }
  const rows: number[][] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === "") continue;
    const where = `${path} at line ${n + 1}`;
    const fields = line.split(",");
    if (fields.length !== 6) {
      throw new CandleFileError(`Cannot parse ${where}: expected 6 fields, found ${fields.length}`);
    }
    const ts = parseDate(fields[0]);
    if (Number.isNaN(ts)) throw new CandleFileError(`Cannot parse ${where}: "${fields[0]}" is not a date`);
    const row = [ts];
    for (let k = 1; k < 6; k++) {
      const v = fields[k].trim();
      // "NaN" is a value a file may legitimately hold (the quality check reports it); anything else must be numeric.
      const num = v === "NaN" ? NaN : v === "" ? NaN : Number(v);
      if (Number.isNaN(num) && v !== "NaN") {
        throw new CandleFileError(`Cannot parse ${where}: ${header[k]} "${v}" is not a number`);
      }
      row.push(num);
    }
    rows.push(row);
  }
  return candlesFromRows(rows);
}

/** `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]`, UTC unless the text carries a zone. */
function parseDate(text: string): number {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) return NaN;
  const iso = t.replace(" ", "T");
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) || iso.length === 10 ? iso : `${iso}Z`);
}

/** The timeframe whose length is nearest the median spacing (a month for 28-31 days). */
export function inferTimeframe(path: string, ts: ArrayLike<number>): StoreTimeframe {
  const steps: number[] = [];
  for (let i = 1; i < ts.length; i++) if (ts[i] > ts[i - 1]) steps.push(ts[i] - ts[i - 1]);
  if (steps.length === 0) {
    throw new CandleFileError(`Cannot infer the timeframe of ${path}: too few rows; give --timeframe`);
  }
  const median = steps.sort((a, b) => a - b)[Math.floor(steps.length / 2)];
  const day = 86_400_000;
  if (median >= 28 * day && median <= 31 * day) return "1M";
  const exact = TIMEFRAMES.find((tf) => TIMEFRAME_MS[tf] === median);
  if (exact) return exact;
  throw new CandleFileError(
    `Cannot infer the timeframe of ${path}: rows are ${median / 60_000} minutes apart, which is no known timeframe; ` +
      `give --timeframe`,
  );
}
