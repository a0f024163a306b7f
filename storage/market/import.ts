/**
 * The store's file reader, on the one bar loader (storage/bars): every layout it reads (freqtrade/ccxt JSON, the
 * backtesting.py, backtrader, Yahoo and Stock.Indicators CSV layouts, quoted fields), read leniently so that
 * `data check` can report every problem of a file (bad values, disorder, duplicates) instead of the first one.
 *
 * - JSON (`<BASE>_<QUOTE>-<timeframe>.json`, freqtrade's names): symbol and timeframe from the file name:
 *   `ADA_BTC-5m.json` → `ADA/BTC`, `5m`.
 * - CSV (.csv, .txt): symbol = file name (`GOOG.csv` → `GOOG`); timeframe inferred from the median spacing between
 *   rows unless given.
 *
 * A file is parsed whole before anything is stored, so a corrupt file stores nothing. Errors name the file and line.
 */
import { basename } from "node:path";
import type { Candles } from "./columns.ts";
import { parseTimeframe, type StoreTimeframe } from "./timeframe.ts";
import { TIMEFRAME_MS, TIMEFRAMES } from "../../actors/protocol/market.ts";
import { DataError, parseCsvColumns, parseJsonColumns } from "../bars/mod.ts";

export type FileFormat = "json" | "csv";

export interface CandleFile {
  readonly path: string;
  readonly format: FileFormat;
  readonly symbol: string;
  readonly timeframe: StoreTimeframe;
  /** In file order (checks look for duplicates and disorder before the store sorts them out). */
  readonly candles: Candles;
  /** Where candle `index` is in the file, for messages: "line 12" (CSV) or "candle 12" (JSON). */
  readonly placeOf: (index: number) => string;
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
    const candles = read(() => parseJsonColumns(text, path, { lenient: true }));
    return { path, format: "json", symbol, timeframe, candles, placeOf: (i) => `candle ${i + 1}` };
  }
  if (/\.(csv|txt)$/i.test(name)) {
    const candles = read(() => parseCsvColumns(text, path, { lenient: true }));
    const timeframe = overrides.timeframe
      ? parseTimeframe(overrides.timeframe, "--timeframe")
      : inferTimeframe(path, candles.ts);
    const symbol = overrides.symbol ?? name.replace(/\.(csv|txt)$/i, "");
    return { path, format: "csv", symbol, timeframe, candles, placeOf: (i) => `line ${candles.lines[i]}` };
  }
  throw new CandleFileError(`Cannot import ${path}: unknown file type (expected a .json, .csv or .txt)`);
}

/** The loader's located DataError, as this module's error (the CLI reports it and goes on with the next file). */
function read<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    // The message starts with the path and the place: `Cannot import data/GOOG.csv line 3, column "High": …`.
    if (error instanceof DataError) throw new CandleFileError(`Cannot import ${error.message}`, { cause: error });
    throw error;
  }
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
