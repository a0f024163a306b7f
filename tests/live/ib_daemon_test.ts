/**
 * The live tree with an IB venue and an IB feed against the fake TWS: realtime bars reach the strategy as closed
 * 1-minute bars, its crossover becomes an IB order carrying its client order id as orderRef, and the fill comes back
 * with IB's commission. With `"ticks": true`, IB's top-of-book ticks reach the strategies' `onTick` (through the risk
 * guardian), in order, the newest last. The contract rules IB resolves (tick size, size increment, multiplier) reach the
 * risk guardian, which checks orders against them as against configured instruments.
 */
import assert from "node:assert/strict";
import { barsOf, type RingColumns } from "../../actors/strategy_supervisor/history.ts";
import { createWorkerHost, type Host, type Message } from "../../actors/runtime/mod.ts";
import type { OrderEvent, OrderRequest } from "../../actors/protocol/mod.ts";
import { resolveLiveConfig } from "../../actors/system/live_config.ts";
import { buildLiveTree, PATHS } from "../../actors/system/live_tree.ts";
import { defaultInstruments, startFakeTws, type WireBar } from "../fakes/tws.ts";
import { sleep } from "./helpers.ts";

const MIN = 60_000;
const TICK_PROBE = new URL("./fixtures/tick_probe.ts", import.meta.url).pathname;
const RECORDER = new URL("./fixtures/recorder.ts", import.meta.url).href;

async function until(what: string, check: () => boolean | Promise<boolean>, boundMs = 60_000): Promise<void> {
  for (let waited = 0; waited < boundMs; waited += 20) {
    if (await check()) return;
    await sleep(20);
  }
  assert.fail(`gave up waiting for ${what}`);
}

/** Twelve 5-second bars of minute `m` closing at `close`. */
const minute = (m: number, close: number): WireBar[] =>
  Array.from({ length: 12 }, (_, i) => ({
    time: (m + 5_000 * i) / 1000,
    open: close,
    high: close,
    low: close,
    close,
    volume: 100,
  }));

