/** The candle store: candles keyed by (venue, symbol, timeframe, open time), written by upsert, read as columns. */
import type { Kysely } from "kysely";
import type { BarSeries, Timeframe } from "../../actors/protocol/market.ts";
import type { Schema } from "../schema.ts";
import { allocCandles, type Candles, sliceCandles } from "./columns.ts";
import { findGaps, type Gap, type StoreTimeframe } from "./timeframe.ts";

export interface SeriesKey {
  readonly venue: string;
  readonly symbol: string;
  readonly timeframe: StoreTimeframe;
}

/** Half-open: `from` inclusive, `to` exclusive, both open times in epoch ms. Either may be absent. */
export interface TimeRange {
  readonly from?: number;
  readonly to?: number;
}

export interface UpsertOptions {
  /** Rows per transaction: what a crash can lose at most. Default 5000. */
  readonly batch?: number;
  /** Called after each committed transaction with the number of candles committed so far. */
  readonly onCommit?: (committed: number) => void;
}

// 9 bound parameters per row; 500 rows keep a statement under SQLite's and PostgreSQL's limits.
const ROWS_PER_STATEMENT = 500;

/** Inserts or replaces candles; returns how many were written. Each batch is one transaction. */
export async function upsertCandles(
  db: Kysely<Schema>,
  key: SeriesKey,
  candles: Candles,
  options: UpsertOptions = {},
): Promise<number> {
  const batch = options.batch ?? 5000;
  let committed = 0;
  for (let start = 0; start < candles.length; start += batch) {
    const part = sliceCandles(candles, start, start + batch);
    await db.transaction().execute((tx) => writeCandles(tx, key, part));
    committed += part.length;
    options.onCommit?.(committed);
  }
  return committed;
}

/** Upserts candles with the given executor: inside the caller's transaction when given one. */
export async function writeCandles(db: Kysely<Schema>, key: SeriesKey, part: Candles): Promise<void> {
  for (let i = 0; i < part.length; i += ROWS_PER_STATEMENT) {
    const rows = [];
    for (let k = i; k < Math.min(i + ROWS_PER_STATEMENT, part.length); k++) {
      rows.push({
        venue: key.venue,
        symbol: key.symbol,
        timeframe: key.timeframe,
        ts: part.ts[k],
        open: part.open[k],
        high: part.high[k],
        low: part.low[k],
        close: part.close[k],
        volume: part.volume[k],
      });
    }
    await db.insertInto("candles").values(rows)
      .onConflict((oc) =>
        oc.columns(["venue", "symbol", "timeframe", "ts"]).doUpdateSet((eb) => ({
          open: eb.ref("excluded.open"),
          high: eb.ref("excluded.high"),
          low: eb.ref("excluded.low"),
          close: eb.ref("excluded.close"),
          volume: eb.ref("excluded.volume"),
        }))
      )
      .execute();
  }
}

function inRange(db: Kysely<Schema>, key: SeriesKey, range: TimeRange) {
  let q = db.selectFrom("candles")
    .where("venue", "=", key.venue).where("symbol", "=", key.symbol).where("timeframe", "=", key.timeframe);
  if (range.from !== undefined) q = q.where("ts", ">=", range.from);
  if (range.to !== undefined) q = q.where("ts", "<", range.to);
  return q;
}

/** Candles of one series in time order. */
export async function readCandles(db: Kysely<Schema>, key: SeriesKey, range: TimeRange = {}): Promise<Candles> {
  const rows = await inRange(db, key, range).select(["ts", "open", "high", "low", "close", "volume"]).orderBy("ts")
    .execute();
  const c = allocCandles(rows.length);
  rows.forEach((r, i) => {
    c.ts[i] = Number(r.ts), c.open[i] = r.open, c.high[i] = r.high;
    c.low[i] = r.low, c.close[i] = r.close, c.volume[i] = r.volume;
  });
  return c;
}

/** The backtest's view: a protocol `BarSeries` (fixed timeframes only). */
export async function queryCandles(
  db: Kysely<Schema>,
  key: SeriesKey & { readonly timeframe: Timeframe },
  range: TimeRange = {},
): Promise<BarSeries> {
  const c = await readCandles(db, key, range);
  return { symbol: key.symbol, timeframe: key.timeframe, ...c };
}

/** Open times of stored candles, in order. */
export async function readTimestamps(db: Kysely<Schema>, key: SeriesKey, range: TimeRange = {}): Promise<number[]> {
  const rows = await inRange(db, key, range).select("ts").orderBy("ts").execute();
  return rows.map((r) => Number(r.ts));
}

/** Runs of missing candles between the first and last stored candle within `range`. */
export async function listGaps(db: Kysely<Schema>, key: SeriesKey, range: TimeRange = {}): Promise<Gap[]> {
  return findGaps(await readTimestamps(db, key, range), key.timeframe);
}

export interface SeriesInfo extends SeriesKey {
  readonly count: number;
  /** Open time of the first and last candle. */
  readonly first: number;
  readonly last: number;
}

export async function listSeries(db: Kysely<Schema>): Promise<SeriesInfo[]> {
  const rows = await db.selectFrom("candles")
    .select(["venue", "symbol", "timeframe"])
    .select((eb) => [eb.fn.countAll().as("count"), eb.fn.min("ts").as("first"), eb.fn.max("ts").as("last")])
    .groupBy(["venue", "symbol", "timeframe"])
    .orderBy("venue").orderBy("symbol").orderBy("timeframe")
    .execute();
  return rows.map((r) => ({
    venue: r.venue,
    symbol: r.symbol,
    timeframe: r.timeframe as StoreTimeframe,
    count: Number(r.count),
    first: Number(r.first),
    last: Number(r.last),
  }));
}

export async function countCandles(db: Kysely<Schema>, key: SeriesKey, range: TimeRange = {}): Promise<number> {
  const row = await inRange(db, key, range).select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
  return Number(row?.n ?? 0);
}
