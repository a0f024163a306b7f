/**
 * Modify at Binance (no in-place modify on spot): the adapter cancels the live version, journals the replacement,
 * then places it (`${id}-r1`), in a real Worker through ccxt against the fake Binance. The strategy sees one order
 * that was modified and then filled; the venue never holds two live versions; a daemon that died mid-modify (the
 * command journaled, the old version cancelled, maybe the new one placed) finishes it on restart without a second
 * live order and without ending the strategy's order.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createWorkerHost, type Message, type WorkerHost } from "../../actors/runtime/mod.ts";
import type { ModifyOrder, OrderEvent, OrderRequest } from "../../actors/protocol/mod.ts";
import { type FakeTrading, startFakeTrading } from "../fakes/binance_trading.ts";
import { openJournal } from "../../storage/journal/open.ts";
import { sleep } from "./helpers.ts";

const KEY = "test-key";
const SECRET = "test-secret";
const ADAPTER = new URL("../../actors/exchange/binance/adapter.ts", import.meta.url).href;
const RECORDER = new URL("./fixtures/recorder.ts", import.meta.url).href;

const newFake = (): FakeTrading =>
  startFakeTrading({
    markets: [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }],
    apiKey: KEY,
    secret: SECRET,
    prices: { BTCUSDT: 50_000 },
    balances: { USDT: 100_000, BTC: 0 },
  });

async function startHost(fake: FakeTrading, dir: string): Promise<WorkerHost> {
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
          db: `sqlite:${join(dir, "journal.sqlite")}`,
          downstream: "t/risk",
          pollMs: 100,
          backoff: { minMs: 50, maxMs: 400 },
          client: { apiKey: KEY, secret: SECRET, apiUrl: fake.url, timeoutMs: 800, symbols: ["BTC/USDT"] },
        },
      },
    ],
  });
  return host;
}

const limit = (n: number): OrderRequest => ({
  clientOrderId: `t1-${n}`,
  strategyId: "t1",
  venue: "binance",
  symbol: "BTC/USDT",
  side: "buy",
  type: "limit",
  limitPrice: 49_000,
  qty: 0.02,
  tif: "GTC",
  ts: Date.now(),
});
const modifyOf = (cid: string, n: number, changes: ModifyOrder["changes"]): ModifyOrder => ({
  type: "ModifyOrder",
  clientOrderId: cid,
  strategyId: "t1",
  modifyId: `${cid}~${n}`,
  changes,
  replyTo: "t/risk",
});

async function events(host: WorkerHost): Promise<OrderEvent[]> {
  const reply = await host.ask<Message & { events: OrderEvent[] }>("t/risk", { type: "GetEvents" }, 5_000);
  return reply.events.filter((e) => e.type.startsWith("Order"));
}
async function until(host: WorkerHost, predicate: (e: OrderEvent[]) => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await events(host);
    if (predicate(list)) return list;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(list)}`);
    await sleep(50);
  }
}
const has = (type: string, cid: string) => (list: OrderEvent[]) =>
  list.some((e) => e.type === type && "clientOrderId" in e && e.clientOrderId === cid);
/** The fake's live orders of the strategy order `cid` (its versions). */
const live = (fake: FakeTrading, cid: string) =>
  [...fake.orders.values()].filter((o) =>
    (o.clientOrderId === cid || o.clientOrderId.startsWith(`${cid}-r`)) &&
    (o.status === "NEW" || o.status === "PARTIALLY_FILLED")
  ).map((o) => `${o.clientOrderId} ${o.origQty} @ ${o.price}`);

