/**
 * Synthetic brackets through the in-process host: the sim exchange stands in for a venue without native brackets
 * (`nativeBrackets: false` on the risk side), and a tap between the guardian and the exchange records what the
 * venue is sent.
 */
import assert from "node:assert/strict";
import { createInProcessHost, type InProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { Bar, ExchangeMessage, Fill, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import { strategyIdOf } from "../../../actors/exchange/reconcile.ts";
import { hasNativeBrackets } from "../../../actors/risk_guardian/risk_guardian.ts";

const module = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const RECORDER = new URL("./recorder.ts", import.meta.url).href;
const TAP = new URL("./tap.ts", import.meta.url).href;
const DAY = 86_400_000;

interface Options {
  readonly volumeShare?: number;
  /** Restore the guardian from this snapshot; no exchange behind the tap (the test plays the venue). */
  readonly snapshot?: unknown;
}

async function setup(options: Options = {}) {
  const clock = simulatedClock(0);
  const host = createInProcessHost({
    clock,
    logSink: () => {},
    autoDrain: false,
    ...(options.snapshot ? { snapshots: new Map([["t/risk", options.snapshot]]) } : {}),
  });
  const venue = options.snapshot === undefined;
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
        config: { limits: {}, exchanges: { sim: "t/tap" }, nativeBrackets: { sim: false } },
      },
      { kind: "actor", id: "tap", module: TAP, config: venue ? { target: "t/exchange" } : {} },
      ...(venue
        ? [{
          kind: "actor" as const,
          id: "exchange",
          module: module("exchange/sim/sim_exchange.ts"),
          config: {
            sim: { initialCash: 1_000_000, fillAt: "close", volumeShare: options.volumeShare },
            fillSubscribers: [],
          },
        }]
        : []),
    ],
  });
  const bar = (day: number, o: number, h: number, l: number, c: number, volume = 1e9) => {
    const b: Bar = { symbol: "X", timeframe: "1d", ts: day * DAY, open: o, high: h, low: l, close: c, volume };
    clock.advanceTo(b.ts);
    host.tell("t/exchange", { type: "Bar", bar: b });
    host.drain();
  };
  if (venue) bar(0, 100, 100, 100, 100, options.volumeShare ? 100 : 1e9);
  let n = 0;
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
    return order;
  };
  return { host, clock, bar, submit, ...queries(host) };
}

function queries(host: InProcessHost) {
  const ask = async <R>(path: string, type: string) => {
    const reply = host.ask<{ type: string } & R>(path, { type }, 1_000);
    host.drain();
    return await reply;
  };
  return {
    events: async () => (await ask<{ events: OrderEvent[] }>("t/owner", "GetEvents")).events,
    tapped: async () => (await ask<{ seen: ExchangeMessage[] }>("t/tap", "GetTapped")).seen,
    risk: () =>
      ask<{ positions: { key: string; qty: number }[]; brackets: { parent: string }[]; openOrders: number }>(
        "t/risk",
        "GetRiskState",
      ),
  };
}

const submits = (seen: ExchangeMessage[]) => seen.flatMap((m) => m.type === "SubmitOrder" ? [m.order] : []);
const cancels = (seen: ExchangeMessage[]) => seen.flatMap((m) => m.type === "CancelOrder" ? [m.clientOrderId] : []);
const of = (events: OrderEvent[], id: string) =>
  events.filter((e) => e.type !== "OrderSubmitted" && e.clientOrderId === id).map((e) => e.type);

Deno.test("brackets: the entry's fill places a reduce-only stop and limit; the stop's fill cancels the limit", async () => {
  const { host, bar, submit, events, tapped, risk } = await setup();
  submit({ bracket: { stopLoss: 95, takeProfit: 110 } });
  const sent = submits(await tapped());
  assert.deepEqual(sent.map((o) => o.clientOrderId), ["s-1", "s-1-sl", "s-1-tp"]);
  assert.ok(sent.every((o) => o.bracket === undefined), "no bracket reaches the venue");
  const [, sl, tp] = sent;
  assert.deepEqual(
    [sl.type, sl.side, sl.qty, sl.stopPrice, sl.reduceOnly, sl.ocoGroup],
    ["stop", "sell", 10, 95, true, "s-1-oco"],
  );
  assert.deepEqual(
    [tp.type, tp.side, tp.qty, tp.limitPrice, tp.reduceOnly, tp.ocoGroup],
    ["limit", "sell", 10, 110, true, "s-1-oco"],
  );

  bar(1, 100, 101, 94, 96); // trades through the stop at 95; the take-profit at 110 is not reached
  assert.deepEqual(cancels(await tapped()), ["s-1-tp"]);
  const got = await events();
  assert.deepEqual(of(got, "s-1"), ["OrderAccepted", "OrderFilled"]);
  assert.deepEqual(of(got, "s-1-sl"), ["OrderAccepted", "OrderFilled"]);
  // Only the cancel reaches the owner: the venue's "already closed" answer to the guardian's own cancel does not.
  assert.deepEqual(of(got, "s-1-tp"), ["OrderAccepted", "OrderCanceled"]);
  const sold = got.find((e) => e.type === "OrderFilled" && e.clientOrderId === "s-1-sl") as { fill: Fill };
  assert.equal(sold.fill.price, 95);
  const state = await risk();
  assert.deepEqual(state.positions, [{ key: "s/X", qty: 0 }]);
  assert.deepEqual(state.brackets, []);
  assert.equal(state.openOrders, 0);
  await host.stop();
});

