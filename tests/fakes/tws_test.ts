/**
 * The fake TWS checked against the real client: @stoqey/ib connects, gets nextValidId and managedAccounts, and
 * decodes every message the fake sends without an underrun or leftover fields (either is reported as an error).
 */
import assert from "node:assert/strict";
import { EventName, IBApi, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { defaultInstruments, startFakeTws } from "./tws.ts";

function collect(ib: IBApi) {
  const errors: string[] = [];
  const infos: number[] = [];
  ib.on(EventName.error, (err: Error, code: number, reqId: number) => errors.push(`${code} ${reqId} ${err.message}`));
  ib.on(EventName.info, (_msg: string, code: number) => infos.push(code));
  return { errors, infos };
}

// deno-lint-ignore no-explicit-any
type Listener = (...args: any[]) => void;
/** IBApi's overloads name each event's arguments; a test helper listens to any of them. */
type Emitter = { on(e: string, f: Listener): unknown; off(e: string, f: Listener): unknown };

// deno-lint-ignore no-explicit-any
const once = <T>(ib: IBApi, event: EventName, pick: (...args: any[]) => T | undefined, ms = 5_000): Promise<T> =>
  new Promise((resolve, reject) => {
    const em = ib as unknown as Emitter;
    const timer = setTimeout(() => reject(new Error(`no ${event} in ${ms} ms`)), ms);
    const handler: Listener = (...args) => {
      const v = pick(...args);
      if (v === undefined) return;
      clearTimeout(timer);
      em.off(event, handler);
      resolve(v);
    };
    em.on(event, handler);
  });

Deno.test("fake TWS: the real client connects and gets nextValidId, accounts and farm status", async () => {
  const fake = startFakeTws({ instruments: defaultInstruments(), nextValidId: 17 });
  const ib = new IBApi({ host: "127.0.0.1", port: fake.port, clientId: 3 });
  const seen = collect(ib);
  try {
    const next = once(ib, EventName.nextValidId, (id: number) => id);
    const accounts = once(ib, EventName.managedAccounts, (a: string) => a);
    ib.connect();
    assert.equal(await next, 17);
    assert.equal(await accounts, "DU1234567");
    assert.equal(ib.serverVersion, 193);
    assert.deepEqual(seen.errors, []);
  } finally {
    ib.disconnect();
    await fake.close();
  }
});

Deno.test("fake TWS: contract details, an order's openOrder/orderStatus/execDetails/commission, positions, summary, bars decode cleanly", async () => {
  const t0 = Math.floor(Date.UTC(2026, 11, 2, 15, 0) / 1000);
  const history = {
    AAPL: [0, 1, 2].map((i) => ({ time: t0 + 60 * i, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 })),
  };
  const fake = startFakeTws({ instruments: defaultInstruments(), history });
  const ib = new IBApi({ host: "127.0.0.1", port: fake.port, clientId: 1 });
  const seen = collect(ib);
  try {
    const ready = once(ib, EventName.nextValidId, (id: number) => id);
    ib.connect();
    const orderId = await ready;
    const details = once(
      ib,
      EventName.contractDetails,
      (_r: number, d: { minTick: number; contract: { conId: number; multiplier: number } }) => d,
    );
    ib.reqContractDetails(1, {
      symbol: "ES",
      secType: SecType.FUT,
      lastTradeDateOrContractMonth: "202612",
      exchange: "CME",
      currency: "USD",
    });
    const es = await details;
    assert.equal(es.minTick, 0.25);
    assert.equal(es.contract.multiplier, 50);

    const opened = once(
      ib,
      EventName.openOrder,
      (id: number, _c: unknown, o: { orderRef: string }) => id === orderId ? o : undefined,
    );
    const exec = once(
      ib,
      EventName.execDetails,
      (_r: number, _c: unknown, e: { orderRef: string; shares: number; price: number }) => e,
    );
    const commission = once(ib, EventName.commissionReport, (c: { commission: number }) => c);
    const filled = once(
      ib,
      EventName.orderStatus,
      (id: number, status: string, f: number) => id === orderId && status === "Filled" ? f : undefined,
    );
    ib.placeOrder(
      orderId,
      { conId: 265598, symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" },
      {
        action: OrderAction.BUY,
        orderType: OrderType.MKT,
        totalQuantity: 10,
        orderRef: "s1-1",
        tif: "DAY",
        transmit: true,
      },
    );
    assert.equal((await opened).orderRef, "s1-1");
    const e = await exec;
    assert.deepEqual([e.orderRef, e.shares, e.price], ["s1-1", 10, 190]);
    assert.equal((await commission).commission, 1);
    assert.equal(await filled, 10);

    const pos = once(ib, EventName.position, (_a: string, c: { symbol: string }, p: number) => [c.symbol, p]);
    ib.reqPositions();
    assert.deepEqual(await pos, ["AAPL", 10]);
    const cash = once(
      ib,
      EventName.accountSummary,
      (_r: number, _a: string, tag: string, v: string) => tag === "TotalCashValue" ? Number(v) : undefined,
    );
    ib.reqAccountSummary(5, "All", "TotalCashValue,NetLiquidation");
    assert.equal(await cash, 100_000 - 1_900 - 1);

    const bars: number[] = [];
    const done = once(ib, EventName.historicalData, (_r: number, date: string) => {
      if (date.startsWith("finished")) return true;
      bars.push(Number(date));
    });
    const end = new Date((t0 + 180) * 1000).toISOString().replace(/-/g, "").replace("T", "-").slice(0, 17);
    ib.reqHistoricalData(
      9,
      { conId: 265598, symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" },
      end,
      "180 S",
      "1 min" as never,
      "TRADES",
      0,
      2,
      false,
    );
    await done;
    assert.deepEqual(bars, [t0, t0 + 60, t0 + 120]);
    assert.deepEqual(seen.errors, [], "no decoding errors");
  } finally {
    ib.disconnect();
    await fake.close();
  }
});

Deno.test("fake TWS: more than 50 messages in a second draw error 100, as TWS does", async () => {
  const fake = startFakeTws({ instruments: defaultInstruments() });
  const ib = new IBApi({ host: "127.0.0.1", port: fake.port, clientId: 4, maxReqPerSec: 1_000 });
  try {
    const ready = once(ib, EventName.nextValidId, (id: number) => id);
    ib.connect();
    await ready;
    const rate = once(ib, EventName.info, (_msg: string, code: number) => code === 100 ? code : undefined);
    for (let i = 0; i < 80; i++) ib.reqCurrentTime();
    assert.equal(await rate, 100);
    assert.ok(fake.maxRate > 50);
  } finally {
    ib.disconnect();
    await fake.close();
  }
});
