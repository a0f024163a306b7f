/**
 * The IB feed through @stoqey/ib against the fake TWS: 5-second realtime bars become closed 1-minute bars; the
 * bucket already running when the feed subscribed comes from historical bars (after a pacing violation is waited
 * out), not from its partial realtime tail; a dropped socket resubscribes and re-emits nothing; ticks reach the
 * target. Also `data download --exchange ib`'s source: only missing ranges are asked for.
 */
import assert from "node:assert/strict";
import { createWorkerHost, type Message, type WorkerHost } from "../../actors/runtime/mod.ts";
import type { Bar, Tick } from "../../actors/protocol/mod.ts";
import { ibOhlcvSource } from "../../actors/data_feed/ib/ohlcv_source.ts";
import { downloadCandles } from "../../storage/market/download.ts";
import { defaultInstruments, type FakeTws, startFakeTws, type WireBar } from "../fakes/tws.ts";
import { openTestSqlite } from "../storage/services.ts";
import { runCli } from "../storage/cli_helpers.ts";
import { sleep } from "./helpers.ts";

const FEED = new URL("../../actors/data_feed/ib_feed.ts", import.meta.url).href;
const RECORDER = new URL("./fixtures/recorder.ts", import.meta.url).href;
const MIN = 60_000;

async function startFeed(fake: FakeTws): Promise<WorkerHost> {
  const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "adapter", module: RECORDER },
      {
        kind: "actor",
        id: "feed",
        module: FEED,
        config: {
          symbols: { AAPL: { secType: "STK", primaryExch: "NASDAQ" } },
          timeframe: "1m",
          target: "t/adapter",
          port: fake.port,
          clientId: 2,
          ticks: true,
          timeoutMs: 2_000,
          backoff: { minMs: 50, maxMs: 200 },
          pacingBackoffMs: 50,
        },
      },
    ],
  });
  return host;
}

