import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { adapt } from "../../storage/sqlite_dialect.ts";

function memoryDb() {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT)");
  return db;
}

Deno.test("sqlite dialect: the same SQL reuses its prepared statement, and it runs with new parameters each time", () => {
  const sqlite = adapt(memoryDb());
  const insert = "INSERT INTO t (n, v) VALUES (?, ?)";
  const first = sqlite.prepare(insert);
  assert.equal(sqlite.prepare(insert), first);
  for (let n = 1; n <= 3; n++) sqlite.prepare(insert).run([n, `v${n}`]);
  const select = sqlite.prepare("SELECT n, v FROM t WHERE n >= ? ORDER BY n");
  assert.equal(select.reader, true);
  assert.equal(first.reader, false);
  assert.deepEqual(select.all([2]).map((r) => ({ ...(r as object) })), [{ n: 2, v: "v2" }, { n: 3, v: "v3" }]);
  assert.deepEqual(select.all([3]).map((r) => ({ ...(r as object) })), [{ n: 3, v: "v3" }]);
  sqlite.close();
});

Deno.test("sqlite dialect: a stream is not reset when the same query runs before it ends", () => {
  const sqlite = adapt(memoryDb());
  for (let n = 1; n <= 5; n++) sqlite.prepare("INSERT INTO t (n, v) VALUES (?, ?)").run([n, `v${n}`]);
  const sql = "SELECT n FROM t WHERE n >= ? ORDER BY n";
  const stream = sqlite.prepare(sql).iterate([1])[Symbol.iterator]();
  assert.equal((stream.next().value as { n: number }).n, 1);
  // The cached statement runs meanwhile with other parameters, to the end.
  assert.deepEqual(sqlite.prepare(sql).all([4]).map((r) => (r as { n: number }).n), [4, 5]);
  const rest: number[] = [];
  for (let r = stream.next(); !r.done; r = stream.next()) rest.push((r.value as { n: number }).n);
  assert.deepEqual(rest, [2, 3, 4, 5]);
  sqlite.close();
});

Deno.test("sqlite dialect: the cache is bounded; an evicted statement is prepared again and still works", () => {
  const sqlite = adapt(memoryDb());
  const first = sqlite.prepare("SELECT 0 AS k");
  for (let k = 1; k <= 200; k++) {
    assert.deepEqual({ ...(sqlite.prepare(`SELECT ${k} AS k`).all([])[0] as object) }, { k });
  }
  const again = sqlite.prepare("SELECT 0 AS k");
  assert.notEqual(again, first, "the least recently used statement was evicted");
  assert.deepEqual({ ...(again.all([])[0] as object) }, { k: 0 });
  // A statement in use stays cached however many others pass through.
  const hot = sqlite.prepare("SELECT 'hot' AS k");
  for (let k = 1; k <= 200; k++) {
    sqlite.prepare(`SELECT ${k} + 1000 AS k`);
    assert.equal(sqlite.prepare("SELECT 'hot' AS k"), hot);
  }
  sqlite.close();
});
