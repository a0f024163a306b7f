import { createSqlJournal } from "../../storage/journal/sql_journal.ts";
import { journalContract } from "./journal_contract.ts";
import { openTestPostgres, PG_URL } from "./services.ts";

journalContract("postgres", async () => {
  const { database, dispose } = await openTestPostgres();
  return { journal: createSqlJournal(database), dispose };
}, !PG_URL);
