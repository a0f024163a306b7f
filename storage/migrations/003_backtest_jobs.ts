/** Backtest jobs of the operator API: what was asked, by whom, where it stands, and where its report lies. */
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const backtestJobsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable("backtest_jobs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("options", "text", (c) => c.notNull())
      .addColumn("requested_by", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("started_at", "bigint")
      .addColumn("finished_at", "bigint")
      .addColumn("bars_done", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("bars_total", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("error", "text")
      .addColumn("out_dir", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("backtest_jobs_status").on("backtest_jobs").columns(["status", "created_at"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("backtest_jobs").execute();
  },
};
