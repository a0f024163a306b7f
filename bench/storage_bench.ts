/**
 * Journal append throughput per backend, batched and not; candle upsert throughput. One JSON line per measurement
 * (bench/row.ts): {"bench":"storage_journal_append","unit":"events/s","value":...,"backend":"sqlite","batch":1,...}
 * Run: deno run -A bench/storage_bench.ts [--events N]. Backends that cannot be reached are skipped (on stderr).
 */
import { parseArgs } from "node:util";
import { type Database, openDatabase } from "../storage/db.ts";
import { createSqlJournal } from "../storage/journal/sql_journal.ts";
import { connect, openRedisJournal } from "../storage/journal/redis_journal.ts";
import type { Journal, NewEvent } from "../storage/journal/types.ts";
import { upsertCandles } from "../storage/market/candles.ts";
import { candlesFromRows } from "../storage/market/columns.ts";
import { printRow } from "./row.ts";

const { values } = parseArgs({ args: Deno.args, options: { events: { type: "string", default: "2000" } } });
const EVENTS = Number(values.events);
const PG_URL = Deno.env.get("TRADEACTOR_PG_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = Deno.env.get("TRADEACTOR_REDIS_URL") ?? "redis://127.0.0.1:6379";
const RUN = `bench_${Date.now().toString(36)}`;

function events(n: number, tag: string): NewEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    eventId: `${tag}-${i}`,
    stream: `/strategies/s${i % 4}`,
    type: "OrderFilled",
    ts: 1_700_000_000_000 + i,
    payload: { orderId: `o-${i}`, price: 100 + i / 100, qty: 0.01 },
  }));
}

async function benchJournal(backend: string, journal: Journal): Promise<void> {
  for (const batch of [1, 100]) {
    const n = batch === 1 ? EVENTS : EVENTS * 10;
    const all = events(n, `${backend}-${batch}`);
    const start = performance.now();
    for (let i = 0; i < n; i += batch) await journal.append(all.slice(i, i + batch));
    const seconds = (performance.now() - start) / 1000;
    printRow({
      bench: "storage_journal_append",
      unit: "events/s",
      value: Math.round(n / seconds),
      backend,
      batch,
      events: n,
    });
  }
}

async function benchCandles(backend: string, database: Database): Promise<void> {
  const n = EVENTS * 50;
  const t0 = Date.UTC(2024, 0, 1);
  const candles = candlesFromRows(Array.from({ length: n }, (_, i) => [t0 + i * 60_000, 100, 101, 99, 100.5, 3]));
  const start = performance.now();
  await upsertCandles(database.db, { venue: "bench", symbol: RUN, timeframe: "1m" }, candles);
  const seconds = (performance.now() - start) / 1000;
  printRow({
    bench: "storage_candle_upsert",
    unit: "candles/s",
    value: Math.round(n / seconds),
    backend,
    batch: 5000,
    candles: n,
  });
}

async function sqlite(): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "ta_bench_" });
  const database = await openDatabase({ dataDir });
  try {
    await benchJournal("sqlite", createSqlJournal(database));
    await benchCandles("sqlite", database);
  } finally {
    await database.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function postgres(): Promise<void> {
  let database: Database;
  try {
    database = await openDatabase({ url: PG_URL, schema: RUN });
  } catch (error) {
    console.error(`skip postgres: ${(error as Error).message}`);
    return;
  }
  try {
    await benchJournal("postgres", createSqlJournal(database));
    await benchCandles("postgres", database);
  } finally {
    await database.db.schema.dropSchema(RUN).cascade().execute();
    await database.close();
  }
}

async function redis(): Promise<void> {
  let journal;
  try {
    journal = await openRedisJournal({ url: REDIS_URL, prefix: RUN });
  } catch (error) {
    console.error(`skip redis: ${(error as Error).message}`);
    return;
  }
  try {
    await benchJournal("redis", journal);
  } finally {
    await journal.close();
    const client = await connect(REDIS_URL);
    const keys = await client.keys(`{${RUN}}:*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  }
}

if (import.meta.main) {
  await sqlite();
  await postgres();
  await redis();
}
