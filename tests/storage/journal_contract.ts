/** The behaviour every Journal backend must have: one suite, run by one `_test.ts` per backend. */
import assert from "node:assert/strict";
import type { Journal, NewEvent } from "../../storage/journal/types.ts";
import { recover, replay } from "../../storage/journal/replay.ts";

export interface JournalFixture {
  readonly journal: Journal;
  dispose(): Promise<void>;
}

function event(i: number, stream = "orders", extra: Partial<NewEvent> = {}): NewEvent {
  return { eventId: `ev-${i}`, stream, type: "OrderFilled", ts: 1_700_000_000_000 + i, payload: { i }, ...extra };
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, k) => from + k);

type Case = [name: string, run: (journal: Journal) => Promise<void>];

const CASES: Case[] = [
  ["an empty journal has lastSeq 0, reads nothing and has no snapshot", async (j) => {
    assert.equal(await j.lastSeq(), 0);
    assert.deepEqual(await j.read(), []);
    assert.equal(await j.loadSnapshot("/nobody"), undefined);
    assert.deepEqual(await j.append([]), []);
  }],
  ["append assigns increasing global seqs across streams and round-trips every field", async (j) => {
    const payload = { price: 101.25, qty: "0.001", tags: ["a", "ü"], nested: { ok: true, none: null } };
    const seqs = await j.append([event(1, "orders", { payload }), event(2, "/strategies/ma"), event(3)]);
    assert.equal(seqs.length, 3);
    assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2]);
    const more = await j.append([event(4)]);
    assert.ok(more[0] > seqs[2]);
    assert.equal(await j.lastSeq(), more[0]);
    const [first] = await j.read({ limit: 1 });
    assert.deepEqual(first, {
      seq: seqs[0],
      eventId: "ev-1",
      stream: "orders",
      type: "OrderFilled",
      ts: 1_700_000_000_001,
      payload,
    });
  }],
  ["append is idempotent on eventId, across calls and within a batch", async (j) => {
    const seqs = await j.append([event(1), event(2)]);
    const again = await j.append([event(2), event(3), event(1), event(3)]);
    assert.deepEqual([again[0], again[2]], [seqs[1], seqs[0]]);
    assert.equal(again[1], again[3]);
    assert.ok(again[1] > seqs[1]);
    const all = await j.read();
    assert.deepEqual(all.map((r) => r.eventId), ["ev-1", "ev-2", "ev-3"]);
    assert.equal(await j.lastSeq(), again[1]);
  }],
  ["read by seq range, by stream and with a limit", async (j) => {
    const seqs = await j.append(range(10).map((i) => event(i, i % 2 === 0 ? "even" : "odd")));
    const mid = await j.read({ fromSeq: seqs[2], toSeq: seqs[5] });
    assert.deepEqual(mid.map((r) => r.eventId), ["ev-2", "ev-3", "ev-4", "ev-5"]);
    const odd = await j.read({ stream: "odd" });
    assert.deepEqual(odd.map((r) => r.eventId), ["ev-1", "ev-3", "ev-5", "ev-7", "ev-9"]);
    const oddTail = await j.read({ stream: "odd", fromSeq: seqs[4], limit: 2 });
    assert.deepEqual(oddTail.map((r) => r.eventId), ["ev-5", "ev-7"]);
    assert.deepEqual(await j.read({ fromSeq: seqs[9] + 1 }), []);
  }],
  ["a batch larger than one statement keeps order and seqs", async (j) => {
    const seqs = await j.append(range(2500).map((i) => event(i)));
    assert.equal(new Set(seqs).size, 2500);
    assert.ok(seqs.every((s, k) => k === 0 || s > seqs[k - 1]));
    const read = await j.read();
    assert.equal(read.length, 2500);
    assert.deepEqual(read.map((r) => r.seq), seqs);
  }],
  ["concurrent appends get distinct seqs and read back in seq order", async (j) => {
    const batches = range(5).map((b) => range(20, b * 20).map((i) => event(i)));
    const results = await Promise.all(batches.map((b) => j.append(b)));
    const all = results.flat();
    assert.equal(new Set(all).size, 100);
    const read = await j.read();
    assert.equal(read.length, 100);
    assert.deepEqual(read.map((r) => r.seq), [...all].sort((a, b) => a - b));
  }],
  ["snapshots: save, overwrite, load per actor", async (j) => {
    await j.saveSnapshot("/a", 3, { cash: 100 });
    await j.saveSnapshot("/b", 4, [1, 2]);
    await j.saveSnapshot("/a", 7, { cash: 90 });
    assert.deepEqual(await j.loadSnapshot("/a"), { actor: "/a", seq: 7, data: { cash: 90 } });
    assert.deepEqual(await j.loadSnapshot("/b"), { actor: "/b", seq: 4, data: [1, 2] });
  }],
  ["replay folds in seq order; recover = snapshot + tail of the stream", async (j) => {
    const seqs = await j.append(range(30).map((i) => event(i, i % 3 === 0 ? "/acct" : "other", { payload: i })));
    const sum = (s: number, r: { payload: unknown }) => s + (r.payload as number);
    const full = await replay(j, 1, sum, 0, { pageSize: 7 });
    assert.deepEqual(full, { state: 435, lastSeq: seqs[29], count: 30 });
    const tail = await replay(j, seqs[10], sum, 0);
    assert.equal(tail.state, range(20, 10).reduce((a, b) => a + b, 0));
    const nothing = await replay(j, seqs[29] + 1, sum, 0);
    assert.deepEqual(nothing, { state: 0, lastSeq: seqs[29], count: 0 });
    // The actor folded /acct events up to ev-12 into its snapshot, then crashed.
    const snapState = [0, 3, 6, 9, 12].reduce((a, b) => a + b, 0);
    await j.saveSnapshot("/acct", seqs[12], snapState);
    const recovered = await recover(j, "/acct", "/acct", sum, 0);
    assert.equal(recovered.state, range(10).map((k) => 3 * k).reduce((a, b) => a + b, 0));
    assert.equal(recovered.count, 5);
    assert.equal(recovered.lastSeq, seqs[27]);
  }],
];

/** Registers the suite; `open` gives each case a fresh, empty journal. */
export function journalContract(backend: string, open: () => Promise<JournalFixture>, ignore = false): void {
  for (const [name, run] of CASES) {
    Deno.test({ name: `journal[${backend}]: ${name}`, ignore }, async () => {
      const { journal, dispose } = await open();
      try {
        await run(journal);
      } finally {
        await dispose();
      }
    });
  }
}
