/**
 * One daemon per PostgreSQL journal: a session advisory lock (pg_try_advisory_lock) keyed by the journal's schema,
 * held on a connection of its own for the daemon's life. Two daemons with different data directories can still share
 * one PostgreSQL journal; they would replay the same intents and send the same orders. PostgreSQL releases the lock
 * when the session ends (process exit, kill -9, or the server noticing a dead connection), so it is never stale.
 * The holder is named from pg_stat_activity: its application_name carries PID and host.
 */
import type pg from "pg";

export interface JournalLock {
  /** Unlocks and closes the connection. */
  release(): Promise<void>;
}

export type JournalLockAttempt =
  | { readonly kind: "acquired"; readonly lock: JournalLock }
  /** `holder`: application name, client address and since when, when the server shows them. */
  | { readonly kind: "busy"; readonly holder: string | undefined };

export interface JournalLockOptions {
  readonly url: string;
  /** The schema the journal lives in (as `openDatabase`'s option); default: the connection's search_path. */
  readonly schema?: string;
  /** Names this daemon to whoever is refused (PostgreSQL keeps the first 63 bytes). */
  readonly label: string;
  /** The connection (and with it the lock) was lost while held. */
  readonly onLost?: (error: Error) => void;
}

// Journal identity: the schema its tables are found in (advisory locks are already per database).
const KEY = "hashtextextended('tradeactor-daemon:' || coalesce(current_schema(), current_setting('search_path')), 0)";

export async function tryLockJournal(options: JournalLockOptions): Promise<JournalLockAttempt> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${options.schema}": use lowercase letters, digits and _`);
  }
  // Loaded here, not at the top: a daemon on SQLite or Redis never pays for pg in its main isolate (~10 MB RSS).
  const { default: { Client } } = await import("pg");
  const client = new Client({
    connectionString: options.url,
    connectionTimeoutMillis: 5_000,
    application_name: options.label.slice(0, 63),
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  let held = false;
  client.on("error", (error: Error) => {
    if (held) options.onLost?.(error);
  });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT pg_try_advisory_lock(${KEY}) AS ok`);
    if (rows[0].ok !== true) return { kind: "busy", holder: await describeHolder(client) };
    held = true;
    return {
      kind: "acquired",
      lock: {
        async release() {
          if (!held) return;
          held = false;
          await client.query(`SELECT pg_advisory_unlock(${KEY})`).catch(() => {});
          await client.end().catch(() => {});
        },
      },
    };
  } finally {
    if (!held) await client.end().catch(() => {});
  }
}

/** pg_locks splits a bigint advisory key into classid (high 32 bits) and objid (low 32 bits), objsubid 1. */
async function describeHolder(client: pg.Client): Promise<string | undefined> {
  const { rows } = await client.query(
    `WITH k AS (SELECT ${KEY} AS k)
     SELECT a.application_name AS name, a.client_addr::text AS addr, a.backend_start AS since
     FROM k, pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid = ((k.k >> 32) & 4294967295)::oid AND l.objid = (k.k & 4294967295)::oid`,
  ).catch(() => ({ rows: [] as { name: string; addr: string | null; since: Date }[] }));
  const row = rows[0];
  if (!row) return undefined;
  const since = row.since instanceof Date ? row.since.toISOString() : String(row.since);
  return `${row.name || "an unnamed client"} from ${row.addr ?? "a local socket"} since ${since}`;
}
