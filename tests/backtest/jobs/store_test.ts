/**
 * The backtest job store on both SQL backends: jobs round-trip, list newest first, and a restart marks running jobs
 * interrupted and hands back the queued ones in order.
 */
import assert from "node:assert/strict";
import { type Job, jobStore } from "../../../cli/backtest_jobs/store.ts";
import { openTestPostgres, openTestSqlite, PG_URL, type TestDb } from "../../storage/services.ts";

const job = (id: string, createdAt: number, status: Job["status"] = "queued"): Job => ({
  id,
  status,
  options: { options: { strategy: "sma_cross", cash: 10_000 }, module: "file:///x.ts" },
  requestedBy: "admin",
  reason: "test",
  createdAt,
  barsDone: 0,
  barsTotal: 0,
  outDir: `/tmp/${id}`,
});

for (const [name, open] of [["sqlite", openTestSqlite], ["postgres", openTestPostgres]] as const) {
  Deno.test({
    name: `backtest job store (${name}): round trip, order, progress, and recovery after a restart`,
    ignore: name === "postgres" && !PG_URL,
    async fn() {
      const db: TestDb = await open();
      try {
        const store = jobStore(db.database);
        for (const [i, id] of ["a", "b", "c", "d"].entries()) await store.insert(job(id, 1_000 + i));
        await store.start("a", 2_000);
        await store.progress("a", 500, 2_148);
        await store.start("b", 2_001);
        await store.finish("b", "failed", 2_500, "bad data");
        assert.deepEqual(await store.get("a"), {
          ...job("a", 1_000, "running"),
          startedAt: 2_000,
          barsDone: 500,
          barsTotal: 2_148,
        });
        assert.deepEqual((await store.get("b"))?.error, "bad data");
        assert.deepEqual((await store.list(10)).map((j) => j.id), ["d", "c", "b", "a"]);
        assert.deepEqual((await store.list(2)).map((j) => j.id), ["d", "c"]);

        const queued = await store.recover(3_000);
        assert.deepEqual(queued.map((j) => j.id), ["c", "d"]);
        const a = (await store.get("a"))!;
        assert.equal(a.status, "interrupted");
        assert.equal(a.finishedAt, 3_000);
        assert.match(a.error!, /the daemon stopped while it ran/);
        assert.equal((await store.get("b"))!.status, "failed", "a finished job is left as it was");

        await store.remove("c");
        assert.equal(await store.get("c"), undefined);
      } finally {
        await db.dispose();
      }
    },
  });
}
