/** The simulated venue's fill rules, one order type at a time, on hand-made bars. */
import assert from "node:assert/strict";
import {
  createSimState,
  DEFAULT_SIM_CONFIG,
  onBar,
  type SimConfig,
  submitOrder,
} from "../../../actors/exchange/sim/matching.ts";
import type { Bar, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import { positionOf } from "../../../actors/portfolio/ledger.ts";
import { combinedCommission } from "../../../actors/exchange/sim/costs.ts";

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
function order(fields: Partial<OrderRequest>): OrderRequest {
  return {
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
  };
}

function venue(config: Partial<SimConfig> = {}) {
  const state = createSimState({ ...DEFAULT_SIM_CONFIG, initialCash: 100_000, ...config });
  const events: OrderEvent[] = [];
  const emit = (_to: string, e: OrderEvent) => void events.push(e);
  onBar(state, bar(0, 100, 101, 99, 100), emit); // a last price to start from
  return {
    state,
    events,
    submit: (o: OrderRequest) => submitOrder(state, o, "owner", 0, emit),
    bar: (b: Bar) => onBar(state, b, emit),
    fills: () => events.filter((e) => e.type === "OrderFilled" || e.type === "OrderPartiallyFilled"),
    last: () => events[events.length - 1],
  };
}

const priceOf = (e: OrderEvent) => (e as Extract<OrderEvent, { type: "OrderFilled" }>).fill.price;

Deno.test("market orders fill at the next bar's open; with fillAt close, at once at the last close", () => {
  const v = venue();
  v.submit(order({}));
  assert.equal(v.fills().length, 0);
  v.bar(bar(1, 105, 110, 104, 108));
  assert.equal(priceOf(v.fills()[0]), 105);
  const c = venue({ fillAt: "close" });
  c.submit(order({}));
  assert.equal(priceOf(c.fills()[0]), 100);
});

Deno.test("limit orders fill at the limit, or at a better open when the bar gaps through", () => {
  const v = venue();
  v.submit(order({ type: "limit", limitPrice: 95 }));
  v.bar(bar(1, 99, 100, 96, 97)); // never reaches 95
  assert.equal(v.fills().length, 0);
  v.bar(bar(2, 97, 98, 94, 95));
  assert.equal(priceOf(v.fills()[0]), 95);
  v.submit(order({ type: "limit", limitPrice: 95 }));
  v.bar(bar(3, 90, 92, 89, 91)); // gaps below the limit: the better open
  assert.equal(priceOf(v.fills()[1]), 90);
  assert.equal((v.fills()[1] as Extract<OrderEvent, { type: "OrderFilled" }>).fill.liquidity, "maker");
});

Deno.test("stop orders trigger through the stop and fill there, or at the open on a gap", () => {
  const v = venue();
  v.submit(order({ type: "stop", stopPrice: 105 }));
  v.bar(bar(1, 100, 104, 99, 103));
  assert.equal(v.fills().length, 0);
  v.bar(bar(2, 103, 107, 102, 106));
  assert.equal(priceOf(v.fills()[0]), 105);
  v.submit(order({ type: "stop", side: "sell", qty: 10, stopPrice: 100 }));
  v.bar(bar(3, 95, 96, 94, 95)); // gaps below the stop
  assert.equal(priceOf(v.fills()[1]), 95);
});

Deno.test("stop-limit: triggers as a stop, then waits for the limit (pessimistic when both hit in one bar)", () => {
  const v = venue();
  v.submit(order({ type: "stop_limit", stopPrice: 105, limitPrice: 104 }));
  v.bar(bar(1, 100, 106, 99, 105)); // stop hit, limit 104 also inside the bar: assumed before the stop
  assert.equal(v.fills().length, 0);
  v.bar(bar(2, 105, 106, 103, 104)); // triggered; now the limit is reached
  assert.equal(priceOf(v.fills()[0]), 104);
});

Deno.test("brackets: stop-loss and take-profit are placed on fill and one cancels the other", () => {
  const v = venue();
  v.submit(order({ bracket: { stopLoss: 95, takeProfit: 110 } }));
  v.bar(bar(1, 100, 102, 99, 101)); // parent fills at 100; neither exit reached
  assert.equal(v.fills().length, 1);
  assert.equal(v.state.orders.length, 2);
  v.bar(bar(2, 101, 111, 100, 109)); // take-profit
  assert.equal(priceOf(v.fills()[1]), 110);
  assert.ok(v.events.some((e) => e.type === "OrderCanceled" && e.clientOrderId.endsWith("-sl")));
  assert.equal(positionOf(v.state.account, "X"), 0);
  assert.equal(v.state.orders.length, 0);
});

Deno.test("a market order's stop-loss can trigger in the bar the order filled", () => {
  const v = venue();
  v.submit(order({ bracket: { stopLoss: 95 } }));
  v.bar(bar(1, 100, 101, 90, 92));
  assert.deepEqual(v.fills().map(priceOf), [100, 95]);
});

Deno.test("exits activated mid-bar never fill at a price from before their activation", () => {
  // A buy stop at 105 triggers mid-bar; its stop-loss at 102 lies between the open (100) and the entry. The exit
  // order did not exist at the open, so it cannot fill there: it fills at its own stop (was: at the open, 100).
  const v = venue();
  v.submit(order({ type: "stop", stopPrice: 105, bracket: { stopLoss: 102 } }));
  v.bar(bar(1, 100, 106, 98, 99));
  assert.deepEqual(v.fills().map(priceOf), [105, 102]);
  // A sell limit entry at 104 with a take-profit at 101, on a bar that opens at 100: the take-profit fills at 101,
  // not at the better open (was: 100, a price that traded before the short existed).
  const s = venue();
  s.submit(order({ side: "sell", type: "limit", limitPrice: 104, bracket: { takeProfit: 101 } }));
  s.bar(bar(1, 100, 105, 99, 102));
  assert.deepEqual(s.fills().map(priceOf), [104, 101]);
  // A limit entry filled mid-bar: its take-profit cannot take the open either.
  const l = venue();
  l.submit(order({ type: "limit", limitPrice: 96, bracket: { takeProfit: 99 } }));
  l.bar(bar(1, 101, 102, 95, 99.5));
  assert.deepEqual(l.fills().map(priceOf), [96, 99]);
  // Exits live at the bar's open still take the open when the bar gaps through them (backtesting.py's rule).
  const g = venue();
  g.submit(order({ type: "stop", stopPrice: 105, bracket: { stopLoss: 102 } }));
  g.bar(bar(1, 100, 106, 104, 105.5)); // entry at 105; the stop-loss is not reached
  g.bar(bar(2, 99, 100, 97, 98)); // gaps below it
  assert.deepEqual(g.fills().map(priceOf), [105, 99]);
});

Deno.test("partial fills: each bar fills at most the volume share; IOC cancels the rest, FOK all", () => {
  const v = venue({ volumeShare: 0.1 });
  v.submit(order({ qty: 25 }));
  v.bar(bar(1, 100, 101, 99, 100, 100)); // cap 10
  v.bar(bar(2, 100, 101, 99, 100, 100));
  v.bar(bar(3, 100, 101, 99, 100, 100));
  assert.deepEqual(v.fills().map((e) => e.type), ["OrderPartiallyFilled", "OrderPartiallyFilled", "OrderFilled"]);
  assert.equal(positionOf(v.state.account, "X"), 25);
  v.submit(order({ qty: 25, tif: "FOK", type: "limit", limitPrice: 101 }));
  v.bar(bar(4, 100, 101, 99, 100, 100));
  assert.equal(v.last().type, "OrderCanceled");
  assert.equal(positionOf(v.state.account, "X"), 25);
});

Deno.test("DAY orders expire at the end of the UTC day; IOC limits cancel when not filled at once", () => {
  const v = venue();
  v.submit(order({ type: "limit", limitPrice: 50, tif: "DAY" }));
  v.bar(bar(1, 100, 101, 99, 100));
  assert.equal(v.last().type, "OrderExpired");
  v.submit(order({ type: "limit", limitPrice: 50, tif: "IOC" }));
  v.bar(bar(2, 100, 101, 99, 100));
  assert.equal(v.last().type, "OrderCanceled");
});

Deno.test("reduce-only never opens or flips a position; no-short accounts refuse short sales", () => {
  const v = venue({ allowShort: false });
  v.submit(order({ side: "sell", reduceOnly: true }));
  v.bar(bar(1, 100, 101, 99, 100));
  assert.match((v.last() as { reason: string }).reason, /no position to reduce/);
  v.submit(order({ side: "sell" }));
  v.bar(bar(2, 100, 101, 99, 100));
  assert.match((v.last() as { reason: string }).reason, /short selling is not allowed/);
  v.submit(order({ qty: 5 }));
  v.bar(bar(3, 100, 101, 99, 100));
  v.submit(order({ side: "sell", qty: 50, reduceOnly: true }));
  v.bar(bar(4, 100, 101, 99, 100));
  assert.equal(positionOf(v.state.account, "X"), 0);
});

Deno.test("post-only limits that would take liquidity are rejected; unknown symbols and bad quantities too", () => {
  const v = venue({
    instruments: {
      X: {
        symbol: "X",
        venue: "sim",
        assetClass: "spot",
        baseCurrency: "X",
        quoteCurrency: "USD",
        tickSize: 0.01,
        stepSize: 1,
        minQty: 1,
        minNotional: 0,
        multiplier: 1,
      },
    },
  });
  v.submit(order({ type: "limit", limitPrice: 101, postOnly: true }));
  assert.match((v.last() as { reason: string }).reason, /post-only/);
  v.submit(order({ symbol: "NOPE" }));
  assert.match((v.last() as { reason: string }).reason, /unknown symbol "NOPE"/);
  v.submit(order({ qty: NaN }));
  assert.match((v.last() as { reason: string }).reason, /quantity must be a positive number/);
});

Deno.test("costs: percent commission, fixed-bps slippage and square-root impact move the fill the right way", () => {
  const v = venue({
    costs: {
      commission: { kind: "percent", rate: 0.001 },
      slippage: { kind: "fixed_bps", bps: 10 },
      impact: { kind: "sqrt", coefficient: 0.1 },
    },
  });
  v.submit(order({ qty: 100 }));
  v.bar(bar(1, 100, 101, 99, 100, 10_000));
  const fill = (v.fills()[0] as Extract<OrderEvent, { type: "OrderFilled" }>).fill;
  const expected = 100 + 100 * 0.001 + 100 * 0.1 * Math.sqrt(100 / 10_000);
  assert.ok(Math.abs(fill.price - expected) < 1e-9, `${fill.price} vs ${expected}`);
  assert.ok(Math.abs(fill.commission - fill.price * 100 * 0.001) < 1e-9);
  v.submit(order({ side: "sell", qty: 100 }));
  v.bar(bar(2, 100, 101, 99, 100, 10_000));
  assert.ok(priceOf(v.fills()[1]) < 100, "a sell pays slippage downwards");
});

Deno.test("orders beyond the available margin are cancelled; leverage widens it", () => {
  const v = venue({ initialCash: 1_000 });
  v.submit(order({ qty: 20 }));
  v.bar(bar(1, 100, 101, 99, 100));
  assert.match((v.last() as { reason: string }).reason, /insufficient margin/);
  const l = venue({ initialCash: 1_000, leverage: 4 });
  l.submit(order({ qty: 20 }));
  l.bar(bar(1, 100, 101, 99, 100));
  assert.equal(l.last().type, "OrderFilled");
});

Deno.test("equity-fraction sizing buys all available cash in whole units at the fill price", () => {
  const v = venue({
    initialCash: 10_000,
    costs: { commission: { kind: "percent", rate: 0.01 }, slippage: { kind: "none" }, impact: { kind: "none" } },
  });
  v.submit(order({ qty: 0, sizing: { mode: "equity_fraction", fraction: 1 } }));
  v.bar(bar(1, 99, 101, 98, 100));
  const fill = (v.fills()[0] as Extract<OrderEvent, { type: "OrderFilled" }>).fill;
  assert.equal(fill.qty, Math.floor(10_000 / (99 * 1.01)));
});

const NONE = { slippage: { kind: "none" }, impact: { kind: "none" } } as const;
const filled = (e: OrderEvent) => (e as Extract<OrderEvent, { type: "OrderFilled" }>).fill;

Deno.test("commission models combine: a fixed fee and a percentage are both charged on each fill", () => {
  const v = venue({
    costs: { ...NONE, commission: combinedCommission(5, 0.001, 0.02) },
  });
  v.submit(order({ qty: 100 }));
  v.bar(bar(1, 100, 101, 99, 100));
  assert.equal(filled(v.fills()[0]).commission, 5 + 100 * 100 * 0.001 + 100 * 0.02);
  assert.deepEqual(combinedCommission(0, 0.001), { kind: "percent", rate: 0.001 });
  assert.deepEqual(combinedCommission(0, 0), { kind: "none" });
});

Deno.test("all-in sizing counts the fixed fee as backtesting.py 0.6.6 does (fixed / fraction per unit)", () => {
  // backtesting.py: size = int(margin × leverage × fraction // (adjusted_price + commission(fraction, price) /
  // fraction)), with commission(size, price) = fixed + |size| × price × rate. Fraction ≈ 1: 10 000 // (99 + 10 +
  // 0.99) = 90 units (was 100: the fixed fee was ignored and the fill's fees overdrew the account).
  const v = venue({ initialCash: 10_000, costs: { ...NONE, commission: combinedCommission(10, 0.01) } });
  v.submit(order({ qty: 0, sizing: { mode: "equity_fraction", fraction: 1 } }));
  v.bar(bar(1, 99, 101, 98, 100));
  assert.equal(filled(v.fills()[0]).qty, Math.floor(10_000 / (99 + 10 + 99 * 0.01)));
  // Half the equity: the fixed fee weighs 10 / 0.5 per unit. 5 000 // (99 + 20 + 0.99) = 41.
  const h = venue({ initialCash: 10_000, costs: { ...NONE, commission: combinedCommission(10, 0.01) } });
  h.submit(order({ qty: 0, sizing: { mode: "equity_fraction", fraction: 0.5 } }));
  h.bar(bar(1, 99, 101, 98, 100));
  assert.equal(filled(h.fills()[0]).qty, Math.floor(5_000 / (99 + 10 / 0.5 + 99 * 0.01)));
  // A fixed-size order whose fixed fee does not fit is refused (was: filled, leaving negative cash).
  const f = venue({ initialCash: 1_000, costs: { ...NONE, commission: { kind: "fixed", perOrder: 150 } } });
  f.submit(order({ qty: 9 }));
  f.bar(bar(1, 100, 101, 99, 100));
  assert.match((f.last() as { reason: string }).reason, /insufficient margin: needs 1050\.00/);
});

Deno.test("spread modes: both = half per fill; entry = the whole spread on opening units, none on closes", () => {
  const run = (mode: "both" | "entry") => {
    const v = venue({
      costs: { ...NONE, commission: { kind: "none" }, slippage: { kind: "spread", spread: 0.01, mode } },
    });
    v.submit(order({ qty: 10 })); // open long
    v.bar(bar(1, 100, 101, 99, 100));
    v.submit(order({ side: "sell", qty: 20 })); // close 10, open 10 short
    v.bar(bar(2, 100, 101, 99, 100));
    v.submit(order({ qty: 10 })); // close the short
    v.bar(bar(3, 100, 101, 99, 100));
    return v.fills().map(priceOf);
  };
  assert.deepEqual(run("both"), [100.5, 99.5, 100.5]);
  // backtesting.py: entries at price × (1 ± spread), closes at the unadjusted price; a reversal pays the spread
  // on its opening half only.
  assert.deepEqual(run("entry"), [101, 99.5, 100]);
});
