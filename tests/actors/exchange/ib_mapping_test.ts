/** Our orders → IB orders: every order type, TIF, brackets as parent/children with transmit flags and one OCA group, prices snapped to the tick with protective stops never worse than asked. */
import assert from "node:assert/strict";
import type { OrderRequest } from "../../../actors/protocol/mod.ts";
import {
  type ContractRules,
  parseIbTime,
  parseSpec,
  toContract,
  toIbOrders,
} from "../../../actors/exchange/ib/mapping.ts";
import { VenueError } from "../../../actors/exchange/venue.ts";

const RULES: ContractRules = {
  conId: 1,
  tickSize: 0.25,
  stepSize: 1,
  minQty: 1,
  multiplier: 50,
  currency: "USD",
  tradingHours: "",
  timeZoneId: "",
};

const base: OrderRequest = {
  clientOrderId: "es-7",
  strategyId: "es",
  venue: "ib",
  symbol: "ES",
  side: "buy",
  type: "market",
  qty: 2,
  tif: "DAY",
  ts: 0,
};

Deno.test("ib mapping: market, limit, stop and stop-limit carry the right type, prices and orderRef", () => {
  const [m] = toIbOrders(base, 2, RULES, false);
  assert.deepEqual([m.ref, m.order.orderType, m.order.action, m.order.totalQuantity, m.order.transmit], [
    "es-7",
    "MKT",
    "BUY",
    2,
    true,
  ]);
  assert.equal(m.order.orderRef, "es-7");
  const [l] = toIbOrders({ ...base, type: "limit", limitPrice: 6000.1, tif: "GTC" }, 2, RULES, true);
  assert.deepEqual([l.order.orderType, l.order.lmtPrice, l.order.tif, l.order.outsideRth], ["LMT", 6000, "GTC", true]);
  const [s] = toIbOrders({ ...base, side: "sell", type: "stop", stopPrice: 5990.13, tif: "IOC" }, 2, RULES, false);
  assert.deepEqual([s.order.orderType, s.order.auxPrice, s.order.action, s.order.tif], ["STP", 5990.25, "SELL", "IOC"]);
  const [sl] = toIbOrders({ ...base, type: "stop_limit", stopPrice: 6010, limitPrice: 6011 }, 2, RULES, false);
  assert.deepEqual([sl.order.orderType, sl.order.auxPrice, sl.order.lmtPrice], ["STP LMT", 6010, 6011]);
  const [oco] = toIbOrders({ ...base, type: "limit", limitPrice: 6000, ocoGroup: "g1" }, 2, RULES, false);
  assert.deepEqual([oco.order.ocaGroup, oco.order.ocaType], ["g1", 1]);
});

Deno.test("ib mapping: a bracket is parent + take-profit + stop-loss, transmitted by the last child, in one OCA group", () => {
  const legs = toIbOrders({ ...base, bracket: { takeProfit: 6100.1, stopLoss: 5950.1 } }, 2, RULES, false);
  assert.deepEqual(legs.map((l) => l.ref), ["es-7", "es-7-tp", "es-7-sl"]);
  assert.deepEqual(legs.map((l) => l.order.transmit), [false, false, true]);
  assert.deepEqual(legs.map((l) => l.order.action), ["BUY", "SELL", "SELL"]);
  assert.equal(legs[1].order.ocaGroup, legs[2].order.ocaGroup);
  assert.equal(legs[1].order.lmtPrice, 6100);
  // A long's protective sell stop rounds up (closer to the market), never further away than asked.
  assert.equal(legs[2].order.auxPrice, 5950.25);
  const short = toIbOrders({ ...base, side: "sell", bracket: { stopLoss: 6050.1 } }, 2, RULES, false);
  assert.deepEqual(short.map((l) => l.ref), ["es-7", "es-7-sl"]);
  assert.equal(short[1].order.action, "BUY");
  assert.equal(short[1].order.auxPrice, 6050, "a short's buy stop rounds down");
  assert.deepEqual(short.map((l) => l.order.transmit), [false, true]);
});

Deno.test("ib mapping: bad orders are refused before TWS sees them", () => {
  const refused = (o: Partial<OrderRequest>) =>
    assert.throws(
      () => toIbOrders({ ...base, ...o }, 2, RULES, false),
      (e) => e instanceof VenueError && e.kind === "rejected",
    );
  refused({ type: "limit" });
  refused({ type: "stop", stopPrice: -1 });
  refused({ type: "stop_limit", stopPrice: 6000 });
  refused({ type: "limit", limitPrice: Number.NaN });
  refused({ type: "limit", limitPrice: 6000, postOnly: true });
});

Deno.test("ib mapping: contracts from the symbol table; a bad entry says what is missing", () => {
  assert.deepEqual(toContract("AAPL", { secType: "STK", primaryExch: "NASDAQ" }), {
    symbol: "AAPL",
    secType: "STK",
    exchange: "SMART",
    currency: "USD",
    primaryExch: "NASDAQ",
  });
  assert.deepEqual(toContract("EUR/USD", { secType: "CASH" }), {
    symbol: "EUR",
    secType: "CASH",
    exchange: "IDEALPRO",
    currency: "USD",
  });
  const es = toContract("ES", {
    secType: "FUT",
    lastTradeDateOrContractMonth: "202612",
    exchange: "CME",
    multiplier: 50,
  }, 99);
  assert.deepEqual([es.conId, es.lastTradeDateOrContractMonth, es.exchange, es.multiplier], [99, "202612", "CME", 50]);
  assert.match(parseSpec("ES", { secType: "FUT", exchange: "CME" }) as string, /lastTradeDateOrContractMonth/);
  assert.match(parseSpec("X", { secType: "OPT" }) as string, /secType/);
  assert.match(parseSpec("EUR", { secType: "CASH" }) as string, /EUR\/USD/);
});

Deno.test("ib mapping: execution times in UTC or without a zone; another zone falls back", () => {
  assert.equal(parseIbTime("20261202-15:30:01", 0), Date.UTC(2026, 11, 2, 15, 30, 1));
  assert.equal(parseIbTime("20261202  15:30:01 UTC", 0), Date.UTC(2026, 11, 2, 15, 30, 1));
  assert.equal(parseIbTime("20261202 15:30:01 US/Eastern", 7), 7);
  assert.equal(parseIbTime("garbage", 7), 7);
});
