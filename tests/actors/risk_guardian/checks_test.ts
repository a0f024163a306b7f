/** Venue increments and minimums in the pre-trade checks: the rule and the exact reasons. */
import assert from "node:assert/strict";
import { checkInstrument, checkOrder, type InstrumentRules } from "../../../actors/risk_guardian/checks.ts";
import type { OrderRequest } from "../../../actors/protocol/mod.ts";

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
  const view = {
    state: "REDUCING" as const,
    position: () => 1,
    grossExposure: () => 0,
    openOrders: 0,
    recentOrders: 0,
  };
  const reducing = checkOrder(order({ side: "sell", qty: 0.0015 }), {}, view, rules);
  assert.deepEqual(reducing, {
    kind: "deny",
    reason: "qty 0.001 (0.0015 snapped down to the step size 0.001) is below the venue minimum quantity 0.002",
  });
  const passes = checkOrder(order({ side: "sell", qty: 0.0025 }), { maxOrderNotional: 1 }, view, rules);
  assert.equal(passes.kind === "pass" && passes.order.qty, 0.002); // reducing: the exposure limits do not apply
  // The trading state comes first: a HALTED guardian says so, whatever the venue rules.
  assert.deepEqual(checkOrder(order({ qty: 0 }), {}, { ...view, state: "HALTED" }, rules), {
    kind: "deny",
    reason: "trading is HALTED",
  });
});
