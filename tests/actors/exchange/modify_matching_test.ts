/** The simulated venue's modify (matching.ts `modifyOrder`): in place, price-time priority, refusals leave orders be. */
import assert from "node:assert/strict";
import {
  createSimState,
  DEFAULT_SIM_CONFIG,
  modifyOrder,
  type ModifyRequest,
  onBar,
  type SimConfig,
  submitOrder,
} from "../../../actors/exchange/sim/matching.ts";
import { onTick } from "../../../actors/exchange/sim/tick_matching.ts";
import type { Bar, OrderChanges, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";

const DAY = 86_400_000;
const bar = (i: number, open: number, high: number, low: number, close: number, volume = 1_000_000): Bar => ({
  symbol: "X",
  timeframe: "1d",
  ts: i * DAY,
  open,
  high,
  low,
  close,
  volume,
});

let seq = 0;
const order = (fields: Partial<OrderRequest>): OrderRequest => ({
  clientOrderId: `t-${++seq}`,
  strategyId: "t",
  venue: "sim",
  symbol: "X",
  side: "buy",
  type: "market",
  qty: 10,
  tif: "GTC",
  ts: 0,
  ...fields,
});

function venue(config: Partial<SimConfig> = {}) {
  const state = createSimState({ ...DEFAULT_SIM_CONFIG, initialCash: 100_000, ...config });
  const events: OrderEvent[] = [];
  const emit = (_to: string, e: OrderEvent) => void events.push(e);
  onBar(state, bar(0, 100, 101, 99, 100), emit);
  let m = 0;
  return {
    state,
    events,
    submit: (o: OrderRequest) => (submitOrder(state, o, "owner", 0, emit), o.clientOrderId),
    modify: (clientOrderId: string, changes: OrderChanges, extra: Partial<ModifyRequest> = {}) =>
      modifyOrder(state, { clientOrderId, strategyId: "t", modifyId: `m${++m}`, changes, ...extra }, "owner", 0, emit),
    bar: (b: Bar) => onBar(state, b, emit),
    fills: () =>
      events.flatMap((e) => e.type === "OrderFilled" || e.type === "OrderPartiallyFilled" ? [e.fill] : []).map((
        f,
      ) => [f.clientOrderId, f.qty, f.price]),
    refused: () => events.flatMap((e) => e.type === "OrderModifyRejected" ? [e.reason] : []),
  };
}

Deno.test("sim modify: a new price moves an order behind the others; a smaller qty keeps its place", () => {
  // Two sells compete for a position of 10 (reduce-only: the first to fill takes it all, the second finds nothing).
  const v = venue({ fillAt: "close" });
  v.submit(order({ qty: 10 })); // long 10 at the close, 100
  const a = v.submit(order({ side: "sell", type: "limit", limitPrice: 105, qty: 10, reduceOnly: true }));
  const b = v.submit(order({ side: "sell", type: "limit", limitPrice: 105, qty: 10, reduceOnly: true }));
  v.modify(a, { limitPrice: 104 }); // a new price: a goes behind b
  v.bar(bar(1, 100, 106, 100, 105));
  assert.deepEqual(v.fills().slice(1), [[b, 10, 105]], "b first (at its limit 105); a then has nothing to reduce");

  const w = venue({ fillAt: "close" });
  w.submit(order({ qty: 10 }));
  const c = w.submit(order({ side: "sell", type: "limit", limitPrice: 105, qty: 12, reduceOnly: true }));
  w.submit(order({ side: "sell", type: "limit", limitPrice: 105, qty: 10, reduceOnly: true }));
  w.modify(c, { qty: 10 }); // smaller: keeps its place, first
  w.bar(bar(1, 100, 106, 100, 105));
  assert.deepEqual(w.fills().slice(1), [[c, 10, 105]]);
});

Deno.test("sim modify: qty never below what filled; a partial fill's leaves follow the new qty", () => {
  const v = venue({ volumeShare: 0.001, initialCash: 1_000_000 }); // 1,000 a bar
  const id = v.submit(order({ type: "limit", limitPrice: 100, qty: 2_500 }));
  v.bar(bar(1, 100, 100, 99, 100));
  v.modify(id, { qty: 1_000 }); // filled 1,000 already: refused
  v.modify(id, { qty: 1_500 }); // 500 left
  v.bar(bar(2, 100, 100, 99, 100));
  v.bar(bar(3, 100, 100, 99, 100));
  assert.deepEqual(v.fills(), [[id, 1_000, 100], [id, 500, 100]]);
  assert.match(v.refused()[0], /qty 1000 is not above the 1000 filled already/);
  assert.equal(v.events.filter((e) => e.type === "OrderFilled").length, 1, "done at 1,500");
});

Deno.test("sim modify: refusals name the problem and change nothing", () => {
  const v = venue();
  const mkt = v.submit(order({}));
  const stop = v.submit(order({ type: "stop", stopPrice: 120 }));
  v.modify(mkt, { limitPrice: 99 });
  v.modify(stop, { limitPrice: 99 });
  v.modify(stop, { stopPrice: -1 });
  v.modify(stop, {});
  v.modify(stop, { stopPrice: 110 }, { strategyId: "other" });
  v.modify("t-999", { qty: 1 });
  v.modify(stop, { takeProfit: 130 }, { trade: true });
  assert.deepEqual(v.refused().map((r) => r.replace(/t-\d+/g, "ID")), [
    "modify: a market order has no limit price",
    "modify: a stop order has no limit price",
    "modify: stopPrice must be a number > 0, got -1",
    "modify: nothing to change",
    "modify: ID is not an order of other",
    "modify: ID is not open (filled, closed or unknown) and has no open exits",
    "modify: ID is not open (filled, closed or unknown) and has no open exits",
  ]);
  v.bar(bar(1, 101, 121, 100, 120)); // the stop, unchanged at 120, triggers
  assert.deepEqual(v.fills(), [[mkt, 10, 101], [stop, 10, 120]]);
});

Deno.test("sim modify: a filled parent's exits move by its id; a stop-limit that triggered keeps its stop", () => {
  const v = venue();
  const parent = v.submit(order({ bracket: { stopLoss: 90, takeProfit: 120 } }));
  v.bar(bar(1, 100, 101, 99, 100)); // entry at 100
  v.modify(parent, { stopLoss: 99, takeProfit: 101 });
  const moved = v.events.filter((e) => e.type === "OrderModified").map((e) => e.clientOrderId);
  assert.deepEqual(moved, [`${parent}-sl`, `${parent}-tp`, parent]);
  v.modify(parent, { qty: 3 }, { trade: true });
  assert.match(v.refused()[0], /only stopLoss and takeProfit/);
  v.bar(bar(2, 100, 102, 99.5, 101)); // the take-profit, moved to 101, fills at 101
  assert.deepEqual(v.fills(), [[parent, 10, 100], [`${parent}-tp`, 10, 101]]);

  const w = venue();
  // A buy stop-limit: the stop at 105 triggers in bar 1 but its limit (104) is not reached after the trigger.
  const sl = w.submit(order({ type: "stop_limit", stopPrice: 105, limitPrice: 104 }));
  w.bar(bar(1, 103, 106, 103, 106));
  w.modify(sl, { stopPrice: 107 });
  assert.match(w.refused()[0], /the stop has triggered already/);
});

Deno.test("sim modify (ticks): a limit moved to the touch arrives again and takes it", () => {
  const v = venue();
  const tick = (s: number, price: number) =>
    onTick(v.state, { symbol: "X", ts: DAY + s * 1000, price, size: 5 }, (_to, e) => void v.events.push(e));
  const id = v.submit(order({ type: "limit", limitPrice: 95, qty: 1 }));
  tick(0, 100);
  v.modify(id, { limitPrice: 100 });
  tick(1, 100); // at its new limit on arrival: it takes the touch
  const f = v.events.find((e) => e.type === "OrderFilled") as Extract<OrderEvent, { type: "OrderFilled" }>;
  assert.deepEqual([f.fill.price, f.fill.liquidity], [100, "taker"]);
});
