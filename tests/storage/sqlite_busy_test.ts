/**
 * A reader holding the journal (an operator's sqlite3, a test polling it, `live status`) while the daemon starts makes
 * the daemon wait for it, not exit with "database is locked": the busy timeout is set before switching to WAL.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { Kysely, sql } from "kysely";
import { sqliteDialect } from "../../storage/sqlite_dialect.ts";

Deno.test("sqlite: opening waits for a reader's lock instead of failing with 'database is locked'", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite-busy-" });
  const path = join(dir, "journal.sqlite");
  const setup = new DatabaseSync(path);
  setup.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"); // rollback journal: WAL is not on yet
  setup.close();
  // Another process holds a read transaction for a moment (in this thread it would block the event loop).
  const reader = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { DatabaseSync } from "node:sqlite";
       const db = new DatabaseSync(${JSON.stringify(path)});
       db.exec("BEGIN"); db.prepare("SELECT * FROM t").all();
       console.log("holding");
       await new Promise((r) => setTimeout(r, 700));
       db.exec("COMMIT"); db.close();`,
    ],
    stdout: "piped",
  }).spawn();
  const out = reader.stdout.getReader();
  const first = new TextDecoder().decode((await out.read()).value);
  assert.match(first, /holding/);
  const db = new Kysely<{ t: { x: number } }>({ dialect: sqliteDialect(path) });
  try {
    const rows = await db.selectFrom("t").selectAll().execute();
    assert.deepEqual(rows.map((r) => r.x), [1]);
    const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
    assert.equal(mode.rows[0].journal_mode, "wal");
  } finally {
    await db.destroy();
    out.releaseLock();
    await reader.stdout.cancel().catch(() => {});
    await reader.status;
    await Deno.remove(dir, { recursive: true });
  }
});
