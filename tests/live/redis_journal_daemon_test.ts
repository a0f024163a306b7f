/**
 * The paper daemon journaling to Redis Streams (`"db": "redis://…?prefix=…"`), against the real Redis: the same fills
 * as the same replay journaled to SQLite, every record in the Redis journal, and a restart on the same journal resumes
 * after the last journaled bar without a fill twice.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Redis } from "ioredis";
import { resolveLiveConfig } from "../../actors/system/live_config.ts";
import { type DaemonResult, runDaemon } from "../../actors/system/daemon.ts";
import { openJournal, redisTarget } from "../../storage/journal/open.ts";
import { REDIS_UP, REDIS_URL, uniqueName } from "../storage/services.ts";
import { paperConfig } from "./helpers.ts";

/** `db` undefined: the default SQLite journal in the data directory. */
async function run(dataDir: string, db?: string): Promise<DaemonResult> {
  const config = await resolveLiveConfig(paperConfig(dataDir, db ? { db } : {}), { env: () => undefined });
  const code = await runDaemon(config, { logSink: () => {} });
  assert.equal(code, 0);
  return JSON.parse(await Deno.readTextFile(join(dataDir, "result.json")));
}

Deno.test("redis journal: a prefix comes from the URL and is checked; the URL ioredis gets has none", () => {
  assert.deepEqual(redisTarget("redis://127.0.0.1:6379/2?prefix=prod:a"), {
    url: "redis://127.0.0.1:6379/2",
    prefix: "prod:a",
  });
  assert.equal(redisTarget("redis://127.0.0.1:6379").prefix, "tradeactor:journal");
  assert.throws(() => redisTarget("redis://127.0.0.1:6379?prefix=a%20b"), /Invalid Redis journal prefix "a b"/);
});

Deno.test({
  name: "redis journal: the paper daemon on Redis Streams fills as on SQLite; a restart doubles nothing",
  ignore: !REDIS_UP,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "redis-daemon-" });
    const prefix = uniqueName("daemon");
    const db = `${REDIS_URL}/?prefix=${prefix}`;
    try {
      const onSqlite = await run(join(dir, "sqlite"));
      const onRedis = await run(join(dir, "redis"), db);
      assert.ok(onSqlite.fills.length > 0, "the replay traded");
      assert.deepEqual(onRedis.fills, onSqlite.fills);
      // Nothing went to a SQLite journal beside it.
      await assert.rejects(Deno.stat(join(dir, "redis", "journal.sqlite")), Deno.errors.NotFound);
      const journal = await openJournal(db);
      const bars = (await journal.read({ stream: "venue:paper" })).filter((r) => r.type === "Bar").length;
      const total = await journal.lastSeq();
      await journal.close();
      assert.ok(bars > 0 && total > bars, `bars ${bars}, records ${total}`);

      // Same data directory, same journal: it recovers, the replay resumes after the last bar, no fill twice.
      const again = await run(join(dir, "redis"), db);
      assert.deepEqual(again.fills, onSqlite.fills);
      const reopened = await openJournal(db);
      assert.equal((await reopened.read({ stream: "venue:paper" })).filter((r) => r.type === "Bar").length, bars);
      await reopened.close();
    } finally {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`{${prefix}}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
