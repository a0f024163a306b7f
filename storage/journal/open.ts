/**
 * The journal behind a storage URL (url.ts), for every actor and the daemon alike: SQLite or PostgreSQL through the
 * SQL store, or Redis Streams. On Redis the keys live under a prefix, `?prefix=NAME` on the URL (default
 * `tradeactor:journal`): one per daemon, as one SQLite file or PostgreSQL schema is. The daemon keeps no other SQL data
 * (candles and jobs belong to the `data` and `backtest` commands and their own store; the paper venue's book is a
 * SQLite file in the data directory), so a Redis journal needs no SQL store beside it.
 */
import { openDatabase, StorageError } from "../db.ts";
import { parseStorageUrl } from "../url.ts";
import { createSqlJournal } from "./sql_journal.ts";
import type { Journal } from "./types.ts";

export const DEFAULT_REDIS_PREFIX = "tradeactor:journal";

/** A Redis journal URL split into what ioredis connects to and the key prefix. */
export function redisTarget(url: string): { readonly url: string; readonly prefix: string } {
  const u = new URL(url);
  const prefix = u.searchParams.get("prefix") ?? DEFAULT_REDIS_PREFIX;
  if (!/^[A-Za-z0-9:_.-]{1,100}$/.test(prefix)) {
    throw new StorageError(`Invalid Redis journal prefix "${prefix}": use letters, digits and : _ . - (at most 100)`);
  }
  u.searchParams.delete("prefix");
  return { url: u.toString(), prefix };
}

/** Opens the journal; closing it closes what it opened. */
export async function openJournal(url: string): Promise<Journal> {
  const parsed = parseStorageUrl(url);
  if (parsed.kind === "redis") {
    // Loaded only here: ioredis is not needed by a daemon on SQLite or PostgreSQL.
    const { openRedisJournal } = await import("./redis_journal.ts");
    return await openRedisJournal(redisTarget(parsed.url));
  }
  return createSqlJournal(await openDatabase({ url }), { closeDatabase: true });
}