Deno.test("brackets: a position the strategy closes itself cancels both exits", async () => {
  const { host, bar, submit, events, tapped, risk } = await setup();
  submit({ bracket: { stopLoss: 95, takeProfit: 110 } });
  submit({ side: "sell", qty: 10 }); // the strategy closes on its own
  assert.deepEqual(cancels(await tapped()), ["s-1-sl", "s-1-tp"]);
  bar(1, 100, 120, 80, 100); // would have hit both exits
  const got = await events();
  assert.deepEqual(of(got, "s-1-sl"), ["OrderAccepted", "OrderCanceled"]);
  assert.deepEqual(of(got, "s-1-tp"), ["OrderAccepted", "OrderCanceled"]);
  assert.equal(got.filter((e) => e.type === "OrderFilled").length, 2); // the entry and the strategy's close
  const state = await risk();
  assert.deepEqual(state.positions, [{ key: "s/X", qty: 0 }]);
  assert.deepEqual(state.brackets, []);
  await host.stop();
});

Deno.test("brackets: a partial entry fill is protected at once, exits follow the filled and the exited quantity", async () => {
  // At most 10 units a bar: the entry of 25 fills 10 + 10 + 5, the stop-loss 10 + 10 + 5.
  const { host, bar, submit, events, tapped, risk } = await setup({ volumeShare: 0.1 });
  submit({ qty: 25, bracket: { stopLoss: 95, takeProfit: 110 } });
  const sizes = async () => submits(await tapped()).slice(1).map((o) => `${o.clientOrderId} ${o.qty}`);
  assert.deepEqual(await sizes(), ["s-1-sl 10", "s-1-tp 10"]);

  bar(1, 100, 100, 100, 100, 100); // the entry fills 10 more: both exits are replaced at 20
  assert.deepEqual(cancels(await tapped()), ["s-1-sl", "s-1-tp"]);
  assert.deepEqual((await sizes()).slice(2), ["s-1-sl2 20", "s-1-tp2 20"]);
  bar(2, 100, 100, 100, 100, 100); // the last 5
  assert.deepEqual((await sizes()).slice(4), ["s-1-sl3 25", "s-1-tp3 25"]);

  bar(3, 96, 96, 90, 92, 100); // the stop triggers and fills 10 of 25: the take-profit shrinks to 15
  assert.deepEqual((await sizes()).slice(6), ["s-1-tp4 15"]);
  bar(4, 92, 92, 90, 91, 100); // 10 more: 5 left
  assert.deepEqual((await sizes()).slice(7), ["s-1-tp5 5"]);
  bar(5, 91, 91, 90, 91, 100); // the stop completes: the take-profit is cancelled, the position is flat
  assert.equal(cancels(await tapped()).at(-1), "s-1-tp5");
  const got = await events();
  const slFills = got.filter((e) => e.type === "OrderFilled" || e.type === "OrderPartiallyFilled")
    .filter((e) => (e as { clientOrderId: string }).clientOrderId === "s-1-sl3")
    .map((e) => (e as { fill: Fill }).fill.qty);
  assert.deepEqual(slFills, [10, 10, 5]);
  assert.equal(got.filter((e) => e.type === "OrderRejected").length, 0);
  const state = await risk();
  assert.deepEqual(state.positions, [{ key: "s/X", qty: 0 }]);
  assert.deepEqual(state.brackets, []);
  assert.equal(state.openOrders, 0);
  await host.stop();
});

