/**
 * Modify through the risk guardian: a modified order is checked like a new one (never a way around a limit), a
 * refusal leaves it as it was, and the guardian's own brackets move by cancel, then replace (never two live exits).
 */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import type {
  Bar,
  ExchangeMessage,
  Fill,
  ModifyOrder,
  OrderChanges,
  OrderEvent,
  OrderRequest,
} from "../../../actors/protocol/mod.ts";
import type { RiskLimits } from "../../../actors/risk_guardian/checks.ts";

const module = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const RECORDER = new URL("./recorder.ts", import.meta.url).href;
const TAP = new URL("./tap.ts", import.meta.url).href;
const DAY = 86_400_000;

interface Options {
  readonly limits?: RiskLimits;
  /** The guardian manages brackets itself (a venue without native ones). */
  readonly synthetic?: boolean;
  /** No venue behind the tap: orders stay unanswered (a venue that has not replied yet). */
  readonly silent?: boolean;
}

async function setup(options: Options = {}) {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "owner", module: RECORDER },
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: {
          limits: options.limits ?? {},
          exchanges: { sim: "t/tap" },
          ...(options.synthetic ? { nativeBrackets: { sim: false } } : {}),
        },
      },
      { kind: "actor", id: "tap", module: TAP, config: options.silent ? {} : { target: "t/exchange" } },
      {
        kind: "actor",
        id: "exchange",
        module: module("exchange/sim/sim_exchange.ts"),
        config: { sim: { initialCash: 1_000_000, fillAt: "close" }, fillSubscribers: [] },
      },
    ],
  });
  const bar = (day: number, o: number, h: number, l: number, c: number) => {
    const b: Bar = { symbol: "X", timeframe: "1d", ts: day * DAY, open: o, high: h, low: l, close: c, volume: 1e9 };
    clock.advanceTo(b.ts);
    host.tell("t/exchange", { type: "Bar", bar: b });
    host.tell("t/risk", { type: "MarkPrice", symbol: "X", price: c });
    host.drain();
  };
  bar(0, 100, 100, 100, 100);
  let n = 0;
  let m = 0;
  const submit = (fields: Partial<OrderRequest>) => {
    const order: OrderRequest = {
      clientOrderId: `s-${++n}`,
      strategyId: "s",
      venue: "sim",
      symbol: "X",
      side: "buy",
      type: "market",
      qty: 10,
      tif: "GTC",
      ts: clock.now(),
      refPrice: 100,
      ...fields,
    };
    host.tell("t/risk", { type: "SubmitOrder", order, replyTo: "t/owner" });
    host.drain();
    return order.clientOrderId;
  };
  const modify = (clientOrderId: string, changes: OrderChanges, trade = false) => {
    const msg: ModifyOrder = {
      type: "ModifyOrder",
      clientOrderId,
      strategyId: "s",
      modifyId: `${clientOrderId}~m${++m}`,
      changes,
      ...(trade ? { trade: true } : {}),
      replyTo: "t/owner",
    };
    host.tell("t/risk", msg);
    host.drain();
    return msg.modifyId;
  };
  const ask = async <R>(path: string, type: string) => {
    const reply = host.ask<{ type: string } & R>(path, { type }, 1_000);
    host.drain();
    return await reply;
  };
  const events = async () => (await ask<{ events: OrderEvent[] }>("t/owner", "GetEvents")).events;
  const tapped = async () => (await ask<{ seen: ExchangeMessage[] }>("t/tap", "GetTapped")).seen;
  return { host, clock, bar, submit, modify, events, tapped };
}

const refusals = (events: OrderEvent[]) =>
  events.flatMap((e) => e.type === "OrderModifyRejected" ? [[e.clientOrderId, e.reason, e.denied]] : []);
const modifiesSent = (seen: ExchangeMessage[]) => seen.filter((m) => m.type === "ModifyOrder").length;
const fillsOf = (events: OrderEvent[]) =>
  events.flatMap((e) => e.type === "OrderFilled" ? [[e.clientOrderId, (e.fill as Fill).qty, e.fill.price]] : []);

Deno.test("risk modify: raising a resting order past maxPositionQty is denied; it fills as it was", async () => {
  const t = await setup({ limits: { maxPositionQty: 10 } });
  const id = t.submit({ type: "limit", limitPrice: 95, qty: 5 });
  t.modify(id, { qty: 11 });
  t.modify(id, { qty: 10, limitPrice: 96 }); // exactly at the limit: passes (the old 5 is replaced, not added)
  t.bar(1, 100, 100, 90, 92);
  const got = await t.events();
  const [[, reason, denied]] = refusals(got);
  assert.match(reason as string, /position would be 11 X, beyond the limit of 10/);
  assert.equal(denied, true);
  assert.equal(modifiesSent(await t.tapped()), 1, "only the passing modify reaches the venue");
  assert.deepEqual(fillsOf(got), [[id, 10, 96]]);
  await t.host.stop();
});

Deno.test("risk modify: maxOrderNotional, the price band and HALTED hold for a modified order too", async () => {
  const t = await setup({ limits: { maxOrderNotional: 1_000, priceBand: 0.1 } });
  const id = t.submit({ type: "limit", limitPrice: 95, qty: 5 });
  t.modify(id, { qty: 11 }); // 11 × 95 = 1,045 > 1,000
  t.modify(id, { limitPrice: 80 }); // 20 % away from 100
  t.modify(id, { qty: 10, limitPrice: 99 }); // 990: fine
  t.host.tell("t/risk", { type: "SetTradingState", state: "HALTED", reason: "test" });
  t.host.drain();
  t.modify(id, { qty: 2 });
  const reasons = refusals(await t.events()).map(([, r]) => r as string);
  assert.equal(reasons.length, 3);
  assert.match(reasons[0], /order notional 1045\.00 exceeds 1000/);
  assert.match(reasons[1], /outside ±10% of the last price 100/);
  assert.match(reasons[2], /HALTED/);
  assert.equal(modifiesSent(await t.tapped()), 1);
  await t.host.stop();
});

