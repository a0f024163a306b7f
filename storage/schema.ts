/** Table types for kysely. Times are epoch milliseconds (UTC); payloads and snapshots are JSON text. */
import type { Generated } from "kysely";

export interface JournalEventsTable {
  seq: Generated<number>;
  event_id: string;
  stream: string;
  type: string;
  ts: number;
  payload: string;
}

export interface JournalSnapshotsTable {
  actor: string;
  seq: number;
  data: string;
}

export interface CandlesTable {
  venue: string;
  symbol: string;
  timeframe: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Time ranges already asked of a venue, so a hole the venue itself has is not asked for again. */
export interface CandleCoverageTable {
  venue: string;
  symbol: string;
  timeframe: string;
  start_ts: number;
  end_ts: number;
}

export interface Schema {
  journal_events: JournalEventsTable;
  journal_snapshots: JournalSnapshotsTable;
  candles: CandlesTable;
  candle_coverage: CandleCoverageTable;
}
