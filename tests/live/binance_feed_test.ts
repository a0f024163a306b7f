/**
 * The Binance feed through ccxt itself, against a fake Binance on 127.0.0.1 (REST for markets and backfill, a
 * WebSocket for klines): only closed candles become bars, in order; a dropped connection is retried with backoff
 * and the gap is backfilled over REST with no duplicate and no hole; a restart from the snapshot re-emits nothing;
 * a live config with a binance feed passes `live check` and its tree delivers bars to the strategies.
 */
import assert from "node:assert/strict";
import { barsOf, type RingColumns } from "../../actors/strategy_supervisor/history.ts";
import {
  createInProcessHost,
  createWorkerHost,
  type Host,
  type LogRecord,
  memorySink,
  type Message,
} from "../../actors/runtime/mod.ts";
import type { Bar } from "../../actors/protocol/mod.ts";
import { resolveLiveConfig } from "../../actors/system/live_config.ts";
import { buildLiveTree, PATHS } from "../../actors/system/live_tree.ts";
import { type FakeBinance, startFakeBinance } from "../fakes/binance_http.ts";
import { type FakeBinanceWs, type FakeKline, startFakeBinanceWs, streamName } from "../fakes/binance_ws.ts";
import { CLI, DENO_JSON, sleep, writeConfig } from "./helpers.ts";

const FEED = new URL("../../actors/data_feed/binance_feed.ts", import.meta.url).href;
const RECORDER = new URL("./fixtures/recorder.ts", import.meta.url).href;
const MARKETS = [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }, { id: "ETHUSDT", base: "ETH", quote: "USDT" }];
const SYMBOL = { BTCUSDT: "BTC/USDT", ETHUSDT: "ETH/USDT" } as const;
type Id = keyof typeof SYMBOL;
/** Candle i opens at T(i): minutes of a day long past, so every candle the REST fake has is closed. */
const T0 = Date.UTC(2024, 0, 1);
const T = (i: number) => T0 + i * 60_000;

function kline(id: Id, i: number, closed: boolean, drift = 0): FakeKline {
  const base = (id === "BTCUSDT" ? 40_000 : 2_000) + i;
  return {
    symbol: id,
    interval: "1m",
    t: T(i),
    o: base,
    h: base + 5,
    l: base - 5,
    c: base + 1 + drift,
    v: 10 + i,
    closed,
  };
}

/** The bar a closed kline must become. */
function barOf(k: FakeKline): Bar {
  return {
    symbol: SYMBOL[k.symbol as Id],
    timeframe: "1m",
    ts: k.t,
    open: k.o,
    high: k.h,
    low: k.l,
    close: k.c,
    volume: k.v,
  };
}

/** Polls (bounded) until `check` holds; the bound is a hang guard, not a timing assertion. */
async function until(what: string, check: () => boolean | Promise<boolean>, boundMs = 60_000): Promise<void> {
  for (let waited = 0; waited < boundMs; waited += 20) {
    if (await check()) return;
    await sleep(20);
  }
  assert.fail(`gave up waiting for ${what}`);
}

