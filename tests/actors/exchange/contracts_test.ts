/**
 * Contracts with a multiplier, a commission per contract and an initial margin per contract, in the simulated venue
 * (matching.ts), the ledger and the round trips. Money math is asserted exactly: prices on a 0.25 tick and fees in
 * quarters are binary fractions, so every product and sum below is exact in float64 and any deviation is a bug.
 */
import assert from "node:assert/strict";
import {
  createSimState,
  DEFAULT_SIM_CONFIG,
  onBar,
  type SimConfig,
  submitOrder,
} from "../../../actors/exchange/sim/matching.ts";
import type { Bar, ContractTerms, Fill, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import { applyFill, createLedger, equity, marginUsed, positionOf } from "../../../actors/portfolio/ledger.ts";
import { createRoundTrips, recordFill } from "../../../actors/portfolio/round_trips.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";
import { combinedCommission } from "../../../actors/exchange/sim/costs.ts";

const DAY = 86_400_000;
const flat = (i: number, price: number): Bar => ({
  symbol: "ES",
  timeframe: "1d",
  ts: i * DAY,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: 1e9,
});

let seq = 0;
const order = (fields: Partial<OrderRequest>): OrderRequest => ({
  clientOrderId: `t-${++seq}`,
  strategyId: "t",
  venue: "sim",
  symbol: "ES",
  side: "buy",
  type: "market",
  qty: 1,
  tif: "GTC",
  ts: 0,
  ...fields,
});

function venue(terms: ContractTerms, config: Partial<SimConfig> = {}) {
  const state = createSimState({
    ...DEFAULT_SIM_CONFIG,
    initialCash: 1_000_000,
    contracts: { ES: terms },
    ...config,
  });
  const events: OrderEvent[] = [];
  const emit = (_to: string, e: OrderEvent) => void events.push(e);
  return {
    state,
    events,
    submit: (o: OrderRequest) => submitOrder(state, o, "owner", 0, emit),
    bar: (b: Bar) => onBar(state, b, emit),
    fills: () =>
      events.flatMap((e) => e.type === "OrderFilled" || e.type === "OrderPartiallyFilled" ? [e.fill] : []) as Fill[],
    last: () => events[events.length - 1],
  };
}

/** A price on the 0.25 tick between 100 and 5,000. */
const tickPrice = (r: () => number) => 100 + Math.floor(r() * 19_600) * 0.25;

Deno.test("property: a round trip's P&L is exactly (exit − entry) × qty × multiplier − fees, in venue and portfolio", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = seededRandom(seed);
    const multiplier = [1, 5, 10, 20, 50][Math.floor(r() * 5)];
    const fee = [0, 0.25, 2, 2.25][Math.floor(r() * 4)];
    const margin = r() < 0.5 ? 0 : [500, 1_000, 12_000][Math.floor(r() * 3)];
    const qty = 1 + Math.floor(r() * 20);
    const side = r() < 0.5 ? "buy" : "sell";
    const sign = side === "buy" ? 1 : -1;
    const entry = tickPrice(r);
    const exit = tickPrice(r);
    const terms: ContractTerms = { multiplier, commissionPerUnit: fee, ...(margin ? { margin } : {}) };
    const v = venue(terms, { initialCash: 100_000_000 });
    v.bar(flat(0, entry));
    v.submit(order({ side, qty }));
    v.bar(flat(1, entry));
    v.submit(order({ side: side === "buy" ? "sell" : "buy", qty, reduceOnly: true }));
    v.bar(flat(2, exit));
    const fills = v.fills();
    const where = `seed ${seed}: ${side} ${qty} × ${multiplier} @ ${entry} → ${exit}, fee ${fee}, margin ${margin}`;
    assert.equal(fills.length, 2, where);
    const expected = sign * (exit - entry) * qty * multiplier - 2 * qty * fee;
    assert.equal(v.state.account.balance - 100_000_000, expected, `venue: ${where}`);
    assert.equal(equity(v.state.account) - 100_000_000, expected, `venue equity: ${where}`);
    for (const f of fills) {
      assert.equal(f.commission, qty * fee, where);
      assert.equal(f.multiplier, multiplier === 1 ? undefined : multiplier, "a fill states its multiplier unless 1");
    }
    // The portfolio's books from the fills alone (what the portfolio actor does with each fill).
    const ledger = createLedger(0);
    const trips = createRoundTrips();
    for (const f of fills) {
      const signed = f.side === "buy" ? f.qty : -f.qty;
      applyFill(ledger, f.symbol, signed, f.price, f.commission, f.ts, f.multiplier ?? 1);
      recordFill(trips, "t", f.symbol, signed, f.price, f.commission, f.ts, 0, f.multiplier ?? 1);
    }
    assert.equal(ledger.balance, expected, `ledger: ${where}`);
    assert.equal(trips.closed.length, 1);
    assert.equal(trips.closed[0].pnl, expected, `round trip: ${where}`);
  }
});

