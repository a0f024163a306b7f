/** Growing the columnar arrays of a BarSeries while a parser fills them. */
import type { BarSeries, Timeframe } from "../../actors/protocol/mod.ts";

/** A BarSeries before it is named: parsers produce these, `toSeries` gives them a symbol and timeframe. */
export type Columns = Omit<BarSeries, "symbol" | "timeframe">;

export interface ColumnBuffers {
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Parsers count rows first, so one allocation per column suffices. */
export function allocColumns(capacity: number): ColumnBuffers {
  return {
    ts: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
  };
}

/** Trims the buffers to the rows actually filled (blank lines make capacity an overestimate). */
export function finishColumns(buf: ColumnBuffers, length: number): Columns {
  const fit = (a: Float64Array) => (a.length === length ? a : a.slice(0, length));
  return {
    length,
    ts: fit(buf.ts),
    open: fit(buf.open),
    high: fit(buf.high),
    low: fit(buf.low),
    close: fit(buf.close),
    volume: fit(buf.volume),
  };
}

export function toSeries(cols: Columns, symbol: string, timeframe: Timeframe): BarSeries {
  return {
    symbol,
    timeframe,
    length: cols.length,
    ts: cols.ts,
    open: cols.open,
    high: cols.high,
    low: cols.low,
    close: cols.close,
    volume: cols.volume,
  };
}
