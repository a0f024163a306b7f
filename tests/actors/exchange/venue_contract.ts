/**
 * One contract for every venue: the same scenarios, the same expected order events, run against the simulated
 * exchange, the paper venue, Binance (fake) and Interactive Brokers (fake TWS). A new venue is "implement the
 * interface, write a harness, pass this suite". Each venue's file (`venue_<name>_test.ts`) only builds its harness.
 */
import assert from "node:assert/strict";
import type { Bar, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";

export interface VenueHarness {
  /** The venue name orders carry. */
  readonly venue: string;
  readonly symbol: string;
  /** Where the market is: market orders fill near it, limits at half of it rest. */
  readonly price: number;
  /** A quantity every venue accepts for `symbol`. */
  readonly qty: number;
  submit(order: OrderRequest): void;
  cancel(clientOrderId: string, strategyId: string): void;
  /** Lets the venue match once (a bar at `price` for bar-driven venues; nothing for venues that match live). */
  step(): Promise<void>;
  /** Order events the venue sent to the order's owner, in arrival order. */
  events(): Promise<OrderEvent[]>;
  /** Fills `qty` of a resting buy limit (a fake's control, or a bar with little volume); absent: cannot. */
  partialFill?(clientOrderId: string, qty: number, limitPrice: number): Promise<void>;
  close(): Promise<void>;
}

let seq = 0;

function order(h: VenueHarness, type: OrderRequest["type"], extra: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: `vc-${++seq}`,
    strategyId: "vc",
    venue: h.venue,
    symbol: h.symbol,
    side: "buy",
    type,
    qty: h.qty,
    tif: "GTC",
    ts: 0,
    ...extra,
  };
}

const mine = (list: OrderEvent[], cid: string) =>
  list.filter((e) => e.type !== "OrderSubmitted" && "clientOrderId" in e && e.clientOrderId === cid);

/** Steps the venue until `done` holds for the order's events (bounded). */
async function until(h: VenueHarness, cid: string, done: (types: string[]) => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const events = mine(await h.events(), cid);
    if (done(events.map((e) => e.type))) return events;
    if (Date.now() > deadline) {
      throw new Error(`${what}: timed out; got ${JSON.stringify(events.map((e) => e.type))}`);
    }
    await h.step();
    await new Promise((r) => setTimeout(r, 20));
  }
}

const final = (types: string[]) =>
  types.some((t) => ["OrderFilled", "OrderCanceled", "OrderRejected", "OrderExpired"].includes(t));

export interface VenueAbilities {
  /** The venue (or its fake) can fill part of a resting order: the harness has `partialFill`. */
  readonly partialFills: boolean;
}

export function venueContract(name: string, make: () => Promise<VenueHarness>, abilities: VenueAbilities): void {
  const test = (title: string, body: (h: VenueHarness) => Promise<void>, ignore = false) =>
    Deno.test({
      name: `venue contract [${name}]: ${title}`,
      ignore,
      fn: async () => {
        const h = await make();
        try {
          await body(h);
        } finally {
          await h.close();
        }
      },
    });

  test("a market buy is accepted, then filled in full near the market", async (h) => {
    const o = order(h, "market");
    h.submit(o);
    const events = await until(h, o.clientOrderId, final, "market buy");
    assert.deepEqual(events.map((e) => e.type), ["OrderAccepted", "OrderFilled"]);
    const filled = events[1];
    assert.ok(filled.type === "OrderFilled");
    assert.equal(filled.filledQty, h.qty);
    assert.equal(filled.fill.side, "buy");
    assert.equal(filled.fill.symbol, h.symbol);
    assert.ok(
      Math.abs(filled.fill.price - h.price) / h.price < 0.05,
      `fill price ${filled.fill.price} near ${h.price}`,
    );
    assert.ok(filled.fill.commission >= 0);
  });

  test("a limit far below the market rests, then is cancelled", async (h) => {
    const o = order(h, "limit", { limitPrice: h.price / 2 });
    h.submit(o);
    await until(h, o.clientOrderId, (t) => t.includes("OrderAccepted") || final(t), "resting limit");
    await h.step();
    h.cancel(o.clientOrderId, o.strategyId);
    const events = await until(h, o.clientOrderId, final, "cancel");
    assert.deepEqual(events.map((e) => e.type), ["OrderAccepted", "OrderCanceled"]);
  });

  test("a limit order without a limit price is rejected, with a reason", async (h) => {
    const o = order(h, "limit");
    h.submit(o);
    const events = await until(h, o.clientOrderId, final, "bad order");
    assert.deepEqual(events.map((e) => e.type), ["OrderRejected"]);
    assert.ok(events[0].type === "OrderRejected" && events[0].reason.length > 0);
  });

  test("a partial fill reports filled and leaves, then the rest is cancelled", async (h) => {
    assert.ok(h.partialFill, "a venue with partial fills needs a harness that can make one");
    const limitPrice = h.price * 0.9;
    const o = order(h, "limit", { qty: 2 * h.qty, limitPrice });
    h.submit(o);
    await until(h, o.clientOrderId, (t) => t.includes("OrderAccepted") || final(t), "resting limit");
    await h.partialFill(o.clientOrderId, h.qty, limitPrice);
    const partial = await until(h, o.clientOrderId, (t) => t.includes("OrderPartiallyFilled") || final(t), "partial");
    const p = partial.find((e) => e.type === "OrderPartiallyFilled");
    assert.ok(p?.type === "OrderPartiallyFilled", `got ${JSON.stringify(partial.map((e) => e.type))}`);
    assert.deepEqual([p.filledQty, p.leavesQty, p.fill.qty], [h.qty, h.qty, h.qty]);
    h.cancel(o.clientOrderId, o.strategyId);
    const events = await until(h, o.clientOrderId, final, "cancel of the rest");
    assert.deepEqual(events.map((e) => e.type), ["OrderAccepted", "OrderPartiallyFilled", "OrderCanceled"]);
  }, !abilities.partialFills);
}

/** A bar at `price` for bar-driven venues; `volume` limits what a volume-share fill model may fill. */
export function barAt(symbol: string, ts: number, price: number, volume = 1e9, low = price): Bar {
  return { symbol, timeframe: "1m", ts, open: price, high: price, low, close: price, volume };
}