Deno.test("binance modify: cancel, then replace; one live version; fills reported as the strategy's order", async () => {
  const fake = newFake();
  const dir = await Deno.makeTempDir({ prefix: "binance-modify-" });
  const host = await startHost(fake, dir);
  try {
    const order = limit(1);
    host.tell("t/exchange", { type: "SubmitOrder", order, replyTo: "t/risk" });
    await until(host, has("OrderAccepted", order.clientOrderId), "acceptance");
    host.tell("t/exchange", modifyOf(order.clientOrderId, 2, { limitPrice: 48_000, qty: 0.03 }));
    await until(host, has("OrderModified", order.clientOrderId), "the modify");
    assert.equal(fake.orders.get(order.clientOrderId)?.status, "CANCELED");
    assert.deepEqual(live(fake, order.clientOrderId), ["t1-1-r1 0.03 @ 48000"]);

    host.tell("t/exchange", modifyOf(order.clientOrderId, 3, { limitPrice: 47_500 }));
    await until(host, (l) => l.filter((e) => e.type === "OrderModified").length === 2, "the second modify");
    assert.deepEqual(live(fake, order.clientOrderId), ["t1-1-r2 0.03 @ 47500"]);

    fake.fill("t1-1-r2", 47_500);
    const list = await until(host, has("OrderFilled", order.clientOrderId), "the fill");
    const filled = list.find((e) => e.type === "OrderFilled")!;
    assert.ok(filled.type === "OrderFilled");
    assert.deepEqual([filled.fill.clientOrderId, filled.fill.qty, filled.fill.price, filled.filledQty], [
      "t1-1",
      0.03,
      47_500,
      0.03,
    ]);
    // The strategy never saw its order end before the fill, nor any event of a version id.
    assert.deepEqual(list.filter((e) => e.type === "OrderCanceled"), []);
    assert.ok(list.every((e) => !("clientOrderId" in e) || !e.clientOrderId.includes("-r")));

    host.tell("t/exchange", modifyOf(order.clientOrderId, 4, { qty: 0.05 }));
    const after = await until(host, has("OrderModifyRejected", order.clientOrderId), "the refusal");
    const refusal = after.find((e) => e.type === "OrderModifyRejected")!;
    assert.match((refusal as { reason: string }).reason, /t1-1 is not open/);
    assert.equal(fake.submits.length, 3, "the order and its two versions, each once");
  } finally {
    await host.stop();
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Journals a modify command with no "done", as a daemon killed right after journaling it would leave. */
async function journalModify(dir: string, command: ModifyOrder, replaced?: { base: number; version: number }) {
  const journal = await openJournal(`sqlite:${join(dir, "journal.sqlite")}`);
  const key = `modify:${command.modifyId}`;
  const events = [{
    eventId: `binance:cmd:${key}`,
    stream: "venue:binance",
    type: "Command",
    ts: Date.now(),
    payload: { key, intent: { kind: "modify", command, symbol: "BTC/USDT" } },
  }];
  if (replaced) {
    const order = { ...limit(1), limitPrice: 48_000 };
    const venueCid = `${command.clientOrderId}-r${replaced.version}`;
    events.push({
      eventId: `binance:replaced:${command.modifyId}`,
      stream: "venue:binance",
      type: "Replaced",
      ts: Date.now(),
      payload: {
        target: command.clientOrderId,
        version: { venueCid, ...replaced, modifyId: command.modifyId, order: { ...order, clientOrderId: venueCid } },
        order,
      } as never,
    });
  }
  await journal.append(events);
  await journal.close();
}

for (const stage of ["cancelled", "replacement journaled", "replacement placed"] as const) {
  Deno.test(`binance modify: a daemon killed mid-modify (${stage}) finishes it on restart, one live version`, async () => {
    const fake = newFake();
    const dir = await Deno.makeTempDir({ prefix: "binance-modify-crash-" });
    const order = limit(1);
    let host = await startHost(fake, dir);
    try {
      host.tell("t/exchange", { type: "SubmitOrder", order, replyTo: "t/risk" });
      await until(host, has("OrderAccepted", order.clientOrderId), "acceptance");
      await host.stop();

      // The state the dead daemon left: its modify journaled, the venue half way through it.
      const command = modifyOf(order.clientOrderId, 2, { limitPrice: 48_000 });
      await journalModify(dir, command, stage === "cancelled" ? undefined : { base: 0, version: 1 });
      const original = fake.orders.get(order.clientOrderId)!;
      original.status = "CANCELED";
      if (stage === "replacement placed") {
        fake.orders.set("t1-1-r1", {
          ...original,
          orderId: original.orderId + 1_000,
          clientOrderId: "t1-1-r1",
          price: "48000",
          status: "NEW",
        });
      }

      host = await startHost(fake, dir);
      const list = await until(host, has("OrderModified", order.clientOrderId), "the modify finished");
      assert.deepEqual(live(fake, order.clientOrderId), ["t1-1-r1 0.02 @ 48000"]);
      assert.deepEqual(list.filter((e) => e.type === "OrderCanceled"), [], "the strategy's order did not end");
      assert.equal(fake.submits.filter((cid) => cid === "t1-1").length, 1, "the original never sent again");

      fake.fill("t1-1-r1", 48_000);
      await until(host, has("OrderFilled", order.clientOrderId), "the fill of the replacement, as t1-1");
    } finally {
      await host.stop();
      await fake.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