Deno.test("risk modify: a modified order replaces the old one in maxOpenOrders (not counted twice)", async () => {
  const t = await setup({ limits: { maxOpenOrders: 2 } });
  const a = t.submit({ type: "limit", limitPrice: 90, qty: 1 });
  t.submit({ type: "limit", limitPrice: 91, qty: 1 });
  t.submit({ type: "limit", limitPrice: 92, qty: 1 }); // a third: denied
  t.modify(a, { limitPrice: 93 });
  const got = await t.events();
  assert.equal(got.filter((e) => e.type === "OrderDenied").length, 1);
  assert.deepEqual(refusals(got), []);
  assert.ok(got.some((e) => e.type === "OrderModified" && e.clientOrderId === a));
  await t.host.stop();
});

Deno.test("risk modify: a reduce-only order may not grow past the position it reduces", async () => {
  const t = await setup();
  t.submit({ qty: 10 }); // long 10 (fills at the close)
  const exit = t.submit({ side: "sell", type: "limit", limitPrice: 110, qty: 5, reduceOnly: true });
  t.modify(exit, { qty: 20 }); // would sell 20 against a long of 10: opens a short of 10
  t.modify(exit, { qty: 10 });
  const got = await t.events();
  const [[, reason]] = refusals(got);
  assert.match(reason as string, /reduce-only qty 20 exceeds the position 10/);
  assert.ok(got.some((e) => e.type === "OrderModified" && e.clientOrderId === exit));
  await t.host.stop();
});

Deno.test("risk modify: until the venue answers, limits count the larger of the old and new order", async () => {
  const t = await setup({ limits: { maxPositionQty: 10 }, silent: true });
  const id = t.submit({ type: "limit", limitPrice: 95, qty: 8 });
  t.modify(id, { qty: 2 }); // passes; the venue may still hold 8 until it answers
  t.submit({ type: "limit", limitPrice: 95, qty: 5 }); // 8 + 5 > 10: denied although the modified order is 2
  const got = await t.events();
  const denied = got.filter((e) => e.type === "OrderDenied");
  assert.equal(denied.length, 1);
  assert.match((denied[0] as { reason: string }).reason, /position would be 13 X/);
  await t.host.stop();
});

Deno.test("risk modify: a filled, unknown or foreign order is refused; the strategy is told why", async () => {
  const t = await setup();
  const id = t.submit({ qty: 1 }); // fills at once (fillAt close)
  t.modify(id, { qty: 3 });
  t.modify("other-1", { limitPrice: 3 }, true);
  t.modify("s-99", { stopLoss: 3 }, true); // no such trade: the venue refuses
  t.modify("s-1-sl", { stopPrice: 90 }); // a venue-placed exit: moved through its trade only
  const r = refusals(await t.events());
  assert.equal(r.length, 4);
  assert.match(r[3][1] as string, /s-1-sl is a bracket exit: modify \{ trade: "s-1" \}/);
  assert.match(r[0][1] as string, /s-1 is not open/);
  assert.match(r[1][1] as string, /other-1 is not an order of s/);
  assert.match(r[2][1] as string, /s-99 is not open .* has no open exits/);
  assert.deepEqual(r.map(([, , denied]) => denied), [true, true, false, true]);
  await t.host.stop();
});

Deno.test("risk modify: the guardian's bracket moves by cancel, then replace at the new price", async () => {
  const t = await setup({ synthetic: true });
  const parent = t.submit({ bracket: { stopLoss: 95, takeProfit: 110 } });
  t.modify(parent, { stopLoss: 98 }, true);
  const seen = await t.tapped();
  const trail = seen.filter((m) => m.type !== "ModifyOrder").map((m) =>
    m.type === "SubmitOrder"
      ? `submit ${m.order.clientOrderId} ${m.order.stopPrice ?? m.order.limitPrice}`
      : m.type === "CancelOrder"
      ? `cancel ${m.clientOrderId}`
      : m.type
  );
  // The old stop is cancelled, and only after the venue confirms is the next version placed: never two live stops.
  assert.deepEqual(trail, [
    "submit s-1 undefined",
    "submit s-1-sl 95",
    "submit s-1-tp 110",
    "cancel s-1-sl",
    "submit s-1-sl2 98",
  ]);
  t.bar(1, 100, 101, 97, 99); // trades through 98, not 95
  const got = await t.events();
  assert.ok(got.some((e) => e.type === "OrderModified" && e.clientOrderId === parent));
  assert.deepEqual(fillsOf(got), [["s-1", 10, 100], ["s-1-sl2", 10, 98]]);
  await t.host.stop();
});

Deno.test("risk modify: the guardian's exits cannot be modified directly, nor a leg the bracket lacks", async () => {
  const t = await setup({ synthetic: true });
  const parent = t.submit({ bracket: { stopLoss: 95 } });
  t.modify(`${parent}-sl`, { stopPrice: 99, qty: 50 });
  t.modify(parent, { takeProfit: 120 }, true);
  t.modify(parent, { stopLoss: Number.NaN }, true);
  const r = refusals(await t.events()).map(([, reason]) => reason as string);
  assert.equal(r.length, 3);
  assert.match(r[0], /s-1-sl is a bracket exit: modify \{ trade: "s-1" \}/);
  assert.match(r[1], /has no take-profit/);
  assert.match(r[2], /stopLoss must be a number > 0/);
  assert.equal(modifiesSent(await t.tapped()), 0);
  await t.host.stop();
});
