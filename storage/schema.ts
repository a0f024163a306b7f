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

/** A backtest job of the operator API (cli/backtest_jobs/). */
export interface BacktestJobsTable {
  id: string;
  /** queued | running | done | failed | cancelled | interrupted */
  status: string;
  /** The checked options, JSON. */
  options: string;
  requested_by: string;
  reason: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  bars_done: number;
  bars_total: number;
  error: string | null;
  out_dir: string;
}

export interface Schema {
  journal_events: JournalEventsTable;
  journal_snapshots: JournalSnapshotsTable;
  candles: CandlesTable;
  candle_coverage: CandleCoverageTable;
  backtest_jobs: BacktestJobsTable;
}
