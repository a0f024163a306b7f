/** The event journal: one globally sequenced, append-only table, and one snapshot per actor. */
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DialectName } from "./mod.ts";

export function journalMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable("journal_events")
        .addColumn("seq", dialect === "postgres" ? "bigserial" : "integer", (c) => {
          // AUTOINCREMENT: SQLite then never reuses the seq of a deleted last row.
          return dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement();
        })
        .addColumn("event_id", "text", (c) => c.notNull().unique())
        .addColumn("stream", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("ts", "bigint", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("journal_events_stream_seq").on("journal_events").columns(["stream", "seq"])
        .execute();
      await db.schema.createTable("journal_snapshots")
        .addColumn("actor", "text", (c) => c.primaryKey())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("journal_snapshots").execute();
      await db.schema.dropTable("journal_events").execute();
    },
  };
}
