/** The daemon's status line counts fills by reading only what was appended since its last look. */
import assert from "node:assert/strict";
import { openDatabase } from "../../../storage/db.ts";
import { createSqlJournal } from "../../../storage/journal/sql_journal.ts";
import { fillCounter, journaledFills, streamRecords } from "../../../actors/system/daemon.ts";
import type { Journal, ReadOptions } from "../../../storage/journal/types.ts";

Deno.test("status: the fill count reads each journal record once, however often it is asked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fill-counter-" });
  const database = await openDatabase({ url: `sqlite:${dir}/journal.sqlite` });
  const journal = createSqlJournal(database);
  const reads: ReadOptions[] = [];
  let returned = 0;
  const watched: Journal = {
    ...journal,
    read: async (options) => {
      reads.push(options ?? {});
      const records = await journal.read(options);
      returned += records.length;
      return records;
    },
  };
  const event = (i: number, type: string) => ({ eventId: `e${i}`, stream: "venue:paper", type, ts: i, payload: {} });
  const count = fillCounter(watched, "paper");
  await journal.append([event(1, "OrderAccepted"), event(2, "OrderFilled"), event(3, "OrderPartiallyFilled")]);
  assert.equal(await count(), 2);
  await journal.append([event(4, "OrderFilled"), { ...event(5, "OrderFilled"), stream: "venue:other" }]);
  assert.equal(await count(), 3);
  assert.equal(await count(), 3);
  assert.equal(returned, 4, "every record of the venue's stream was read once");
  assert.ok(reads.every((r) => r.stream === "venue:paper"));
  await database.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("result: fills are read a page at a time, every one once and in journal order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fill-pages-" });
  const database = await openDatabase({ url: `sqlite:${dir}/journal.sqlite` });
  const journal = createSqlJournal(database);
  const reads: ReadOptions[] = [];
  const watched: Journal = {
    ...journal,
    read: (options) => {
      reads.push(options ?? {});
      return journal.read(options);
    },
  };
  const n = 4_500;
  await journal.append(Array.from({ length: n }, (_, i) => ({
    eventId: `e${i}`,
    stream: i % 7 === 0 ? "venue:other" : "venue:paper",
    type: i % 3 === 0 ? "OrderFilled" : "OrderAccepted",
    ts: i,
    payload: { fill: { n: i } },
  })));
  const expected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 !== 0 && i % 3 === 0);
  const fills = await journaledFills(watched, "paper") as unknown as { n: number }[];
  assert.deepEqual(fills.map((f) => f.n), expected);
  assert.ok(reads.length > 1 && reads.every((r) => r.limit !== undefined), "no read takes the whole stream");
  // Pages end exactly on the stream's last record, and a page may end on a seq another stream skips.
  const small = [];
  for await (const r of streamRecords(journal, "venue:other", 0, 5)) small.push(r.payload as { fill: { n: number } });
  assert.deepEqual(small.map((p) => p.fill.n), Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 === 0));
  assert.equal(await fillCounter(watched, "paper")(), expected.length);
  await database.close();
  await Deno.remove(dir, { recursive: true });
});
