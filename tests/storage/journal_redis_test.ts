import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { openRedisJournal, type RedisJournal } from "../../storage/journal/redis_journal.ts";
import type { NewEvent } from "../../storage/journal/types.ts";
import { redact } from "../../storage/db.ts";
import { journalContract } from "./journal_contract.ts";
import { REDIS_UP, REDIS_URL, uniqueName } from "./services.ts";

/** Deletes every key of a test prefix (they share the hash tag `{prefix}`). */
async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`{${prefix}}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

async function fresh(): Promise<{ journal: RedisJournal; dispose(): Promise<void> }> {
  const prefix = uniqueName("redis");
  const journal = await openRedisJournal({ url: REDIS_URL, prefix });
  return {
    journal,
    async dispose() {
      await journal.close();
      await dropPrefix(prefix);
    },
  };
}

journalContract("redis", fresh, !REDIS_UP);

const events = (n: number, stream = "orders"): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `e${i}`, stream, type: "T", ts: i, payload: { i } }));

function redisTest(name: string, run: (journal: RedisJournal) => Promise<void>): void {
  Deno.test({ name: `journal[redis]: ${name}`, ignore: !REDIS_UP }, async () => {
    const { journal, dispose } = await fresh();
    try {
      await run(journal);
    } finally {
      await dispose();
    }
  });
}

redisTest("a consumer group splits entries between consumers; acked entries are no longer pending", async (j) => {
  await j.append(events(6));
  const a = await j.subscribe("risk", "a");
  const b = await j.subscribe("risk", "b");
  const gotA = await a.read({ count: 4 });
  const gotB = await b.read({ count: 4 });
  assert.deepEqual(gotA.map((r) => r.eventId), ["e0", "e1", "e2", "e3"]);
  assert.deepEqual(gotB.map((r) => r.eventId), ["e4", "e5"]);
  assert.deepEqual(await a.read(), []);
  assert.equal(await a.ack(gotA.slice(0, 2).map((r) => r.seq)), 2);
  assert.deepEqual((await a.pending()).map((r) => r.eventId), ["e2", "e3"]);
});

redisTest("a blocking read returns what another connection appends meanwhile", async (j) => {
  const c = await j.subscribe("g", "c");
  const waiting = c.read({ blockMs: 5_000 });
  await j.append(events(1));
  assert.deepEqual((await waiting).map((r) => r.eventId), ["e0"]);
});

redisTest("claimStale reclaims a dead consumer's pending entries, and only idle enough ones", async (j) => {
  await j.append(events(5));
  const dead = await j.subscribe("g", "dead");
  const got = await dead.read({ count: 3 });
  await dead.ack([got[0].seq]);
  await dead.close(); // it dies holding e1 and e2
  const heir = await j.subscribe("g", "heir");
  // An hour of idleness has not passed: nothing is taken yet.
  assert.deepEqual(await heir.claimStale(3_600_000), []);
  const claimed = await heir.claimStale(0);
  assert.deepEqual(claimed.map((r) => r.eventId), ["e1", "e2"]);
  assert.deepEqual((await heir.pending()).map((r) => r.eventId), ["e1", "e2"]);
  await heir.ack(claimed.map((r) => r.seq));
  assert.deepEqual(await heir.pending(), []);
  assert.deepEqual((await heir.read()).map((r) => r.eventId), ["e3", "e4"]);
});

redisTest("a group on one stream sees only that stream; fromSeq skips earlier entries", async (j) => {
  const seqs = await j.append([...events(3, "x"), ...events(3, "y").map((e) => ({ ...e, eventId: `y${e.ts}` }))]);
  const onY = await j.subscribe("g", "c", { stream: "y", fromSeq: seqs[4] });
  assert.deepEqual((await onY.read()).map((r) => r.eventId), ["y1", "y2"]);
});

redisTest("trim keeps the newest entries everywhere, and a trimmed event stays deduplicated", async (j) => {
  const seqs = await j.append(events(10, "s"));
  assert.equal(await j.trim(4), 6);
  assert.deepEqual((await j.read()).map((r) => r.seq), seqs.slice(6));
  assert.deepEqual((await j.read({ stream: "s" })).map((r) => r.seq), seqs.slice(6));
  assert.deepEqual(await j.append(events(1, "s")), [seqs[0]]);
  assert.equal((await j.read()).length, 4);
});

Deno.test("journal[redis]: an unreachable server is a clear error naming it", async () => {
  await assert.rejects(
    openRedisJournal({ url: "redis://127.0.0.1:1" }),
    /Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
  );
});

Deno.test("journal[redis]: the connect error names the server but never the URL's password", async () => {
  const error = await openRedisJournal({ url: "redis://trader:s3cr3t-pw@127.0.0.1:1/0" }).then(
    () => undefined,
    (err: Error) => err,
  );
  assert.ok(error, "connecting to a closed port must fail");
  assert.match(error.message, /Cannot connect to Redis at redis:\/\/trader:\*\*\*@127\.0\.0\.1:1\/0: /);
  assert.ok(!error.message.includes("s3cr3t-pw"), error.message);
  assert.ok(!String(error.cause).includes("s3cr3t-pw"), "the cause repeats the password");
});

Deno.test("journal[redis]: redact hides the password of a URL the parser refuses too", () => {
  assert.equal(redact("redis://u:pw@127.0.0.1:6379/0"), "redis://u:***@127.0.0.1:6379/0");
  assert.equal(redact("redis://u:p w@[bad/0"), "redis://***@[bad/0");
  assert.equal(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
});
