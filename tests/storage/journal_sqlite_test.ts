import assert from "node:assert/strict";
import { createSqlJournal } from "../../storage/journal/sql_journal.ts";
import { openDatabase } from "../../storage/db.ts";
import { journalContract } from "./journal_contract.ts";
import { openTestSqlite } from "./services.ts";

journalContract("sqlite", async () => {
  const { database, dispose } = await openTestSqlite();
  return { journal: createSqlJournal(database), dispose };
});

Deno.test("journal[sqlite]: events and snapshots survive closing and reopening the file", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ta_sqlite_" });
  try {
    const first = createSqlJournal(await openDatabase({ dataDir }), { closeDatabase: true });
    const seqs = await first.append([{ eventId: "a", stream: "s", type: "T", ts: 1, payload: 1 }]);
    await first.saveSnapshot("/x", seqs[0], { n: 1 });
    await first.close();
    const second = createSqlJournal(await openDatabase({ dataDir }), { closeDatabase: true });
    assert.deepEqual(await second.append([{ eventId: "a", stream: "s", type: "T", ts: 1, payload: 1 }]), seqs);
    assert.equal(await second.lastSeq(), seqs[0]);
    assert.deepEqual((await second.loadSnapshot("/x"))?.data, { n: 1 });
    await second.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
