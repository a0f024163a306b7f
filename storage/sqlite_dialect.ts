/**
 * kysely ships no `node:sqlite` dialect; this adapter lets its `SqliteDialect` drive `DatabaseSync`, so the embedded
 * store needs no npm native module (nothing to build, works offline and in a bundle).
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from "kysely";

type Params = ReadonlyArray<unknown>;

/**
 * SqliteStatement statements kept per SQL text. kysely prepares every query it runs (`begin`, the insert, `commit`: three
 * per journal append), and a `StatementSync` frees its native statement only when its wrapper is garbage-collected:
 * in a Worker whose small heap rarely collects, that native memory piled up by tens of MB between collections.
 */
const STATEMENT_CACHE = 64;

export function adapt(db: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  const args = (p: Params) => p as SQLInputValue[];
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit) {
        // Most recently used last: the first key is the one to evict.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      const prepared: SqliteStatement = {
        // kysely routes statements that return rows (selects, `returning`) through `all`.
        reader: stmt.columns().length > 0,
        all: (p) => stmt.all(...args(p)),
        run: (p) => stmt.run(...args(p)),
        // A stream reads its statement step by step: a statement of its own, so a cached one reused meanwhile
        // cannot reset it under the reader.
        iterate: (p) => db.prepare(sql).iterate(...args(p)),
      };
      cache.set(sql, prepared);
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      return prepared;
    },
  };
}

/** Opens `path` in WAL mode (readers never block the writer; a crash loses no committed transaction). */
export function sqliteDialect(path: string): SqliteDialect {
  return new SqliteDialect({
    database: () => {
      const db = new DatabaseSync(path);
      // busy_timeout first: switching to WAL takes a lock, and a reader (an operator's sqlite3, `live status`) must make it
      // wait, not fail the start with "database is locked".
      db.exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
      return Promise.resolve(adapt(db));
    },
  });
}
