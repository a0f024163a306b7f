/**
 * The IB adapter in a real Worker, through @stoqey/ib itself, against the fake TWS on 127.0.0.1: orders placed,
 * partially filled and cancelled with IB's real commissions; native brackets (parent/children, OCA); a refused
 * order; a late acknowledgement adopted, not resent; a dropped socket halts trading and is reconciled when back;
 * IB's nightly restart (1100 → 1102); a restarted adapter never reuses an order id, even when TWS says a lower
 * nextValidId; outgoing messages stay under TWS's 50/s.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createWorkerHost, type Message, type WorkerHost } from "../../actors/runtime/mod.ts";
import type { OrderEvent, OrderRequest } from "../../actors/protocol/mod.ts";
import { defaultInstruments, type FakeTws, startFakeTws } from "../fakes/tws.ts";
import { sleep } from "./helpers.ts";

const ADAPTER = new URL("../../actors/exchange/ib/adapter.ts", import.meta.url).href;
const RECORDER = new URL("./fixtures/recorder.ts", import.meta.url).href;

const IB_SYMBOLS = {
  AAPL: { secType: "STK", primaryExch: "NASDAQ" },
  ES: { secType: "FUT", lastTradeDateOrContractMonth: "202612", exchange: "CME" },
  "EUR/USD": { secType: "CASH" },
};

interface Rig {
  readonly host: WorkerHost;
  readonly dir: string;
  stop(): Promise<void>;
}

async function startRig(fake: FakeTws, dir?: string, client: Record<string, unknown> = {}): Promise<Rig> {
  const root = dir ?? await Deno.makeTempDir({ prefix: "ib-adapter-" });
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
          venue: "ib",
          db: `sqlite:${join(root, "journal.sqlite")}`,
          downstream: "t/risk",
          pollMs: 50,
          backoff: { minMs: 50, maxMs: 400 },
          client: {
            port: fake.port,
            clientId: 7,
            timeoutMs: 1_000,
            commissionWaitMs: 2_000,
            symbols: IB_SYMBOLS,
            ...client,
          },
        },
      },
    ],
  });
  return { host, dir: root, stop: () => host.stop() };
}

let seq = 0;
function order(
  type: OrderRequest["type"],
  side: "buy" | "sell",
  qty: number,
  extra: Partial<OrderRequest> = {},
): OrderRequest {
  return {
    clientOrderId: `s1-${++seq}`,
    strategyId: "s1",
    venue: "ib",
    symbol: "AAPL",
    side,
    type,
    qty,
    tif: "DAY",
    ts: Date.now(),
    ...extra,
  };
}

async function events(host: WorkerHost): Promise<OrderEvent[]> {
  return (await host.ask<Message & { events: OrderEvent[] }>("t/risk", { type: "GetEvents" }, 5_000)).events;
}

async function until(host: WorkerHost, predicate: (e: OrderEvent[]) => boolean, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await events(host);
    if (predicate(list)) return list;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(list.map((e) => e.type))}`);
    }
    await sleep(20);
  }
}

const has = (type: string, cid: string) => (list: OrderEvent[]) =>
  list.some((e) => e.type === type && "clientOrderId" in e && e.clientOrderId === cid);
const of = (list: OrderEvent[], cid: string) => list.filter((e) => "clientOrderId" in e && e.clientOrderId === cid);

async function phase(host: WorkerHost): Promise<string> {
  return (await host.ask<Message & { phase: string }>("t/exchange", { type: "GetAdapterState" }, 5_000)).phase;
}

async function untilPhase(host: WorkerHost, wanted: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while ((await phase(host)) !== wanted) {
    if (Date.now() > deadline) throw new Error(`adapter never reached phase ${wanted}`);
    await sleep(10);
  }
}

const submit = (host: WorkerHost, o: OrderRequest) =>
  host.tell("t/exchange", { type: "SubmitOrder", order: o, replyTo: "t/risk" });
const cancel = (host: WorkerHost, cid: string) =>
  host.tell("t/exchange", { type: "CancelOrder", clientOrderId: cid, strategyId: "s1", replyTo: "t/risk" });

async function withRig(work: (fake: FakeTws, rig: Rig) => Promise<void>) {
  const fake = startFakeTws({ instruments: defaultInstruments() });
  const rig = await startRig(fake);
  try {
    await untilPhase(rig.host, "ready");
    await work(fake, rig);
  } finally {
    await rig.stop();
    await fake.close();
  }
}

Deno.test("ib adapter: market, limit and cancel through @stoqey/ib, fills with IB's commission", async () => {
  await withRig(async (fake, rig) => {
    const market = order("market", "buy", 10);
    submit(rig.host, market);
    let list = await until(rig.host, has("OrderFilled", market.clientOrderId), "the market fill");
    const fill = of(list, market.clientOrderId).find((e) => e.type === "OrderFilled");
    assert.ok(fill?.type === "OrderFilled");
    assert.deepEqual([fill.fill.qty, fill.fill.price, fill.fill.commission, fill.fill.commissionCurrency], [
      10,
      190,
      1,
      "USD",
    ]);
    assert.equal(fake.byRef(market.clientOrderId)?.orderType, "MKT");

    const resting = order("limit", "buy", 100, { limitPrice: 185.004, tif: "GTC" });
    submit(rig.host, resting);
    await until(rig.host, has("OrderAccepted", resting.clientOrderId), "the limit's acceptance");
    const placed = fake.byRef(resting.clientOrderId)!;
    assert.deepEqual(
      [placed.lmtPrice, placed.tif, placed.totalQuantity],
      [185, "GTC", 100],
      "price snapped to the tick",
    );
    fake.fill(resting.clientOrderId, 40, 185);
    list = await until(rig.host, has("OrderPartiallyFilled", resting.clientOrderId), "the partial fill");
    fake.fill(resting.clientOrderId, undefined, 184.5);
    list = await until(rig.host, has("OrderFilled", resting.clientOrderId), "the rest");
    assert.deepEqual(of(list, resting.clientOrderId).map((e) => e.type), [
      "OrderAccepted",
      "OrderPartiallyFilled",
      "OrderFilled",
    ]);

    const toCancel = order("limit", "sell", 5, { limitPrice: 250 });
    submit(rig.host, toCancel);
    await until(rig.host, has("OrderAccepted", toCancel.clientOrderId), "acceptance");
    cancel(rig.host, toCancel.clientOrderId);
    await until(rig.host, has("OrderCanceled", toCancel.clientOrderId), "the cancel");
    assert.equal(fake.byRef(toCancel.clientOrderId)?.status, "Cancelled");
    assert.equal(fake.placed.length, new Set(fake.placed).size, "no order id used twice");
  });
});

Deno.test("ib adapter: a market order filled in parts reports each part, then the fill", async () => {
  await withRig(async (fake, rig) => {
    fake.marketFillParts = 3;
    const o = order("market", "buy", 30);
    submit(rig.host, o);
    const list = await until(rig.host, has("OrderFilled", o.clientOrderId), "the last part");
    const mine = of(list, o.clientOrderId);
    assert.deepEqual(mine.map((e) => e.type), [
      "OrderAccepted",
      "OrderPartiallyFilled",
      "OrderPartiallyFilled",
      "OrderFilled",
    ]);
    const fills = mine.flatMap((e) => e.type === "OrderFilled" || e.type === "OrderPartiallyFilled" ? [e.fill] : []);
    assert.equal(fills.reduce((s, f) => s + f.qty, 0), 30);
    assert.equal(new Set(fills.map((f) => f.fillId)).size, 3);
    assert.ok(fills.every((f) => f.commission === 1), "each execution's own commission report");
  });
});

Deno.test("ib adapter: a bracket is a native parent with two OCA children; the take-profit cancels the stop", async () => {
  await withRig(async (fake, rig) => {
    const o = order("market", "buy", 10, { bracket: { takeProfit: 200, stopLoss: 180.006 } });
    submit(rig.host, o);
    await until(rig.host, has("OrderFilled", o.clientOrderId), "the parent's fill");
    const parent = fake.byRef(o.clientOrderId)!;
    const tp = fake.byRef(`${o.clientOrderId}-tp`)!;
    const sl = fake.byRef(`${o.clientOrderId}-sl`)!;
    assert.deepEqual([parent.transmit, tp.transmit, sl.transmit], [false, false, true]);
    assert.deepEqual([tp.parentId, sl.parentId], [parent.orderId, parent.orderId]);
    assert.equal(tp.ocaGroup, sl.ocaGroup);
    assert.ok(tp.ocaGroup.length > 0);
    assert.deepEqual([tp.orderType, tp.lmtPrice, sl.orderType, sl.auxPrice], ["LMT", 200, "STP", 180.01]);
    fake.setPrice("AAPL", 201);
    const list = await until(
      rig.host,
      (l) => has("OrderFilled", `${o.clientOrderId}-tp`)(l) && has("OrderCanceled", `${o.clientOrderId}-sl`)(l),
      "the take-profit fill and the stop's OCA cancel",
    );
    const tpFill = of(list, `${o.clientOrderId}-tp`).find((e) => e.type === "OrderFilled");
    assert.ok(tpFill?.type === "OrderFilled" && tpFill.fill.side === "sell" && tpFill.fill.qty === 10);
  });
});

Deno.test("ib adapter: IB's refusal is an OrderRejected with its reason; bad input never reaches TWS", async () => {
  await withRig(async (fake, rig) => {
    const huge = order("market", "buy", 100_000);
    submit(rig.host, huge);
    const list = await until(rig.host, has("OrderRejected", huge.clientOrderId), "the rejection");
    const rejected = of(list, huge.clientOrderId).find((e) => e.type === "OrderRejected");
    assert.ok(
      rejected?.type === "OrderRejected" && /EQUITY WITH LOAN/.test(rejected.reason) && /IB 201/.test(rejected.reason),
    );
    const noStop = order("stop", "sell", 1);
    submit(rig.host, noStop);
    await until(rig.host, has("OrderRejected", noStop.clientOrderId), "the local rejection");
    const unknown = order("market", "buy", 1, { symbol: "MSFT" });
    submit(rig.host, unknown);
    await until(rig.host, has("OrderRejected", unknown.clientOrderId), "the unknown symbol");
    assert.equal(fake.byRef(noStop.clientOrderId), undefined);
    assert.equal(fake.byRef(unknown.clientOrderId), undefined);
    assert.equal(fake.placed.length, 1);
  });
});

Deno.test("ib adapter: a late acknowledgement is adopted after reconnecting, never resent", async () => {
  await withRig(async (fake, rig) => {
    fake.ackDelayMs = 1_500; // longer than the client's 1 s timeout: placed at IB, the answer comes late
    const o = order("limit", "buy", 10, { limitPrice: 150 });
    submit(rig.host, o);
    await until(rig.host, has("OrderAccepted", o.clientOrderId), "the adopted order");
    fake.ackDelayMs = 0;
    fake.fill(o.clientOrderId);
    await until(rig.host, has("OrderFilled", o.clientOrderId), "its fill");
    assert.equal(fake.placed.length, 1);
  });
});

Deno.test("ib adapter: a dropped socket halts trading; reconnected, it reconciles the fill it missed", async () => {
  await withRig(async (fake, rig) => {
    const resting = order("limit", "buy", 10, { limitPrice: 150 });
    submit(rig.host, resting);
    await until(rig.host, has("OrderAccepted", resting.clientOrderId), "acceptance");
    const gone = order("limit", "buy", 10, { limitPrice: 140 });
    submit(rig.host, gone);
    await until(rig.host, has("OrderAccepted", gone.clientOrderId), "acceptance");
    fake.drop(true);
    await untilPhase(rig.host, "recovering");
    const refused = order("market", "buy", 1);
    submit(rig.host, refused);
    await until(rig.host, has("OrderRejected", refused.clientOrderId), "a fail-closed rejection while down");
    fake.fill(resting.clientOrderId, undefined, 149); // filled while we cannot see IB
    fake.orders.get(fake.byRef(gone.clientOrderId)!.orderId)!.status = "Cancelled"; // cancelled in TWS meanwhile
    const t0 = performance.now();
    fake.up();
    await untilPhase(rig.host, "ready");
    const reconciledMs = performance.now() - t0;
    const list = await until(
      rig.host,
      (l) => has("OrderFilled", resting.clientOrderId)(l) && has("OrderCanceled", gone.clientOrderId)(l),
      "the missed fill and cancel",
    );
    const fill = of(list, resting.clientOrderId).find((e) => e.type === "OrderFilled");
    assert.ok(fill?.type === "OrderFilled" && fill.fill.price === 149 && fill.fill.commission === 1);
    assert.ok(
      !fake.placed.some((id) => fake.orders.get(id)?.orderRef === refused.clientOrderId),
      "nothing sent while halted",
    );
    console.log(`reconnect-to-reconciled: ${reconciledMs.toFixed(0)} ms (backoff up to 400 ms included)`);
  });
});

Deno.test("ib adapter: IB's nightly restart (1100, then 1102) halts trading and resumes reconciled", async () => {
  await withRig(async (fake, rig) => {
    const restart = fake.nightlyRestart(600);
    await untilPhase(rig.host, "recovering");
    const refused = order("market", "buy", 1);
    submit(rig.host, refused);
    await until(rig.host, has("OrderRejected", refused.clientOrderId), "a fail-closed rejection during the outage");
    await restart;
    await untilPhase(rig.host, "ready");
    const after = order("market", "buy", 1);
    submit(rig.host, after);
    await until(rig.host, has("OrderFilled", after.clientOrderId), "trading after 1102");
    assert.equal(fake.placed.length, 1);
  });
});

Deno.test("ib adapter: a restarted adapter never reuses an order id, even when TWS says a lower nextValidId", async () => {
  const fake = startFakeTws({ instruments: defaultInstruments() });
  const first = await startRig(fake);
  let second: Rig | undefined;
  try {
    await untilPhase(first.host, "ready");
    const a = order("limit", "buy", 1, { limitPrice: 100, bracket: { takeProfit: 300, stopLoss: 90 } });
    submit(first.host, a);
    await until(first.host, has("OrderAccepted", a.clientOrderId), "acceptance");
    await first.stop();
    const used = [...fake.placed];
    fake.nextValidId = 1; // a TWS that forgot (another session reset the API order id sequence)
    second = await startRig(fake, first.dir);
    await untilPhase(second.host, "ready");
    const b = order("market", "buy", 1);
    submit(second.host, b);
    await until(second.host, has("OrderFilled", b.clientOrderId), "the new order's fill");
    assert.equal(fake.placed.length, used.length + 1);
    assert.ok(fake.byRef(b.clientOrderId)!.orderId > Math.max(...used));
    assert.equal(new Set(fake.placed).size, fake.placed.length, "no id placed twice");
  } finally {
    await second?.stop();
    await fake.close();
  }
});

Deno.test("ib adapter: a burst of orders stays under TWS's 50 messages per second", async () => {
  await withRig(async (fake, rig) => {
    const burst = Array.from({ length: 70 }, () => order("limit", "buy", 1, { limitPrice: 100 }));
    for (const o of burst) submit(rig.host, o);
    await until(
      rig.host,
      (l) => burst.every((o) => has("OrderAccepted", o.clientOrderId)(l)),
      "every acceptance",
      60_000,
    );
    assert.ok(fake.maxRate <= 50, `at most 50 messages in any second, saw ${fake.maxRate}`);
    assert.equal(fake.placed.length, 70);
  });
});
