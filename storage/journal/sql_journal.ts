/** The journal on kysely: one code path for SQLite and PostgreSQL. */
import { sql } from "kysely";
import type { Database } from "../db.ts";
import type { Journal, JournalRecord, NewEvent, ReadOptions, Snapshot } from "./types.ts";

// Both SQLite (32766) and PostgreSQL (65535) cap bound parameters per statement; 6 per row stays well under.
const CHUNK = 1000;
// Any constant: PostgreSQL appenders take this transaction-scoped lock so seqs become visible in seq order
// (a sequence alone lets a later seq commit before an earlier one, and a reader tailing by seq would skip it).
const APPEND_LOCK = 7_420_001;

export interface SqlJournalOptions {
  /** Close the database with the journal. Default false: the caller owns it. */
  readonly closeDatabase?: boolean;
}

export function createSqlJournal(database: Database, options: SqlJournalOptions = {}): Journal {
  const { db, dialect } = database;

  async function append(events: readonly NewEvent[]): Promise<number[]> {
    const ordered = firstOccurrences(events);
    const seqs = new Map<string, number>();
    await db.transaction().execute(async (tx) => {
      if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(tx);
      for (let i = 0; i < ordered.length; i += CHUNK) {
        const chunk = ordered.slice(i, i + CHUNK);
        const inserted = await tx.insertInto("journal_events")
          .values(chunk.map((e) => ({
            event_id: e.eventId,
            stream: e.stream,
            type: e.type,
            ts: e.ts,
            payload: JSON.stringify(e.payload ?? null),
          })))
          .onConflict((oc) => oc.column("event_id").doNothing())
          .returning(["event_id", "seq"])
          .execute();
        for (const row of inserted) seqs.set(row.event_id, Number(row.seq));
        const existing = chunk.filter((e) => !seqs.has(e.eventId)).map((e) => e.eventId);
        if (existing.length === 0) continue;
        const found = await tx.selectFrom("journal_events").select(["event_id", "seq"])
          .where("event_id", "in", existing).execute();
        for (const row of found) seqs.set(row.event_id, Number(row.seq));
      }
    });
    return events.map((e) => seqs.get(e.eventId)!);
  }

  async function read(options: ReadOptions = {}): Promise<JournalRecord[]> {
    let query = db.selectFrom("journal_events").selectAll().orderBy("seq");
    if (options.fromSeq !== undefined) query = query.where("seq", ">=", options.fromSeq);
    if (options.toSeq !== undefined) query = query.where("seq", "<=", options.toSeq);
    if (options.stream !== undefined) query = query.where("stream", "=", options.stream);
    if (options.limit !== undefined) query = query.limit(options.limit);
    const rows = await query.execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      eventId: r.event_id,
      stream: r.stream,
      type: r.type,
      ts: Number(r.ts),
      payload: JSON.parse(r.payload),
    }));
  }

  async function lastSeq(): Promise<number> {
    const row = await db.selectFrom("journal_events").select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async function saveSnapshot(actor: string, seq: number, data: unknown): Promise<void> {
    const json = JSON.stringify(data ?? null);
    await db.insertInto("journal_snapshots").values({ actor, seq, data: json })
      .onConflict((oc) => oc.column("actor").doUpdateSet({ seq, data: json }))
      .execute();
  }

  async function loadSnapshot(actor: string): Promise<Snapshot | undefined> {
    const row = await db.selectFrom("journal_snapshots").selectAll().where("actor", "=", actor).executeTakeFirst();
    return row && { actor, seq: Number(row.seq), data: JSON.parse(row.data) };
  }

  async function close(): Promise<void> {
    if (options.closeDatabase) await database.close();
  }

  return { append, read, lastSeq, saveSnapshot, loadSnapshot, close };
}

/** A repeated eventId within one batch is the same event: keep its first occurrence, in input order. */
export function firstOccurrences(events: readonly NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
}
