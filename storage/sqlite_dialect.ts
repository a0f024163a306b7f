/**
 * kysely ships no `node:sqlite` dialect; this adapter lets its `SqliteDialect` drive `DatabaseSync`, so the embedded
 * store needs no npm native module (nothing to build, works offline and in a bundle).
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { type SqliteDatabase, SqliteDialect } from "kysely";

type Params = ReadonlyArray<unknown>;

function adapt(db: DatabaseSync): SqliteDatabase {
  return {
    close: () => db.close(),
    prepare(sql) {
      const stmt = db.prepare(sql);
      const args = (p: Params) => p as SQLInputValue[];
      return {
        // kysely routes statements that return rows (selects, `returning`) through `all`.
        reader: stmt.columns().length > 0,
        all: (p) => stmt.all(...args(p)),
        run: (p) => stmt.run(...args(p)),
        iterate: (p) => stmt.iterate(...args(p)),
      };
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