Deno.test("ib daemon: IB bars drive the strategy, its order goes to TWS with its client order id, the fill comes back", async () => {
  const fake = startFakeTws({ instruments: defaultInstruments() });
  const dir = await Deno.makeTempDir({ prefix: "ib-daemon-" });
  const raw = {
    mode: "live",
    dataDir: dir,
    control: { hostname: "127.0.0.1", port: 0 },
    venue: {
      type: "ib",
      name: "ib",
      port: fake.port,
      clientId: 1,
      pollMs: 20,
      contracts: { AAPL: { secType: "STK" } },
    },
    feed: { type: "ib", symbols: ["AAPL"], timeframe: "1m", port: fake.port, clientId: 2 },
    strategies: [{ id: "ma-aapl", strategy: "sma_cross", params: { fast: 2, slow: 3 }, capital: 10_000 }],
    statusEveryMs: 0,
  };
  let host: Host | undefined;
  try {
    const config = await resolveLiveConfig(raw, { env: () => undefined, baseDir: dir });
    host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
    await host.start(buildLiveTree(config));
    await until("the feed's subscription", () => fake.subscribers("AAPL").realtime > 0);
    // Minutes starting now: the first realtime bar opens its minute, so no bar is partial.
    const m0 = Math.ceil(Date.now() / MIN) * MIN;
    const closes = [100, 99, 98, 97, 105, 110, 115];
    for (const [i, c] of closes.entries()) {
      fake.setPrice("AAPL", c);
      for (const b of minute(m0 + i * MIN, c)) fake.pushRealtimeBar("AAPL", b);
    }
    const h = host;
    const strategyBars = () =>
      barsOf((h.lastSnapshot(PATHS.strategy("ma-aapl")) as { history?: RingColumns[] } | undefined)?.history ?? []);
    await until("the strategy to hold 7 bars", () => strategyBars().length >= 7);
    assert.deepEqual(strategyBars().map((b) => b.close), closes);
    await until("an order at TWS", () => fake.placed.length > 0);
    const placed = fake.orders.get(fake.placed[0])!;
    assert.match(placed.orderRef, /^ma-aapl-\d+$/);
    assert.equal(placed.action, "BUY");
    await until("its fill", () => fake.executions.length > 0);
    assert.ok(fake.executions[0].shares > 0);
  } finally {
    await host?.stop();
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ib daemon: IB ticks reach a strategy's onTick; bars still come", async () => {
  const fake = startFakeTws({ instruments: defaultInstruments() });
  const dir = await Deno.makeTempDir({ prefix: "ib-ticks-" });
  const raw = {
    mode: "live",
    dataDir: dir,
    control: { hostname: "127.0.0.1", port: 0 },
    venue: { type: "ib", name: "ib", port: fake.port, clientId: 1, contracts: { AAPL: { secType: "STK" } } },
    feed: { type: "ib", symbols: ["AAPL"], timeframe: "1m", port: fake.port, clientId: 2, ticks: true },
    strategies: [{ id: "probe", strategy: TICK_PROBE, capital: 10_000 }],
    statusEveryMs: 0,
  };
  let host: Host | undefined;
  try {
    const config = await resolveLiveConfig(raw, { env: () => undefined, baseDir: dir });
    host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
    await host.start(buildLiveTree(config));
    await until("the feed's subscription", () => fake.subscribers("AAPL").realtime > 0);
    const h = host;
    const seen = () =>
      (h.lastSnapshot(PATHS.strategy("probe")) as { user?: { ticks: { price: number }[]; bars: number } } | undefined)
        ?.user;
    // The adapter is ready once it has reconciled; ticks before that still reach the guardian. Push until one lands.
    await until("a first tick at the strategy", () => {
      fake.pushTick("AAPL", "last", 100, 1);
      return (seen()?.ticks.length ?? 0) > 0;
    });
    const prices = Array.from({ length: 200 }, (_, i) => 101 + i / 100);
    for (const p of prices) fake.pushTick("AAPL", "last", p, 1);
    const last = prices.at(-1)!;
    await until("the last tick at the strategy", () => seen()?.ticks.at(-1)?.price === last);
    const got = seen()!.ticks.map((t) => t.price).filter((p) => p > 100);
    // In order, none twice; a strategy that fell behind skips to the newest (conflated), never back.
    for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `tick ${got[i]} after ${got[i - 1]}`);
    assert.ok(got.every((p) => prices.includes(p)));
    const m0 = Math.ceil(Date.now() / MIN) * MIN;
    for (const m of [0, 1]) for (const b of minute(m0 + m * MIN, 100 + m)) fake.pushRealtimeBar("AAPL", b);
    await until("a bar at the strategy", () => (seen()?.bars ?? 0) >= 1);
  } finally {
    await host?.stop();
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ib daemon: the contract rules IB resolves reach the risk guardian: tick size, step and multiplier checked", async () => {
  const fake = startFakeTws({ instruments: defaultInstruments() });
  const dir = await Deno.makeTempDir({ prefix: "ib-rules-" });
  const raw = {
    mode: "live",
    dataDir: dir,
    control: { hostname: "127.0.0.1", port: 0 },
    venue: {
      type: "ib",
      name: "ib",
      port: fake.port,
      clientId: 1,
      contracts: {
        AAPL: { secType: "STK" },
        ES: { secType: "FUT", lastTradeDateOrContractMonth: "202612", exchange: "CME" },
      },
    },
    feed: { type: "ib", symbols: ["AAPL"], timeframe: "1m", port: fake.port, clientId: 2 },
    risk: { maxOrderNotional: 100_000 },
    strategies: [{ id: "probe", strategy: TICK_PROBE, capital: 10_000 }],
    statusEveryMs: 0,
  };
  let host: Host | undefined;
  try {
    const config = await resolveLiveConfig(raw, { env: () => undefined, baseDir: dir });
    const tree = buildLiveTree(config);
    host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
    await host.start({ ...tree, children: [...tree.children, { kind: "actor", id: "orders", module: RECORDER }] });
    const h = host;
    const decisions = async () =>
      (await h.ask<Message & { decisions: { decision: string; detail: string }[] }>(PATHS.risk, {
        type: "GetRiskState",
      }, 5_000)).decisions;
    await until(
      "the resolved rules at the guardian",
      async () => (await decisions()).some((d) => d.decision === "instruments"),
    );
    let n = 0;
    const submit = (symbol: string, limitPrice: number, qty: number) => {
      const order: OrderRequest = {
        clientOrderId: `probe-x${++n}`,
        strategyId: "probe",
        venue: "ib",
        symbol,
        side: "buy",
        type: "limit",
        qty,
        limitPrice,
        tif: "DAY",
        ts: Date.now(),
      };
      h.tell(PATHS.risk, { type: "SubmitOrder", order, replyTo: "live/orders" });
    };
    submit("AAPL", 150.005, 1); // IB's tick for AAPL is 0.01
    submit("ES", 6_000, 1); // 6,000 × 1 × IB's multiplier 50 = 300,000 > maxOrderNotional
    submit("AAPL", 150, 2.5); // IB's size increment is 1: 2 go to TWS
    const events = async () =>
      (await h.ask<Message & { events: OrderEvent[] }>("live/orders", { type: "GetEvents" }, 5_000)).events;
    await until("the answers", async () => (await events()).filter((e) => e.type === "OrderDenied").length >= 2);
    const denied = (await events()).flatMap((e) => (e.type === "OrderDenied" ? [e] : []));
    assert.match(denied.find((e) => e.clientOrderId === "probe-x1")!.reason, /not a multiple of the tick size 0\.01/);
    assert.match(denied.find((e) => e.clientOrderId === "probe-x2")!.reason, /300000/);
    assert.equal(denied.some((e) => e.clientOrderId === "probe-x3"), false);
    await until("the snapped order at TWS", () => fake.placed.length > 0);
    assert.equal(fake.orders.get(fake.placed[0])!.totalQuantity, 2);
  } finally {
    await host?.stop();
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});
