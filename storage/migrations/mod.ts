/**
 * Versioned migrations, imported statically (not read from a folder) so they work in a bundled or compiled program.
 * Append new versions; never edit one that has shipped.
 */
import type { Migration, MigrationProvider } from "kysely/migration";
import { journalMigration } from "./001_journal.ts";
import { candlesMigration } from "./002_candles.ts";
import { backtestJobsMigration } from "./003_backtest_jobs.ts";

export type DialectName = "sqlite" | "postgres";

export function migrationProvider(dialect: DialectName): MigrationProvider {
  const migrations: Record<string, Migration> = {
    "001_journal": journalMigration(dialect),
    "002_candles": candlesMigration,
    "003_backtest_jobs": backtestJobsMigration,
  };
  return { getMigrations: () => Promise.resolve(migrations) };
}
