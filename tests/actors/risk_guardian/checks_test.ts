/** Venue increments and minimums in the pre-trade checks: the rule and the exact reasons. */
import assert from "node:assert/strict";
import { checkInstrument, checkOrder, type InstrumentRules } from "../../../actors/risk_guardian/checks.ts";
import type { OrderRequest } from "../../../actors/protocol/mod.ts";
import { viewOf } from "./view.ts";

const order = (fields: Partial<OrderRequest>): OrderRequest => ({
  clientOrderId: "s-1",
  strategyId: "s",
  venue: "binance",
  symbol: "BTC/USDT",
  side: "buy",
  type: "market",
  qty: 0.01,
  tif: "GTC",
  ts: 0,
  refPrice: 50_000,
  ...fields,
});
const rules: InstrumentRules = { stepSize: 0.001, tickSize: 0.01, minQty: 0.002, minNotional: 10 };
const reason = (fields: Partial<OrderRequest>, r = rules, last?: number) => {
  const verdict = checkInstrument(order(fields), r, last);
  return verdict.kind === "deny" ? verdict.reason : undefined;
};

Deno.test("checks: the quantity snaps down to the step; the snapped order is what passes", () => {
  const verdict = checkInstrument(order({ qty: 0.0109 }), rules);
  assert.equal(verdict.kind, "pass");
  assert.equal(verdict.kind === "pass" && verdict.order.qty, 0.01);
  // On the step already: the very same order object, nothing copied.
  const exact = order({ qty: 0.003 });
  assert.equal((checkInstrument(exact, rules) as { order: OrderRequest }).order, exact);
});

Deno.test("checks: a quantity that snaps to 0 or below the minimum is denied, naming the value and the rule", () => {
  assert.equal(reason({ qty: 0.0009 }), "qty 0.0009 snaps down to 0 at the step size 0.001");
  assert.equal(
    reason({ qty: 0.0019 }),
    "qty 0.001 (0.0019 snapped down to the step size 0.001) is below the venue minimum quantity 0.002",
  );
  assert.equal(reason({ qty: 0.001 }), "qty 0.001 is below the venue minimum quantity 0.002");
});

Deno.test("checks: an off-tick limit, stop, stop-loss or take-profit is denied, never moved", () => {
  assert.equal(
    reason({ type: "limit", limitPrice: 50_000.005 }),
    "limit price 50000.005 is not a multiple of the tick size 0.01",
  );
  assert.equal(
    reason({ type: "stop", stopPrice: 49_000.123 }),
    "stop price 49000.123 is not a multiple of the tick size 0.01",
  );
  assert.equal(
    reason({ bracket: { stopLoss: 49_000.001, takeProfit: 52_000 } }),
    "stop-loss price 49000.001 is not a multiple of the tick size 0.01",
  );
  assert.equal(
    reason({ bracket: { stopLoss: 49_000, takeProfit: 52_000.5 } }, { tickSize: 1 }),
    "take-profit price 52000.5 is not a multiple of the tick size 1",
  );
  // Float noise is not off-tick: 0.1 + 0.2 is on a 0.01 tick.
  assert.equal(reason({ type: "limit", limitPrice: 0.1 + 0.2, qty: 100 }, { tickSize: 0.01 }), undefined);
});

Deno.test("checks: notional below the venue minimum is denied; the price is limit, stop, reference, then last", () => {
  assert.equal(
    reason({ qty: 0.002, type: "limit", limitPrice: 4_000 }),
    "order notional 8.00 (qty 0.002 × price 4000) is below the venue minimum notional 10",
  );
  assert.equal(reason({ qty: 0.002, refPrice: 4_000 }), reason({ qty: 0.002, type: "limit", limitPrice: 4_000 }));
  assert.equal(
    reason({ qty: 0.002, refPrice: undefined }, rules, 4_500),
    "order notional 9.00 (qty 0.002 × price 4500) is below the venue minimum notional 10",
  );
  assert.equal(reason({ qty: 0.002, refPrice: undefined }), undefined); // no price known: not checked
  assert.equal(
    reason({ qty: 0.0029, refPrice: 4_000 }),
    "order notional 8.00 (qty 0.002 × price 4000) is below the venue minimum notional 10",
  ); // the snapped quantity counts
  assert.equal(
    reason({ qty: 1, refPrice: 5 }, { minNotional: 10, multiplier: 3 }),
    undefined,
  ); // 1 × 5 × 3 = 15
});

Deno.test("checks: venue-sized orders skip the quantity rules; reducing orders meet the venue rules too", () => {
  assert.equal(reason({ qty: 0, sizing: { mode: "equity_fraction", fraction: 0.5 } }), undefined);
  const view = viewOf({ state: "REDUCING", positions: { "s/BTC/USDT": 1 } });
  const reducing = checkOrder(order({ side: "sell", qty: 0.0015 }), {}, view, rules);
  assert.deepEqual(reducing, {
    kind: "deny",
    reason: "qty 0.001 (0.0015 snapped down to the step size 0.001) is below the venue minimum quantity 0.002",
  });
  const passes = checkOrder(
    order({ side: "sell", qty: 0.0025, reduceOnly: true }),
    { maxOrderNotional: 1 },
    view,
    rules,
  );
  assert.equal(passes.kind === "pass" && passes.order.qty, 0.002); // reduce-only: the exposure limits do not apply
  // The trading state comes first: a HALTED guardian says so, whatever the venue rules.
  assert.deepEqual(checkOrder(order({ qty: 0 }), {}, { ...view, state: "HALTED" }, rules), {
    kind: "deny",
    reason: "trading is HALTED",
  });
});

