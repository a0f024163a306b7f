/** Candles keyed by (venue, symbol, timeframe, open time), and the ranges already fetched from a venue. */
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const candlesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable("candles")
      .addColumn("venue", "text", (c) => c.notNull())
      .addColumn("symbol", "text", (c) => c.notNull())
      .addColumn("timeframe", "text", (c) => c.notNull())
      .addColumn("ts", "bigint", (c) => c.notNull())
      .addColumn("open", "double precision", (c) => c.notNull())
      .addColumn("high", "double precision", (c) => c.notNull())
      .addColumn("low", "double precision", (c) => c.notNull())
      .addColumn("close", "double precision", (c) => c.notNull())
      .addColumn("volume", "double precision", (c) => c.notNull())
      .addPrimaryKeyConstraint("candles_pk", ["venue", "symbol", "timeframe", "ts"])
      .execute();
    await db.schema.createTable("candle_coverage")
      .addColumn("venue", "text", (c) => c.notNull())
      .addColumn("symbol", "text", (c) => c.notNull())
      .addColumn("timeframe", "text", (c) => c.notNull())
      .addColumn("start_ts", "bigint", (c) => c.notNull())
      .addColumn("end_ts", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("candle_coverage_pk", ["venue", "symbol", "timeframe", "start_ts"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("candle_coverage").execute();
    await db.schema.dropTable("candles").execute();
  },
};
