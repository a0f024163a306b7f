/** The candle store's behaviour, run against SQLite and PostgreSQL alike. */
import assert from "node:assert/strict";
import type { Database } from "../../../storage/db.ts";
import {
  countCandles,
  listGaps,
  listSeries,
  queryCandles,
  readCandles,
  type SeriesKey,
  upsertCandles,
} from "../../../storage/market/candles.ts";
import { candlesFromRows } from "../../../storage/market/columns.ts";
import type { TestDb } from "../services.ts";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
export const KEY = { venue: "binance", symbol: "BTC/USDT", timeframe: "1m" } as const satisfies SeriesKey;

/** `n` one-minute candles from slot `from`, close = 100 + slot. */
export function minutes(from: number, n: number, bump = 0) {
  return candlesFromRows(
    Array.from({ length: n }, (_, k) => {
      const c = 100 + from + k + bump;
      return [T0 + (from + k) * MIN, c, c + 1, c - 1, c, 10 + k];
    }),
  );
}

type Case = [name: string, run: (database: Database) => Promise<void>];

const CASES: Case[] = [
  ["upsert then query a range as a BarSeries (from inclusive, to exclusive)", async ({ db }) => {
    assert.equal(await upsertCandles(db, KEY, minutes(0, 10)), 10);
    const s = await queryCandles(db, KEY, { from: T0 + 2 * MIN, to: T0 + 5 * MIN });
    assert.equal(s.symbol, "BTC/USDT");
    assert.equal(s.timeframe, "1m");
    assert.equal(s.length, 3);
    assert.deepEqual([...s.ts], [T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN]);
    assert.deepEqual([...s.close], [102, 103, 104]);
    assert.deepEqual([...s.volume], [12, 13, 14]);
  }],
  ["upsert replaces a candle with the same key, never duplicates it", async ({ db }) => {
    await upsertCandles(db, KEY, minutes(0, 5));
    await upsertCandles(db, KEY, minutes(3, 5, 1000), { batch: 2 });
    assert.equal(await countCandles(db, KEY), 8);
    const c = await readCandles(db, KEY);
    assert.deepEqual([...c.close], [100, 101, 102, 1103, 1104, 1105, 1106, 1107]);
  }],
  ["series are keyed by venue, symbol and timeframe; listSeries counts and spans them", async ({ db }) => {
    await upsertCandles(db, KEY, minutes(0, 4));
    await upsertCandles(db, { ...KEY, venue: "kraken" }, minutes(10, 2));
    await upsertCandles(db, { ...KEY, timeframe: "5m" }, candlesFromRows([[T0, 1, 2, 0.5, 1.5, 3]]));
    assert.deepEqual(await listSeries(db), [
      { ...KEY, count: 4, first: T0, last: T0 + 3 * MIN },
      { ...KEY, timeframe: "5m", count: 1, first: T0, last: T0 },
      { ...KEY, venue: "kraken", count: 2, first: T0 + 10 * MIN, last: T0 + 11 * MIN },
    ]);
  }],
  ["listGaps finds each run of missing candles, within an optional range", async ({ db }) => {
    await upsertCandles(db, KEY, minutes(0, 3));
    await upsertCandles(db, KEY, minutes(5, 2)); // 3, 4 missing
    await upsertCandles(db, KEY, minutes(8, 1)); // 7 missing
    assert.deepEqual(await listGaps(db, KEY), [
      { start: T0 + 3 * MIN, end: T0 + 5 * MIN, missing: 2 },
      { start: T0 + 7 * MIN, end: T0 + 8 * MIN, missing: 1 },
    ]);
    assert.deepEqual(await listGaps(db, KEY, { from: T0 + 5 * MIN }), [{
      start: T0 + 7 * MIN,
      end: T0 + 8 * MIN,
      missing: 1,
    }]);
  }],
  ["a large upsert commits batch by batch and reports each commit", async ({ db }) => {
    const commits: number[] = [];
    await upsertCandles(db, KEY, minutes(0, 12_000), { batch: 5000, onCommit: (n) => commits.push(n) });
    assert.deepEqual(commits, [5000, 10_000, 12_000]);
    assert.equal(await countCandles(db, KEY), 12_000);
    assert.deepEqual(await listGaps(db, KEY), []);
  }],
];

export function candleStoreContract(backend: string, open: () => Promise<TestDb>, ignore = false): void {
  for (const [name, run] of CASES) {
    Deno.test({ name: `candles[${backend}]: ${name}`, ignore }, async () => {
      const { database, dispose } = await open();
      try {
        await run(database);
      } finally {
        await dispose();
      }
    });
  }
}
