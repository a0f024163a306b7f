/**
 * The Binance adapter in a real Worker, through ccxt itself, against the fake Binance on 127.0.0.1: orders placed,
 * filled and cancelled; 429 backs off and retries once; a late acknowledgement is adopted, not resent; a dropped
 * server is reconciled when it is back; an unreadable account keeps trading halted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createWorkerHost, type Message, type WorkerHost } from "../../actors/runtime/mod.ts";
import type { OrderEvent, OrderRequest } from "../../actors/protocol/mod.ts";
import { type FakeTrading, startFakeTrading } from "../fakes/binance_trading.ts";
import { sleep } from "./helpers.ts";

const KEY = "test-key";
const SECRET = "test-secret";
const ADAPTER = new URL("../../actors/exchange/binance/adapter.ts", import.meta.url).href;
const RECORDER = new URL("./fixtures/recorder.ts", import.meta.url).href;

interface Rig {
  readonly fake: FakeTrading;
  readonly host: WorkerHost;
  readonly dir: string;
  stop(): Promise<void>;
}

function newFake(): FakeTrading {
  return startFakeTrading({
    markets: [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }],
    apiKey: KEY,
    secret: SECRET,
    prices: { BTCUSDT: 50_000 },
    balances: { USDT: 100_000, BTC: 0 },
  });
}

async function startRig(fake: FakeTrading, dir?: string): Promise<Rig> {
  const root = dir ?? await Deno.makeTempDir({ prefix: "binance-adapter-" });
  const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "risk", module: RECORDER },
      {
        kind: "actor",
        id: "exchange",
        module: ADAPTER,
        config: {
          venue: "binance",
          db: `sqlite:${join(root, "journal.sqlite")}`,
          downstream: "t/risk",
          pollMs: 100,
          backoff: { minMs: 50, maxMs: 400 },
          client: { apiKey: KEY, secret: SECRET, apiUrl: fake.url, timeoutMs: 800, symbols: ["BTC/USDT"] },
        },
      },
    ],
  });
  return { fake, host, dir: root, stop: () => host.stop() };
}

let seq = 0;
function order(type: "market" | "limit", side: "buy" | "sell", qty: number, limitPrice?: number): OrderRequest {
  return {
    clientOrderId: `t1-${++seq}`,
    strategyId: "t1",
    venue: "binance",
    symbol: "BTC/USDT",
    side,
    type,
    qty,
    tif: "GTC",
    ts: Date.now(),
    ...(limitPrice !== undefined ? { limitPrice } : {}),
  };
}

async function events(host: WorkerHost): Promise<OrderEvent[]> {
  const reply = await host.ask<Message & { events: OrderEvent[] }>("t/risk", { type: "GetEvents" }, 5_000);
  return reply.events;
}

/** Polls until `predicate` holds over the recorded events (bounded). */
async function until(host: WorkerHost, predicate: (e: OrderEvent[]) => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await events(host);
    if (predicate(list)) return list;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(list.map((e) => e.type))}`);
    }
    await sleep(50);
  }
}

const has = (type: string, cid: string) => (list: OrderEvent[]) =>
  list.some((e) => e.type === type && "clientOrderId" in e && e.clientOrderId === cid);

async function phase(host: WorkerHost): Promise<string> {
  const s = await host.ask<Message & { phase: string }>("t/exchange", { type: "GetAdapterState" }, 5_000);
  return s.phase;
}

async function untilPhase(host: WorkerHost, wanted: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while ((await phase(host)) !== wanted) {
    if (Date.now() > deadline) throw new Error(`adapter never reached phase ${wanted}`);
    await sleep(50);
  }
}

const submit = (host: WorkerHost, o: OrderRequest) =>
  host.tell("t/exchange", { type: "SubmitOrder", order: o, replyTo: "t/risk" });

Deno.test("binance adapter: market and limit orders placed, filled and cancelled through ccxt", async () => {
  const fake = newFake();
  const rig = await startRig(fake);
  try {
    const market = order("market", "buy", 0.01);
    submit(rig.host, market);
    const list = await until(rig.host, has("OrderFilled", market.clientOrderId), "the market fill");
    const fill = list.find((e) => e.type === "OrderFilled")!;
    assert.equal(fill.type === "OrderFilled" && fill.fill.price, 50_000);
    assert.equal(fill.type === "OrderFilled" && fill.fill.qty, 0.01);

    const resting = order("limit", "buy", 0.02, 49_000);
    submit(rig.host, resting);
    await until(rig.host, has("OrderAccepted", resting.clientOrderId), "the limit order's acceptance");
    fake.fill(resting.clientOrderId, 49_000);
    await until(rig.host, has("OrderFilled", resting.clientOrderId), "the polled fill of the limit order");

    const toCancel = order("limit", "sell", 0.01, 60_000);
    submit(rig.host, toCancel);
    await until(rig.host, has("OrderAccepted", toCancel.clientOrderId), "acceptance");
    rig.host.tell("t/exchange", {
      type: "CancelOrder",
      clientOrderId: toCancel.clientOrderId,
      strategyId: "t1",
      replyTo: "t/risk",
    });
    await until(rig.host, has("OrderCanceled", toCancel.clientOrderId), "the cancel");
    assert.equal(fake.orders.get(toCancel.clientOrderId)?.status, "CANCELED");
    assert.equal(fake.submits.length, new Set(fake.submits).size);
    assert.equal(fake.submits.length, 3);
  } finally {
    await rig.stop();
    await fake.close();
  }
});

Deno.test("binance adapter: a 429 backs off, then the order is placed exactly once", async () => {
  const fake = newFake();
  const rig = await startRig(fake);
  try {
    fake.faults.push({ route: "POST /api/v3/order", status: 429, times: 2 });
    const o = order("market", "buy", 0.01);
    submit(rig.host, o);
    await until(rig.host, has("OrderFilled", o.clientOrderId), "the fill after backing off");
    assert.equal(fake.count("/api/v3/order", "POST"), 3, "two refused attempts, then one placed");
    assert.deepEqual(fake.submits, [o.clientOrderId]);
  } finally {
    await rig.stop();
    await fake.close();
  }
});

Deno.test("binance adapter: a late acknowledgement is reconciled, never resent", async () => {
  const fake = newFake();
  const rig = await startRig(fake);
  try {
    fake.ackDelayMs = 2_000; // longer than the client's 800 ms timeout: the order is placed, the answer is lost
    const o = order("market", "buy", 0.01);
    submit(rig.host, o);
    await until(rig.host, has("OrderFilled", o.clientOrderId), "the adopted fill");
    assert.deepEqual(fake.submits, [o.clientOrderId]);
  } finally {
    fake.ackDelayMs = 0;
    await rig.stop();
    await fake.close();
  }
});

Deno.test("binance adapter: a dropped venue halts trading, then it resumes and reconciles the fills it missed", async () => {
  const fake = newFake();
  const rig = await startRig(fake);
  try {
    const resting = order("limit", "buy", 0.01, 49_000);
    submit(rig.host, resting);
    await until(rig.host, has("OrderAccepted", resting.clientOrderId), "acceptance");
    await fake.down();
    await untilPhase(rig.host, "recovering");
    const refused = order("market", "buy", 0.01);
    submit(rig.host, refused);
    await until(rig.host, has("OrderRejected", refused.clientOrderId), "a fail-closed rejection while down");
    fake.fill(resting.clientOrderId, 48_500); // fills while we cannot see the venue
    fake.up();
    await until(rig.host, has("OrderFilled", resting.clientOrderId), "the missed fill, reconciled");
    await untilPhase(rig.host, "ready");
    const after = order("market", "sell", 0.01);
    submit(rig.host, after);
    await until(rig.host, has("OrderFilled", after.clientOrderId), "trading after the reconnect");
    assert.ok(!fake.submits.includes(refused.clientOrderId), "nothing is sent while halted");
  } finally {
    await rig.stop();
    await fake.close();
  }
});

Deno.test("binance adapter: an unreadable account keeps trading halted until it can be read", async () => {
  const fake = newFake();
  fake.accountBroken = true;
  const rig = await startRig(fake);
  try {
    assert.equal(await phase(rig.host), "recovering");
    const o = order("market", "buy", 0.01);
    submit(rig.host, o);
    await until(rig.host, has("OrderRejected", o.clientOrderId), "the rejection");
    assert.equal(fake.count("/api/v3/order", "POST"), 0);
    fake.accountBroken = false;
    await untilPhase(rig.host, "ready");
    const next = order("market", "buy", 0.01);
    submit(rig.host, next);
    await until(rig.host, has("OrderFilled", next.clientOrderId), "the first order once readable");
  } finally {
    await rig.stop();
    await fake.close();
  }
});

Deno.test("binance adapter: a restarted adapter reconciles fills made while it was gone and resends nothing", async () => {
  const fake = newFake();
  const first = await startRig(fake);
  const resting = order("limit", "buy", 0.01, 49_000);
  submit(first.host, resting);
  await until(first.host, has("OrderAccepted", resting.clientOrderId), "acceptance");
  await first.stop();
  fake.fill(resting.clientOrderId, 49_000);
  const second = await startRig(fake, first.dir);
  try {
    // A fresh process replays the journal (the acceptance), then the reconciled fill.
    const list = await until(second.host, has("OrderFilled", resting.clientOrderId), "the reconciled fill");
    assert.deepEqual(list.map((e) => e.type), ["OrderAccepted", "OrderFilled"]);
    assert.deepEqual(fake.submits, [resting.clientOrderId]);
  } finally {
    await second.stop();
    await fake.close();
  }
});