async function received(host: WorkerHost): Promise<Message[]> {
  return (await host.ask<Message & { events: Message[] }>("t/adapter", { type: "GetEvents" }, 5_000)).events;
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const bars = async (host: WorkerHost) =>
  (await received(host)).filter((m) => m.type === "Bar").map((m) => (m as unknown as { bar: Bar }).bar);

/** 5-second bars of minute `m` from second `from`: close rises 0.01 per bar. */
const fives = (m: number, from = 0): WireBar[] =>
  Array.from({ length: (60 - from) / 5 }, (_, i) => {
    const t = m + (from + 5 * i) * 1000;
    return { time: t / 1000, open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 10 };
  });

Deno.test("ib feed: closed 1-minute bars from 5-second bars; the running bucket from history; reconnects re-emit nothing", async () => {
  const m0 = Math.floor(Date.now() / MIN) * MIN;
  const history = { AAPL: [{ time: m0 / 1000, open: 50, high: 60, low: 40, close: 55, volume: 1_000 }] };
  const fake = startFakeTws({ instruments: defaultInstruments(), history });
  const host = await startFeed(fake);
  try {
    fake.pacing(1); // the first historical request is refused: waited out and asked again
    await until(() => fake.subscribers("AAPL").realtime === 0 ? undefined : true, "the subscription");
    // The feed subscribed during minute m0: its tail from second 30 is partial.
    for (const b of fives(m0, 30)) fake.pushRealtimeBar("AAPL", b);
    for (const b of fives(m0 + MIN)) fake.pushRealtimeBar("AAPL", b);
    const got = await until(async () => {
      const list = await bars(host);
      return list.length >= 2 ? list : undefined;
    }, "two bars");
    assert.deepEqual(got[0], {
      symbol: "AAPL",
      timeframe: "1m",
      ts: m0,
      open: 50,
      high: 60,
      low: 40,
      close: 55,
      volume: 1_000,
    });
    assert.deepEqual(got[1], {
      symbol: "AAPL",
      timeframe: "1m",
      ts: m0 + MIN,
      open: 100,
      high: 112,
      low: 99,
      close: 111.5,
      volume: 120,
    });
    assert.equal(fake.historyRequests.length, 2, "one pacing violation, one retry");
    assert.equal(fake.historyRequests[0].barSize, "1 min");

    fake.drop();
    await until(() => fake.open === 0 ? undefined : true, "the reconnect");
    await until(() => fake.subscribers("AAPL").realtime === 0 ? undefined : true, "resubscription");
    for (const b of fives(m0 + 2 * MIN)) fake.pushRealtimeBar("AAPL", b);
    const after = await until(async () => {
      const list = await bars(host);
      return list.length >= 3 ? list : undefined;
    }, "the bar after the reconnect");
    assert.deepEqual(after.map((b) => b.ts), [m0, m0 + MIN, m0 + 2 * MIN], "in order, none twice");

    fake.pushTick("AAPL", "bid", 189.9, 100);
    fake.pushTick("AAPL", "ask", 190.1, 100);
    const tick = await until(async () => {
      const t = (await received(host)).filter((m) => m.type === "Tick").map((m) =>
        (m as unknown as { tick: Tick }).tick
      );
      return t.length >= 2 ? t[1] : undefined;
    }, "ticks");
    assert.deepEqual([tick.symbol, tick.bid, tick.ask, tick.price], ["AAPL", 189.9, 190.1, 190]);
  } finally {
    await host.stop();
    await fake.close();
  }
});

Deno.test("ib download source: only missing ranges are asked for; a pacing violation is waited out", async () => {
  const t0 = Date.UTC(2026, 10, 2);
  // Two days of 1-minute bars with a night gap (no bars 22:00-06:00), as a stock's history has.
  const all: WireBar[] = [];
  for (let m = 0; m < 2 * 1440; m++) {
    const h = (m % 1440) / 60;
    if (h >= 22 || h < 6) continue;
    all.push({ time: (t0 + m * MIN) / 1000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 });
  }
  const fake = startFakeTws({ instruments: defaultInstruments(), history: { AAPL: all } });
  const t = await openTestSqlite();
  const source = ibOhlcvSource({
    host: "127.0.0.1",
    port: fake.port,
    clientId: 9,
    pacingBackoffMs: 20,
    timeoutMs: 5_000,
  });
  try {
    const req = { venue: "ib", symbol: "AAPL", timeframe: "1m" as const, from: t0, to: t0 + 1440 * MIN };
    fake.pacing(1);
    const first = await downloadCandles(t.database.db, source, req, { now: () => t0 + 3 * 1440 * MIN });
    assert.equal(first.stored, 16 * 60, "one day's 16 hours of bars");
    assert.equal(fake.historyRequests.length, 2, "one day in one window, plus the retry after error 162");
    const again = await downloadCandles(t.database.db, source, req, { now: () => t0 + 3 * 1440 * MIN });
    assert.equal(again.requests, 0, "all cached");
    const more = await downloadCandles(t.database.db, source, { ...req, to: t0 + 2 * 1440 * MIN }, {
      now: () => t0 + 3 * 1440 * MIN,
    });
    assert.equal(more.stored, 16 * 60);
    const asked = fake.historyRequests.slice(2);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].end, (t0 + 2 * 1440 * MIN) / 1000, "only the second day was asked for");
  } finally {
    source.close();
    await t.dispose();
    await fake.close();
  }
});

Deno.test("data download --exchange ib: stores IB's bars, then a second run asks nothing; a bad --ib is a usage error", async () => {
  const t0 = Date.UTC(2026, 10, 2);
  const bars: WireBar[] = Array.from({ length: 600 }, (_, m) => ({
    time: (t0 + (360 + m) * MIN) / 1000,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 3,
  }));
  const fake = startFakeTws({ instruments: defaultInstruments(), history: { AAPL: bars } });
  const dir = await Deno.makeTempDir({ prefix: "ib-download-" });
  const args = (ib: string) => [
    "download",
    "--exchange",
    "ib",
    "--ib",
    ib,
    "--symbol",
    "AAPL",
    "--timeframe",
    "1m",
    "--from",
    "2026-11-02",
    "--to",
    "2026-11-03",
    "--data-dir",
    dir,
  ];
  try {
    const first = await runCli(args(`127.0.0.1:${fake.port}:9`));
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /downloaded 600 candles of AAPL 1m from ib in 1 requests/);
    const again = await runCli(args(`127.0.0.1:${fake.port}:9`));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /in 0 requests \(all cached\)/);
    assert.equal(fake.historyRequests.length, 1);
    const bad = await runCli(args("localhost"));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--ib localhost: expected HOST:PORT/);
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});
