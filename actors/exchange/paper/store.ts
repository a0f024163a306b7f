/**
 * The paper venue's SQLite file. A transaction appends what it did and touches only what changed, so its cost does
 * not grow with the venue's history:
 * - `venue_inputs`: each request that changed the matching engine (submit, cancel, bar), in order;
 * - `venue_checkpoint`: the engine's state after input `n` (open orders, ledgers, last bars: bounded), rewritten
 *   every `checkpointEvery` inputs, when the inputs it covers are deleted; recovery = checkpoint + the inputs after;
 * - `venue_orders`: one row per order, its latest report, upserted when the order changes (open ones are indexed:
 *   they are what a restart loads; closed ones stay on disk only, for dedupe and reconciliation);
 * - `venue_submits`: every submit received, duplicates included (tests prove from it that none was sent twice).
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import type { OrderReport } from "../venue.ts";
import { decode, encode, type LegacyBook } from "./mapping.ts";

export interface StoredState {
  /** The engine state (encoded) after input `n`; undefined for a new venue. */
  readonly checkpoint: { readonly n: number; readonly sim: string } | undefined;
  /** Inputs after the checkpoint, oldest first (encoded). */
  readonly inputs: readonly { readonly n: number; readonly input: string }[];
  readonly open: readonly OrderReport[];
}

/** One atomic write: everything a venue request changed. */
export interface StoreWrite {
  /** The request, when it changed the engine: input number and its encoding. */
  readonly input?: { readonly n: number; readonly input: string };
  /** Reports of the orders it touched. */
  readonly reports: readonly OrderReport[];
  /** A submit received (logged even when deduplicated). */
  readonly submit?: { readonly clientOrderId: string; readonly ts: number };
  /** A compacted checkpoint after input `n`: the inputs it covers are deleted. */
  readonly checkpoint?: { readonly n: number; readonly sim: string };
}

export interface PaperStore {
  load(): StoredState;
  write(w: StoreWrite): void;
  /** One order's latest report (closed ones included); undefined when the venue never saw it. */
  report(clientOrderId: string): OrderReport | undefined;
  submits(): { total: number; distinct: number };
  /** Rows changed and bytes of JSON written since the store opened (tests: a request's cost stays constant). */
  written(): { readonly rows: number; readonly bytes: number };
  close(): void;
}

const SCHEMA = `PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
  CREATE TABLE IF NOT EXISTS venue_submits (n INTEGER PRIMARY KEY AUTOINCREMENT, client_order_id TEXT NOT NULL,
    ts INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS venue_orders (client_order_id TEXT PRIMARY KEY, open INTEGER NOT NULL,
    report TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS venue_orders_open ON venue_orders (open) WHERE open = 1;
  CREATE TABLE IF NOT EXISTS venue_inputs (n INTEGER PRIMARY KEY, input TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS venue_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL,
    sim TEXT NOT NULL);`;

export function openPaperStore(path: string): PaperStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(SCHEMA);
  migrateLegacyBook(db);
  const q = (sql: string): StatementSync => db.prepare(sql);
  const insertInput = q("INSERT INTO venue_inputs (n, input) VALUES (?, ?)");
  const upsertOrder = q(`INSERT INTO venue_orders (client_order_id, open, report) VALUES (?, ?, ?)
    ON CONFLICT (client_order_id) DO UPDATE SET open = excluded.open, report = excluded.report`);
  const insertSubmit = q("INSERT INTO venue_submits (client_order_id, ts) VALUES (?, ?)");
  const saveCheckpoint = q(`INSERT INTO venue_checkpoint (id, n, sim) VALUES (1, ?, ?)
    ON CONFLICT (id) DO UPDATE SET n = excluded.n, sim = excluded.sim`);
  const pruneInputs = q("DELETE FROM venue_inputs WHERE n <= ?");
  const selectReport = q("SELECT report FROM venue_orders WHERE client_order_id = ?");
  const totalChanges = q("SELECT total_changes() AS n");
  let bytes = 0;

  return {
    load() {
      const cp = q("SELECT n, sim FROM venue_checkpoint WHERE id = 1").get() as { n: number; sim: string } | undefined;
      const after = cp ? Number(cp.n) : 0;
      const inputs = (q("SELECT n, input FROM venue_inputs WHERE n > ? ORDER BY n").all(after) as {
        n: number;
        input: string;
      }[]).map((r) => ({ n: Number(r.n), input: r.input }));
      const open = (q("SELECT report FROM venue_orders WHERE open = 1").all() as { report: string }[])
        .map((r) => decode<OrderReport>(r.report));
      return { checkpoint: cp && { n: Number(cp.n), sim: cp.sim }, inputs, open };
    },
    write(w) {
      db.exec("BEGIN IMMEDIATE");
      try {
        if (w.input) {
          insertInput.run(w.input.n, w.input.input);
          bytes += w.input.input.length;
        }
        for (const r of w.reports) {
          const json = encode(r);
          upsertOrder.run(r.clientOrderId, r.status === "open" ? 1 : 0, json);
          bytes += json.length;
        }
        if (w.submit) insertSubmit.run(w.submit.clientOrderId, w.submit.ts);
        if (w.checkpoint) {
          saveCheckpoint.run(w.checkpoint.n, w.checkpoint.sim);
          pruneInputs.run(w.checkpoint.n);
          bytes += w.checkpoint.sim.length;
        }
        db.exec("COMMIT");
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    },
    report(clientOrderId) {
      const row = selectReport.get(clientOrderId) as { report: string } | undefined;
      return row && decode<OrderReport>(row.report);
    },
    submits() {
      const row = q("SELECT COUNT(*) AS total, COUNT(DISTINCT client_order_id) AS d FROM venue_submits").get() as {
        total: number;
        d: number;
      };
      return { total: Number(row.total), distinct: Number(row.d) };
    },
    written: () => ({ rows: Number((totalChanges.get() as { n: number }).n), bytes }),
    close: () => db.close(),
  };
}

/**
 * A venue file written before the input log kept its whole book in one row (`venue_book`): its reports become
 * order rows and its engine state the first checkpoint, in one transaction.
 */
function migrateLegacyBook(db: DatabaseSync): void {
  const legacy = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'venue_book'").get();
  if (!legacy) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    const row = db.prepare("SELECT data FROM venue_book WHERE id = 1").get() as { data: string } | undefined;
    const hasCheckpoint = db.prepare("SELECT 1 FROM venue_checkpoint WHERE id = 1").get();
    if (row && !hasCheckpoint) {
      const book = decode<LegacyBook>(row.data);
      const upsert = db.prepare(`INSERT INTO venue_orders (client_order_id, open, report) VALUES (?, ?, ?)
        ON CONFLICT (client_order_id) DO UPDATE SET open = excluded.open, report = excluded.report`);
      for (const r of book.reports.values()) upsert.run(r.clientOrderId, r.status === "open" ? 1 : 0, encode(r));
      db.prepare("INSERT INTO venue_checkpoint (id, n, sim) VALUES (1, 0, ?)").run(encode(book.sim));
    }
    db.exec("DROP TABLE venue_book");
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}