interface Rig {
  readonly rest: FakeBinance;
  readonly ws: FakeBinanceWs;
  /** The REST fake's kline rows per symbol id: append to make the venue's history grow. */
  readonly rows: Record<Id, number[][]>;
  readonly logs: LogRecord[];
  host: Host;
  bars(): Promise<Bar[]>;
  /** A closed candle: on the venue's REST history, and pushed on the stream unless `restOnly`. */
  close(id: Id, i: number, restOnly?: boolean): FakeKline;
  startFeed(snapshot?: unknown, extra?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

function newRig(): Rig {
  const rows: Record<Id, number[][]> = { BTCUSDT: [], ETHUSDT: [] };
  const rest = startFakeBinance({
    markets: MARKETS,
    klines: { "BTCUSDT:1m": rows.BTCUSDT, "ETHUSDT:1m": rows.ETHUSDT },
  });
  const ws = startFakeBinanceWs();
  const logs: LogRecord[] = [];
  const rig: Rig = {
    rest,
    ws,
    rows,
    logs,
    host: createInProcessHost({ logSink: memorySink(logs), logLevel: "info" }),
    async bars() {
      const reply = await rig.host.ask<{ type: "Events"; events: Message[] }>("t/sink", { type: "GetEvents" }, 5_000);
      return reply.events.filter((m) => m.type === "Bar").map((m) => (m as unknown as { bar: Bar }).bar);
    },
    close(id, i, restOnly = false) {
      const k = kline(id, i, true);
      rows[id].push([k.t, k.o, k.h, k.l, k.c, k.v]);
      if (!restOnly) ws.push(k);
      return k;
    },
    async startFeed(snapshot, extra = {}) {
      rig.host = createInProcessHost({
        logSink: memorySink(logs),
        logLevel: "info",
        ...(snapshot ? { snapshots: new Map([["t/feed", snapshot]]) } : {}),
      });
      await rig.host.start({
        kind: "supervisor",
        id: "t",
        strategy: "one_for_one",
        children: [
          { kind: "actor", id: "sink", module: RECORDER },
          {
            kind: "actor",
            id: "feed",
            module: FEED,
            config: {
              symbols: ["BTC/USDT", "ETH/USDT"],
              timeframe: "1m",
              target: "t/sink",
              apiUrl: rest.url,
              wsUrl: ws.url,
              ...extra,
            },
          },
        ],
      });
      await ws.subscribed(streamName("BTCUSDT", "1m"));
      await ws.subscribed(streamName("ETHUSDT", "1m"));
    },
    async stop() {
      await rig.host.stop();
      await ws.close();
      await rest.close();
    },
  };
  return rig;
}

const logged = (logs: LogRecord[], msg: string) => logs.filter((r) => r.msg === msg);

Deno.test("binance feed: closed candles become bars in order; an update of the open candle does not", async () => {
  const rig = newRig();
  try {
    await rig.startFeed();
    rig.ws.push(kline("BTCUSDT", 0, false));
    const btc0 = rig.close("BTCUSDT", 0);
    const eth0 = rig.close("ETHUSDT", 0);
    rig.ws.push(kline("BTCUSDT", 1, false, -3));
    rig.ws.push(kline("ETHUSDT", 1, false, 7)); // never closes on the stream
    const btc1 = rig.close("BTCUSDT", 1);
    rig.ws.push(kline("BTCUSDT", 2, false));
    // A later closed candle on the same connection: everything pushed before it has been handled.
    const btc2 = rig.close("BTCUSDT", 2, false);
    await until("4 bars", async () => (await rig.bars()).length >= 4);
    assert.deepEqual(await rig.bars(), [btc0, eth0, btc1, btc2].map(barOf));
    // A fresh start has nothing to backfill.
    assert.equal(rig.rest.count("/api/v3/klines"), 0);
  } finally {
    await rig.stop();
  }
});

Deno.test("binance feed: a dropped stream reconnects with backoff and backfills the gap over REST, no dup, no hole", async () => {
  const rig = newRig();
  try {
    // pageLimit 2: the 3 missed candles per symbol take 2 pages each.
    await rig.startFeed(undefined, { pageLimit: 2 });
    for (let i = 0; i <= 2; i++) for (const id of ["BTCUSDT", "ETHUSDT"] as const) rig.close(id, i);
    await until("6 streamed bars", async () => (await rig.bars()).length >= 6);

    rig.ws.refuse(2);
    rig.ws.dropAll();
    // The venue keeps trading while the feed is away: candles 3..5 close on the REST side only.
    for (let i = 3; i <= 5; i++) for (const id of ["BTCUSDT", "ETHUSDT"] as const) rig.close(id, i, true);
    await rig.ws.subscribed(streamName("BTCUSDT", "1m"));
    rig.ws.push(kline("BTCUSDT", 6, false)); // the first frame after the reconnect: backfill, then stream
    await until("the backfill", () => logged(rig.logs, "backfilled over REST").length > 0);
    for (const id of ["BTCUSDT", "ETHUSDT"] as const) rig.close(id, 6);
    for (const id of ["BTCUSDT", "ETHUSDT"] as const) rig.close(id, 7);
    await until("16 bars", async () => (await rig.bars()).length >= 16);

    const expected = [];
    for (let i = 0; i <= 7; i++) {
      for (const id of ["BTCUSDT", "ETHUSDT"] as const) expected.push(barOf(kline(id, i, true)));
    }
    assert.deepEqual(await rig.bars(), expected);

    assert.equal(rig.ws.refused, 2);
    assert.equal(rig.ws.accepted, 2);
    const downs = logged(rig.logs, "stream down; reconnecting");
    assert.deepEqual(downs.map((r) => [r.attempt, r.inMs]), [[1, 100], [2, 200], [3, 400]]);
    assert.deepEqual(logged(rig.logs, "stream reconnected").map((r) => r.failedAttempts), [3]);
    const backfills = logged(rig.logs, "backfilled over REST");
    assert.deepEqual(backfills.map((r) => [r.bars, r.requests, r.gaps]), [[6, 4, 0]]);
    // since = last emitted open time + 1 timeframe, for each symbol.
    const firstPages = rig.rest.requests.filter((r) => r.path === "/api/v3/klines" && r.params.startTime === `${T(3)}`);
    assert.deepEqual(firstPages.map((r) => r.params.symbol).sort(), ["BTCUSDT", "ETHUSDT"]);
  } finally {
    await rig.stop();
  }
});

Deno.test("binance feed: restarted from its snapshot, it re-emits nothing and backfills what closed meanwhile", async () => {
  const rig = newRig();
  try {
    await rig.startFeed();
    for (let i = 0; i <= 2; i++) for (const id of ["BTCUSDT", "ETHUSDT"] as const) rig.close(id, i);
    await until("6 bars", async () => (await rig.bars()).length >= 6);
    const snapshot = rig.host.lastSnapshot("t/feed");
    assert.deepEqual(snapshot, { last: { "BTC/USDT": T(2), "ETH/USDT": T(2) } });
    await rig.host.stop();

    for (const id of ["BTCUSDT", "ETHUSDT"] as const) rig.close(id, 3, true);
    await rig.startFeed(snapshot);
    // The venue repeats the last closed candle (as after a reconnect): already emitted, so dropped.
    rig.ws.push(kline("BTCUSDT", 2, true));
    rig.ws.push(kline("ETHUSDT", 2, true));
    for (const id of ["BTCUSDT", "ETHUSDT"] as const) rig.close(id, 4);
    await until("4 bars after the restart", async () => (await rig.bars()).length >= 4);
    await until("the feed to be idle", async () => {
      const state = await rig.host.ask<{ type: "FeedState"; last: Record<string, number> }>(
        "t/feed",
        { type: "GetFeedState" },
        5_000,
      );
      return state.last["ETH/USDT"] === T(4);
    });
    const expected = [3, 4].flatMap((i) => (["BTCUSDT", "ETHUSDT"] as const).map((id) => barOf(kline(id, i, true))));
    assert.deepEqual(await rig.bars(), expected);
  } finally {
    await rig.stop();
  }
});

Deno.test("binance feed: a hole in the venue's own history is logged, not filled", async () => {
  const rig = newRig();
  try {
    await rig.startFeed();
    rig.close("BTCUSDT", 0);
    await until("1 bar", async () => (await rig.bars()).length >= 1);
    // Candle 1 never existed at the venue; 2 and 3 closed on REST, 4 on the stream.
    rig.close("BTCUSDT", 2, true);
    rig.close("BTCUSDT", 3, true);
    rig.close("BTCUSDT", 4);
    await until("4 bars", async () => (await rig.bars()).length >= 4);
    assert.deepEqual((await rig.bars()).map((b) => b.ts), [T(0), T(2), T(3), T(4)]);
    const holes = logged(rig.logs, "venue has no candles here; not filled");
    assert.deepEqual(holes.map((r) => [r.symbol, r.missing]), [["BTC/USDT", 1]]);
    assert.deepEqual(logged(rig.logs, "stream skipped candles; filled over REST").map((r) => r.bars), [2]);
  } finally {
    await rig.stop();
  }
});

Deno.test("binance feed: a live config with feed.type binance passes live check; its tree feeds the strategies, also after a restart", async () => {
  const btcRows: number[][] = [];
  const rest = startFakeBinance({ markets: MARKETS, klines: { "BTCUSDT:1m": btcRows } });
  const ws = startFakeBinanceWs();
  const dir = await Deno.makeTempDir({ prefix: "binance-feed-" });
  const raw = {
    mode: "paper",
    dataDir: dir,
    control: { hostname: "127.0.0.1", port: 0 },
    venue: { type: "paper", name: "paper", initialCash: 10_000, commission: 0, defaultStep: 0.0001 },
    feed: { type: "binance", symbols: ["BTC/USDT"], timeframe: "1m", sandbox: false, apiUrl: rest.url, wsUrl: ws.url },
    strategies: [{ id: "ma-btc", strategy: "sma_cross", params: { fast: 2, slow: 3 }, capital: 10_000 }],
    statusEveryMs: 0,
  };
  const closeCandle = (i: number, stream = true) => {
    const k = kline("BTCUSDT", i, true);
    btcRows.push([k.t, k.o, k.h, k.l, k.c, k.v]);
    if (stream) ws.push(k);
  };
  const strategyBars = (host: Host) =>
    barsOf((host.lastSnapshot(PATHS.strategy("ma-btc")) as { history?: RingColumns[] } | undefined)?.history ?? []);
  let host: Host | undefined;
  try {
    const path = await writeConfig(dir, raw);
    const check = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", DENO_JSON, CLI, "check", "--config", path],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
    assert.match(new TextDecoder().decode(check.stdout), /ok \(paper, venue paper, 1 strategies\)/);

    const config = await resolveLiveConfig(raw, { env: () => undefined, baseDir: dir });
    host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
    await host.start(buildLiveTree(config));
    await ws.subscribed(streamName("BTCUSDT", "1m"));
    for (let i = 0; i < 5; i++) closeCandle(i);
    const first = host;
    await until("the strategy to hold 5 bars", () => strategyBars(first).length >= 5);
    assert.deepEqual(strategyBars(first).map((b) => b.ts), [0, 1, 2, 3, 4].map(T));
    assert.deepEqual(strategyBars(first)[4], barOf(kline("BTCUSDT", 4, true)));
    await host.stop();

    // The daemon is down (snapshots gone with it) while candles 5 and 6 close; it comes back on the same journal.
    closeCandle(5, false);
    closeCandle(6, false);
    host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
    await host.start(buildLiveTree(config));
    await ws.subscribed(streamName("BTCUSDT", "1m"));
    closeCandle(7);
    const second = host;
    // The adapter replays journaled bars 0..4 to the fresh strategy; the feed backfills 5, 6 and streams 7.
    await until("the strategy to hold 8 bars", () => strategyBars(second).length >= 8);
    assert.deepEqual(strategyBars(second).map((b) => b.ts), [0, 1, 2, 3, 4, 5, 6, 7].map(T));
  } finally {
    await host?.stop();
    await ws.close();
    await rest.close();
    await Deno.remove(dir, { recursive: true });
  }
});
