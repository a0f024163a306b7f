/**
 * JSON candle arrays `[[open_time_ms, open, high, low, close, volume], ...]` (ccxt `fetchOHLCV`, freqtrade's
 * data files) → columnar bars. Volume may be left out (5 values). Times are UTC epoch ms; as in CSV, values below
 * 1e11 are taken as epoch seconds.
 *
 * JSON has no meaningful lines (a file may be one line), so errors are located by candle: "line" in DataError is the
 * 1-based candle index, its `unit` is "candle", and the message says `candle 12` instead of `line 12`.
 */
import type { BarSeries, Timeframe } from "../../actors/protocol/mod.ts";
import { allocColumns, type Columns, finishColumns, toSeries } from "./columns.ts";
import { DataError } from "./errors.ts";
import { type BarLimits, barProblem, orderProblem } from "./validate.ts";
import type { ParseOptions } from "./csv.ts";

export interface JsonOptions extends BarLimits {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Name used in error messages, usually the file's base name. */
  readonly file?: string;
}

/** Column names used in messages, after ccxt's OHLCV field names. */
const NAMES = ["timestamp", "open", "high", "low", "close", "volume"] as const;

export function parseJsonCandles(text: string, options: JsonOptions): BarSeries {
  return toSeries(parseJsonColumns(text, options.file, options), options.symbol, options.timeframe);
}

/** Parses without naming the series, for callers (loadBars) that infer the timeframe from the timestamps. */
export function parseJsonColumns(text: string, file = "input.json", limits: ParseOptions = {}): Columns {
  if (text.trim() === "") throw new DataError({ file }, "file is empty");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DataError({ file }, `not valid JSON: ${(e as Error).message}`);
  }
  return candlesToColumns(data, file, limits);
}

/** Validates already-parsed candles (e.g. straight from ccxt) into columns; `lenient` as in csv.ts. */
export function candlesToColumns(data: unknown, file = "input.json", limits: ParseOptions = {}): Columns {
  if (!Array.isArray(data)) throw new DataError({ file }, "expected a JSON array of candles");
  if (data.length === 0) throw new DataError({ file }, "no candles");
  const buf = allocColumns(data.length);
  for (let i = 0; i < data.length; i++) {
    const line = i + 1;
    const candle: unknown = data[i];
    if (!Array.isArray(candle) || (candle.length !== 5 && candle.length !== 6)) {
      const found = Array.isArray(candle) ? `${candle.length} values` : JSON.stringify(candle);
      throw new DataError(
        { file, line, unit: "candle" },
        `expected [timestamp, open, high, low, close, volume], found ${found}`,
      );
    }
    for (let j = 0; j < candle.length; j++) {
      if (typeof candle[j] !== "number") {
        const column = NAMES[j];
        throw new DataError(
          { file, line, column, unit: "candle" },
          `expected a number, found ${JSON.stringify(candle[j])}`,
        );
      }
    }
    const [rawTs, open, high, low, close] = candle as number[];
    const volume = candle.length === 6 ? candle[5] as number : 0;
    const problem = limits.lenient ? undefined : barProblem(open, high, low, close, volume, limits.maxPrice);
    if (problem !== undefined) {
      throw new DataError({ file, line, column: problem.field, unit: "candle" }, problem.reason);
    }
    if (!Number.isFinite(rawTs) || rawTs < 0) {
      throw new DataError(
        { file, line, column: "timestamp", unit: "candle" },
        `timestamp ${rawTs} is not a valid epoch`,
      );
    }
    const ts = rawTs >= 1e11 ? rawTs : rawTs * 1000;
    if (i > 0 && !limits.lenient) {
      const reason = orderProblem(buf.ts[i - 1], ts, `candle ${i}`);
      if (reason !== undefined) throw new DataError({ file, line, column: "timestamp", unit: "candle" }, reason);
    }
    buf.ts[i] = ts;
    buf.open[i] = open;
    buf.high[i] = high;
    buf.low[i] = low;
    buf.close[i] = close;
    buf.volume[i] = volume;
  }
  return finishColumns(buf, data.length);
}