Deno.test("property: unrealised P&L and equity move by Δprice × qty × multiplier while a contract is held", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = seededRandom(seed * 7);
    const multiplier = [2, 10, 50][Math.floor(r() * 3)];
    const qty = 1 + Math.floor(r() * 9);
    const entry = tickPrice(r);
    const mark = tickPrice(r);
    const v = venue({ multiplier }, { initialCash: 100_000_000 });
    v.bar(flat(0, entry));
    v.submit(order({ qty }));
    v.bar(flat(1, entry));
    v.bar({ ...flat(2, mark), open: entry });
    assert.equal(positionOf(v.state.account, "ES"), qty);
    assert.equal(equity(v.state.account) - 100_000_000, (mark - entry) * qty * multiplier, `seed ${seed}`);
  }
});

Deno.test("initial margin per contract decides what may be opened, not the notional", () => {
  // Notional of one contract: 4,000 × 50 = 200,000, far above the cash; the margin is 12,000 (+ 2.25 fee).
  const v = venue({ multiplier: 50, margin: 12_000, commissionPerUnit: 2.25 }, { initialCash: 30_000 });
  v.bar(flat(0, 4_000));
  v.submit(order({ qty: 3 }));
  v.bar(flat(1, 4_000));
  assert.equal(v.last().type, "OrderCanceled");
  assert.match((v.last() as { reason: string }).reason, /insufficient margin: needs 36006\.75, has 30000\.00/);
  v.submit(order({ qty: 2 }));
  v.bar(flat(2, 4_000));
  assert.equal(v.last().type, "OrderFilled");
  assert.equal(marginUsed(v.state.account, 1), 24_000);
  // Margin is tied up: a third contract does not fit beside the two (30,000 − 4.5 − 24,000 < 12,002.25).
  v.submit(order({ qty: 1 }));
  v.bar(flat(3, 4_000));
  assert.equal(v.last().type, "OrderCanceled");
  // Closing one releases its margin: then one more fits again.
  v.submit(order({ side: "sell", qty: 1, reduceOnly: true }));
  v.bar(flat(4, 4_000));
  v.submit(order({ qty: 1 }));
  v.bar(flat(5, 4_000));
  assert.equal(v.last().type, "OrderFilled");
  assert.equal(positionOf(v.state.account, "ES"), 2);
});

Deno.test("without a margin per contract a multiplier scales the margin: notional × multiplier / leverage", () => {
  const v = venue({ multiplier: 10 }, { initialCash: 10_000, leverage: 2 });
  v.bar(flat(0, 400));
  v.submit(order({ qty: 6 })); // 6 × 400 × 10 / 2 = 12,000 > 10,000
  v.bar(flat(1, 400));
  assert.equal(v.last().type, "OrderCanceled");
  v.submit(order({ qty: 5 })); // 10,000: fits exactly
  v.bar(flat(2, 400));
  assert.equal(v.last().type, "OrderFilled");
  assert.equal(marginUsed(v.state.account, 2), 10_000);
});

Deno.test("an all-in order sizes by margin and fees per contract; the venue's commission adds to the contract's", () => {
  const v = venue(
    { multiplier: 10, margin: 500, commissionPerUnit: 2 },
    { initialCash: 10_000, costs: { ...DEFAULT_SIM_CONFIG.costs, commission: combinedCommission(1, 0, 0.5) } },
  );
  v.bar(flat(0, 4_000));
  v.submit(order({ qty: 0, sizing: { mode: "equity_fraction", fraction: 1 } }));
  v.bar(flat(1, 4_000));
  const [fill] = v.fills();
  // Per contract: 500 margin + 2 (contract) + 0.5 (venue per unit), plus 1 per fill: floor(9,999 / 502.5) = 19.
  assert.equal(fill.qty, 19);
  assert.equal(fill.commission, 1 + 19 * 0.5 + 19 * 2);
  assert.ok(19 * 502.5 + 1 <= 10_000 && 20 * 502.5 + 1 > 10_000);
});

Deno.test("maxNotional caps of the risk guardian clamp a sized order at price × multiplier", () => {
  const v = venue({ multiplier: 10, margin: 100 });
  v.bar(flat(0, 1_000));
  v.submit(order({ qty: 0, sizing: { mode: "equity_fraction", fraction: 1, maxNotional: 55_000 } }));
  v.bar(flat(1, 1_000));
  assert.equal(v.fills()[0].qty, 5); // 5 × 1,000 × 10 = 50,000 ≤ 55,000 < 60,000
});

Deno.test("a multiplier of 1 and no terms change nothing: fills carry no multiplier field", () => {
  const v = venue({});
  v.bar(flat(0, 100));
  v.submit(order({ qty: 3 }));
  v.bar(flat(1, 100));
  const [fill] = v.fills();
  assert.equal("multiplier" in fill, false);
  assert.equal(marginUsed(v.state.account, 1), 300);
});