Deno.test("brackets: a guardian restored mid-bracket keeps its exits and submits none twice", async () => {
  const first = await setup();
  const entry = first.submit({ bracket: { stopLoss: 95, takeProfit: 110 } });
  assert.equal(submits(await first.tapped()).length, 3);
  const taken = first.host.lastSnapshot("t/risk") as { brackets: unknown };
  // The bracket state is plain data: JSON and structured clone both keep it exactly.
  assert.deepEqual(JSON.parse(JSON.stringify(taken.brackets)), taken.brackets);
  const snapshot = structuredClone(taken);
  await first.host.stop();

  // A new process: the test plays the venue from here on.
  const { host, tapped, events, risk } = await setup({ snapshot });
  host.tell("t/risk", { type: "SubmitOrder", order: entry, replyTo: "t/owner" }); // a replayed entry
  host.tell("t/risk", {
    type: "OrderAccepted",
    clientOrderId: "s-1-tp",
    venueOrderId: "v-3",
    strategyId: "s",
    ts: DAY,
  });
  host.drain();
  assert.deepEqual(submits(await tapped()).map((o) => o.clientOrderId), ["s-1"], "no exit is placed again");
  assert.equal(submits(await tapped())[0].bracket, undefined);

  const fill: Fill = {
    fillId: "f-2",
    clientOrderId: "s-1-sl",
    venueOrderId: "v-2",
    strategyId: "s",
    venue: "sim",
    symbol: "X",
    side: "sell",
    qty: 10,
    price: 95,
    commission: 0,
    commissionCurrency: "USD",
    liquidity: "taker",
    ts: DAY,
  };
  host.tell("t/risk", { type: "OrderFilled", clientOrderId: "s-1-sl", strategyId: "s", fill, filledQty: 10 });
  host.drain();
  assert.deepEqual(cancels(await tapped()), ["s-1-tp"], "the restored bracket still manages its exits");
  host.tell("t/risk", { type: "OrderCanceled", clientOrderId: "s-1-tp", strategyId: "s", reason: "ok", ts: DAY });
  host.drain();
  const got = await events();
  assert.deepEqual(of(got, "s-1-sl"), ["OrderFilled"]);
  assert.deepEqual(of(got, "s-1-tp"), ["OrderAccepted", "OrderCanceled"]);
  const state = await risk();
  assert.deepEqual(state.positions, [{ key: "s/X", qty: 0 }]);
  assert.deepEqual(state.brackets, []);
  await host.stop();
});

Deno.test("brackets: a short entry's take-profit fill cancels its stop; the kill switch drops live brackets", async () => {
  const { host, bar, submit, events, tapped, risk } = await setup();
  submit({ side: "sell", bracket: { stopLoss: 105, takeProfit: 90 } });
  const [, sl, tp] = submits(await tapped());
  assert.deepEqual([sl.side, sl.type, sl.stopPrice, tp.side, tp.type, tp.limitPrice], [
    "buy",
    "stop",
    105,
    "buy",
    "limit",
    90,
  ]);
  bar(1, 100, 101, 89, 92); // reaches the take-profit at 90
  assert.deepEqual(cancels(await tapped()), ["s-1-sl"]);
  assert.deepEqual(of(await events(), "s-1-tp"), ["OrderAccepted", "OrderFilled"]);
  assert.deepEqual((await risk()).brackets, []);

  submit({ bracket: { stopLoss: 80, takeProfit: 120 } }); // s-2, long
  assert.deepEqual((await risk()).brackets.map((b) => b.parent), ["s-2"]);
  host.tell("t/risk", { type: "KillSwitch", reason: "operator" });
  host.drain();
  const state = await risk();
  assert.deepEqual(state.brackets, []);
  assert.deepEqual(state.positions, [{ key: "s/X", qty: 0 }]); // flattened by the kill switch
  const after = submits(await tapped()).map((o) => o.clientOrderId);
  assert.equal(after.filter((id) => id.startsWith("s-2-")).length, 2, "no exit placed again after the kill switch");
  await host.stop();
});

Deno.test("brackets: resized exit ids keep their strategy; venues default to native brackets except binance", () => {
  assert.deepEqual(["s-1-sl", "s-1-tp", "s-12-sl2", "my.s-7-tp13"].map(strategyIdOf), ["s", "s", "s", "my.s"]);
  const config = { limits: {}, exchanges: {} };
  assert.equal(hasNativeBrackets(config, "sim"), true);
  assert.equal(hasNativeBrackets(config, "paper"), true);
  assert.equal(hasNativeBrackets(config, "binance"), false);
  assert.equal(hasNativeBrackets({ ...config, nativeBrackets: { binance: true, sim: false } }, "sim"), false);
});
