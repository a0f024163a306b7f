/** The daemon's status line counts fills by reading only what was appended since its last look. */
import assert from "node:assert/strict";
import { openDatabase } from "../../../storage/db.ts";
import { createSqlJournal } from "../../../storage/journal/sql_journal.ts";
import { fillCounter } from "../../../actors/system/daemon.ts";
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
