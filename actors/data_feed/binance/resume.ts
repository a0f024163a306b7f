/**
 * Where a feed resumes after a process restart. Actor snapshots live in the host's memory, so a restarted daemon
 * starts its feed without one; the venue adapter's journal, though, holds every bar it passed on. The last
 * journaled open time per symbol is then the cursor the feed backfills from, so the candles that closed while
 * the daemon was down reach the strategies too.
 */
import { openJournal } from "../../../storage/journal/open.ts";
import type { Bar } from "../../protocol/mod.ts";

export interface ResumeFrom {
  /** Journal database URL (the daemon's). */
  readonly db: string;
  /** The adapter's stream, `venue:<name>`. */
  readonly stream: string;
}

export async function lastJournaledBars(from: ResumeFrom, symbols: readonly string[]): Promise<Map<string, number>> {
  const journal = await openJournal(from.db);
  try {
    const last = new Map<string, number>();
    for (const record of await journal.read({ stream: from.stream })) {
      if (record.type !== "Bar") continue;
      const bar = (record.payload as { bar: Bar }).bar;
      if (symbols.includes(bar.symbol)) last.set(bar.symbol, Math.max(last.get(bar.symbol) ?? -Infinity, bar.ts));
    }
    return last;
  } finally {
    await journal.close();
  }
}
