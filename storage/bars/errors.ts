/** A data file that cannot become bars, located so the user can open the file at the right place. */

/** CSV rows are counted as "line" (header = line 1); JSON candles as "candle" and ticks as "tick" (first = 1). */
export type LocationUnit = "line" | "candle" | "tick";

export interface DataErrorLocation {
  readonly file: string;
  /** 1-based line (CSV) or candle index (JSON); absent for whole-file problems such as an empty file. */
  readonly line?: number;
  /** The column's header name as written in the file (JSON: open, high, ...); absent when no single column is at fault. */
  readonly column?: string;
  readonly unit?: LocationUnit;
}

/** Example message: `GOOG.csv line 12, column "High": high 101.2 is below low 102.5`. */
export class DataError extends Error {
  override readonly name = "DataError";
  readonly file: string;
  readonly line: number | undefined;
  readonly column: string | undefined;
  readonly unit: LocationUnit;
  readonly reason: string;

  constructor(where: DataErrorLocation, reason: string) {
    super(formatMessage(where, reason));
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.unit = where.unit ?? "line";
    this.reason = reason;
  }
}

function formatMessage(where: DataErrorLocation, reason: string): string {
  let place = where.file;
  if (where.line !== undefined) place += ` ${where.unit ?? "line"} ${where.line}`;
  if (where.column !== undefined) place += `, column "${where.column}"`;
  return `${place}: ${reason}`;
}

/** Timestamps in messages: a bare date when at midnight (daily data), else ISO without zero milliseconds. */
export function formatTs(ts: number): string {
  if (!Number.isFinite(ts) || Math.abs(ts) > 8.64e15) return String(ts);
  const iso = new Date(ts).toISOString();
  if (iso.endsWith("T00:00:00.000Z")) return iso.slice(0, 10);
  return iso.endsWith(".000Z") ? iso.slice(0, 19) + "Z" : iso;
}