const sized = (fields: Partial<OrderRequest> = {}) =>
  order({ symbol: "X", qty: 0, refPrice: 100, sizing: { mode: "equity_fraction", fraction: 1 }, ...fields });
const pass = (verdict: ReturnType<typeof checkOrder>) => {
  assert.equal(verdict.kind, "pass", verdict.kind === "deny" ? verdict.reason : "");
  return (verdict as { order: OrderRequest }).order;
};

Deno.test("limits: an order sized by the venue is capped by the room under every limit, never skipped", () => {
  const view = viewOf({ positions: { "s/X": 10 }, last: { X: 100 } });
  const capped = pass(checkOrder(sized(), { maxPositionQty: 30, maxOrderNotional: 1_500 }, view));
  assert.deepEqual(capped.sizing, { mode: "equity_fraction", fraction: 1, maxQty: 20, maxNotional: 1_500 });
  // Exposure: 10 held × 100 leaves 2,000 of 3,000, i.e. 20 more units.
  assert.equal(pass(checkOrder(sized(), { maxGrossExposure: 3_000 }, view)).sizing?.maxQty, 20);
  // The strategy's own limit is tighter than the account's.
  assert.equal(
    pass(checkOrder(sized(), { maxPositionQty: 30 }, view, undefined, { maxPositionQty: 12 })).sizing?.maxQty,
    2,
  );
  assert.deepEqual(checkOrder(sized(), { maxPositionQty: 10 }, view), {
    kind: "deny",
    reason: "no room for a venue-sized order under maxPositionQty 10",
  });
});

Deno.test("limits: orders already open count, so two orders that each fit cannot overshoot together", () => {
  const open = [{ strategyId: "s", symbol: "X", side: "buy" as const, reduceOnly: false, remaining: 20, price: 100 }];
  const view = viewOf({ open, last: { X: 100 } });
  const verdict = checkOrder(order({ symbol: "X", qty: 15, refPrice: 100 }), { maxPositionQty: 30 }, view);
  assert.deepEqual(verdict, {
    kind: "deny",
    reason: "position would be 35 X (counting open orders), beyond the limit of 30",
  });
  // A venue-sized order still resting without a cap is unbounded: nothing more in its direction passes.
  const unbounded = viewOf({ open: [{ ...open[0], remaining: Infinity }], last: { X: 100 } });
  assert.equal(checkOrder(order({ symbol: "X", qty: 1 }), { maxPositionQty: 30 }, unbounded).kind, "deny");
});

Deno.test("limits: a position never makes room for an order against it; reduce-only exits always pass", () => {
  const view = viewOf({ positions: { "s/X": 8 }, last: { X: 100 } });
  // Selling 16 from +8 reaches −16 if the long is closed by something else first (a stop-loss, a close).
  assert.match(
    (checkOrder(order({ symbol: "X", side: "sell", qty: 16 }), { maxPositionQty: 8 }, view) as { reason: string })
      .reason,
    /position would be -16 X, beyond the limit of 8/,
  );
  const exit = order({ symbol: "X", side: "sell", qty: 8, reduceOnly: true });
  assert.equal(checkOrder(exit, { maxPositionQty: 1, maxOrderNotional: 1, maxOpenOrders: 0 }, view).kind, "pass");
});

Deno.test("limits: account limits add up every strategy's position; strategies do not offset each other", () => {
  const view = viewOf({ positions: { "a/X": 20, "b/X": -20 }, last: { X: 100 } });
  const buy = (strategyId: string, qty: number) => order({ strategyId, symbol: "X", qty, refPrice: 100 });
  assert.match(
    (checkOrder(buy("a", 15), { maxPositionQty: 50 }, view) as { reason: string }).reason,
    /position would be 35 X, beyond the limit of 50 \(other strategies hold or may get 20\)/,
  );
  assert.equal(checkOrder(buy("a", 10), { maxPositionQty: 50 }, view).kind, "pass");
  assert.match(
    (checkOrder(buy("a", 5), {}, view, undefined, { maxGrossExposure: 2_400 }) as { reason: string }).reason,
    /gross exposure would be 2500\.00, beyond 2400 for strategy a/,
  );
});

Deno.test("limits: an order that cannot be valued is denied when a value limit is set", () => {
  const verdict = checkOrder(order({ symbol: "X", refPrice: undefined }), { maxOrderNotional: 1_000 }, viewOf());
  assert.deepEqual(verdict, {
    kind: "deny",
    reason:
      "cannot value the order against maxOrderNotional: no price (no limit, stop or reference price, and no last price for X)",
  });
});
