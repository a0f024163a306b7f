/**
 * The control API's read model of the journal: orders from commands, venue events and denials; fills; alerts; and
 * equity curves that match what the portfolio actor itself computes from the same bars and fills.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createInProcessHost } from "../../../actors/runtime/mod.ts";
import type { Bar, Fill, OrderRequest } from "../../../actors/protocol/mod.ts";
import { openDatabase } from "../../../storage/db.ts";
import { createSqlJournal } from "../../../storage/journal/sql_journal.ts";
import type { NewEvent } from "../../../storage/journal/types.ts";
import { createJournalView } from "../../../actors/gateway/journal_view.ts";
import { createOrdersView } from "../../../actors/gateway/views/orders_view.ts";
import { reportStatistics } from "../../../cli/report_stats.ts";

const DAY = 86_400_000;

/** Books here count P&L from 0 and add the capital after: the same sums to the last bits of a float. */
function near(actual: ArrayLike<number>, expected: ArrayLike<number>, what = "") {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= 1e-9 * Math.max(1, Math.abs(expected[i])),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}
const V = "venue:paper";

const bar = (i: number, close: number): Bar => ({
  symbol: "X",
  timeframe: "1d",
  ts: i * DAY,
  open: close - 1,
  high: close + 2,
  low: close - 3,
  close,
  volume: 100,
});

const order = (cid: string, strategyId: string, side: "buy" | "sell", qty: number): OrderRequest => ({
  clientOrderId: cid,
  strategyId,
  venue: "paper",
  symbol: "X",
  side,
  type: "market",
  qty,
  tif: "GTC",
  ts: 5,
});

const fill = (cid: string, strategyId: string, side: "buy" | "sell", qty: number, price: number, ts: number): Fill => ({
  fillId: `f-${cid}-${ts}`,
  clientOrderId: cid,
  venueOrderId: `v-${cid}`,
  strategyId,
  venue: "paper",
  symbol: "X",
  side,
  qty,
  price,
  commission: qty * price * 0.001,
  commissionCurrency: "USD",
  liquidity: "taker",
  ts,
});

/** A day of a venue stream: fills due at the bar come before the bar, as the adapter journals them. */
function script(): { events: NewEvent[]; bars: Bar[]; fills: Fill[] } {
  const events: NewEvent[] = [];
  const bars: Bar[] = [];
  const fills: Fill[] = [];
  let n = 0;
  const push = (stream: string, type: string, ts: number, payload: unknown) =>
    events.push({ eventId: `e${++n}`, stream, type, ts, payload });
  const trade = (cid: string, s: string, side: "buy" | "sell", qty: number, price: number, ts: number, parts = 1) => {
    push(V, "Command", ts, {
      key: `submit:${cid}`,
      intent: { kind: "submit", command: { order: order(cid, s, side, qty) } },
    });
    push(V, "OrderAccepted", ts, {
      type: "OrderAccepted",
      clientOrderId: cid,
      venueOrderId: `v-${cid}`,
      strategyId: s,
      ts,
    });
    let done = 0;
    for (let p = 1; p <= parts; p++) {
      const q = p === parts ? qty - done : Math.floor(qty / parts);
      done += q;
      const f = { ...fill(cid, s, side, q, price + p, ts), fillId: `f-${cid}-${p}` };
      fills.push(f);
      const type = p === parts ? "OrderFilled" : "OrderPartiallyFilled";
      push(V, type, ts, {
        type,
        clientOrderId: cid,
        strategyId: s,
        fill: f,
        filledQty: done,
        ...(p < parts ? { leavesQty: qty - done } : {}),
      });
    }
  };
  const prices = [100, 102, 101, 105, 103, 99, 104, 108, 107, 110];
  prices.forEach((close, i) => {
    if (i === 2) trade("a-1", "a", "buy", 10, close, i * DAY, 2);
    if (i === 3) trade("b-1", "b", "sell", 4, close, i * DAY);
    if (i === 6) trade("a-2", "a", "sell", 6, close, i * DAY);
    if (i === 8) trade("b-2", "b", "buy", 4, close, i * DAY);
    const b = bar(i, close);
    bars.push(b);
    push(V, "Bar", b.ts, { bar: b });
  });
  // A resting order, a cancel, a denial (with its order, as the guardian journals it), an alert.
  push(V, "Command", 11 * DAY, {
    key: "submit:a-3",
    intent: { kind: "submit", command: { order: { ...order("a-3", "a", "buy", 1), type: "limit", limitPrice: 90 } } },
  });
  push(V, "OrderAccepted", 11 * DAY, {
    type: "OrderAccepted",
    clientOrderId: "a-3",
    venueOrderId: "v-a-3",
    strategyId: "a",
    ts: 11 * DAY,
  });
  push(V, "Command", 11 * DAY, {
    key: "submit:b-3",
    intent: { kind: "submit", command: { order: order("b-3", "b", "buy", 2) } },
  });
  push(V, "OrderCanceled", 11 * DAY, {
    type: "OrderCanceled",
    clientOrderId: "b-3",
    strategyId: "b",
    reason: "kill switch",
    ts: 11 * DAY,
  });
  push("risk", "deny", 12 * DAY, {
    decision: "deny",
    detail: "a-4: position would be 50 X, beyond the limit of 10",
    trading: "ACTIVE",
    strategy: "a",
    order: order("a-4", "a", "buy", 50),
  });
  push("risk", "state:HALTED", 12 * DAY, { decision: "state:HALTED", detail: "kill switch: test" });
  events.push({
    eventId: "alert:live/risk:123:1",
    stream: "alerts",
    type: "error",
    ts: 123,
    payload: { type: "Alert", level: "error", message: "kill switch", fields: { reason: "test" }, ts: 123 },
  });
  return { events, bars, fills };
}

Deno.test("journal view: orders, fills, alerts and equity curves match the portfolio's own numbers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "journal-view-" });
  const journal = createSqlJournal(await openDatabase({ url: `sqlite:${join(dir, "j.sqlite")}` }), {
    closeDatabase: true,
  });
  const host = createInProcessHost({ logSink: () => {} });
  try {
    const { events, bars, fills } = script();
    // Two appends: the view catches up twice, in pages smaller than the journal.
    await journal.append(events.slice(0, 20));
    const view = createJournalView(journal, { pageSize: 7, statistics: reportStatistics });
    const changed: string[] = [];
    view.onOrder((o) => changed.push(`${o.clientOrderId}:${o.status}`));
    await view.sync();
    assert.ok(changed.includes("a-1:partially_filled") && changed.includes("a-1:filled"));
    await journal.append(events.slice(20));
    await Promise.all([view.sync(), view.sync(), view.sync()]);
    assert.equal(view.seq, events.length);

    const orders = Object.fromEntries([...view.orders.all()].map((o) => [o.clientOrderId, o]));
    assert.deepEqual(Object.keys(orders), ["a-1", "b-1", "a-2", "b-2", "a-3", "b-3", "a-4"]);
    assert.equal(orders["a-1"].status, "filled");
    assert.equal(orders["a-1"].filledQty, 10);
    // Two fills: 5 at 102 and 5 at 103.
    assert.equal(orders["a-1"].avgFillPrice, 102.5);
    assert.equal(orders["a-1"].venueOrderId, "v-a-1");
    assert.equal(orders["a-3"].status, "accepted");
    assert.equal(orders["a-3"].limitPrice, 90);
    assert.deepEqual([orders["b-3"].status, orders["b-3"].reason], ["canceled", "kill switch"]);
    assert.deepEqual(
      [orders["a-4"].status, orders["a-4"].reason, orders["a-4"].symbol, orders["a-4"].qty],
      ["denied", "position would be 50 X, beyond the limit of 10", "X", 50],
    );
    assert.deepEqual(view.trades().map((t) => t.fillId), fills.map((f) => f.fillId));
    assert.deepEqual(view.alerts(), [{
      seq: events.length,
      level: "error",
      message: "kill switch",
      fields: { reason: "test" },
      actor: "live/risk",
      ts: 123,
    }]);
    assert.deepEqual(view.lastBar("X"), bars.at(-1));

    // The portfolio actor, fed the same bars and fills in the same order, records the same curves.
    await host.start({
      kind: "supervisor",
      id: "t",
      strategy: "one_for_one",
      children: [{
        kind: "actor",
        id: "portfolio",
        module: new URL("../../../actors/portfolio/portfolio.ts", import.meta.url).href,
        config: { capital: { a: 5_000, b: 3_000 }, recordEquity: true },
      }],
    });
    for (const e of events) {
      if (e.stream !== V) continue;
      if (e.type === "Bar") {
        const b = (e.payload as { bar: Bar }).bar;
        host.tell("t/portfolio", { type: "Bar", bar: b });
        host.tell("t/portfolio", { type: "EndOfBar", ts: b.ts });
      } else if (e.type === "OrderFilled" || e.type === "OrderPartiallyFilled") {
        host.tell("t/portfolio", e.payload as never);
      }
    }
    const record = await host.ask<
      {
        type: string;
        ts: Float64Array;
        equity: Float64Array;
        perStrategy: Record<string, Float64Array>;
        trades: unknown[];
      }
    >("t/portfolio", { type: "GetRecord" }, 2_000);
    const account = view.equity.curve(undefined, 8_000);
    assert.deepEqual([...account.ts], [...record.ts]);
    near(account.equity, record.equity, "account");
    for (const [id, capital] of [["a", 5_000], ["b", 3_000]] as const) {
      near(view.equity.curve(id, capital).equity, record.perStrategy[id], id);
    }
    const perf = view.equity.performance("a", 5_000);
    near([perf.equity], [record.perStrategy.a.at(-1)!], "a's equity");
    assert.equal(perf.stats?.tradeCount, 2, "a bought 10 in two fills (two lots) and sold 6: 5 + 1 closed");
    assert.equal(perf.stats?.equityFinal, perf.equity);
    assert.equal(view.equity.performance(undefined, 8_000).stats?.tradeCount, record.trades.length);
    // A strategy without fills has a flat curve at its capital and no statistics it cannot compute.
    assert.deepEqual(new Set(view.equity.curve("c", 1_000).equity), new Set([1_000]));
  } finally {
    await host.stop();
    await journal.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("orders view: beyond its bound the oldest finished orders go first, never an open one", () => {
  const view = createOrdersView(3);
  let seq = 0;
  const rec = (stream: string, type: string, payload: unknown) =>
    view.apply({ eventId: `e${++seq}`, seq, stream, type, ts: seq, payload });
  const submit = (cid: string) =>
    rec(V, "Command", {
      key: `submit:${cid}`,
      intent: { kind: "submit", command: { order: order(cid, "s", "buy", 1) } },
    });
  submit("open-1");
  for (const cid of ["done-1", "done-2", "done-3"]) {
    submit(cid);
    rec(V, "OrderCanceled", { type: "OrderCanceled", clientOrderId: cid, strategyId: "s", reason: "r", ts: 1 });
  }
  assert.deepEqual([...view.all()].map((o) => o.clientOrderId), ["open-1", "done-2", "done-3"]);
  // An event for an order only the venue knows (a bracket leg) makes a view of its own.
  rec(V, "OrderAccepted", {
    type: "OrderAccepted",
    clientOrderId: "done-3-sl",
    venueOrderId: "v",
    strategyId: "s",
    ts: 1,
  });
  assert.deepEqual([...view.all()].map((o) => o.clientOrderId), ["open-1", "done-3", "done-3-sl"]);
  // An old journal's denial names the order only in its detail.
  const denied = rec("risk", "deny", { decision: "deny", detail: "ma-7: trading is HALTED" });
  assert.deepEqual([denied?.clientOrderId, denied?.strategyId, denied?.status, denied?.reason], [
    "ma-7",
    "ma",
    "denied",
    "trading is HALTED",
  ]);
});

Deno.test("orders view: a modify's answer updates the order's price and quantity; a refused one changes nothing", () => {
  const view = createOrdersView(10);
  let seq = 0;
  const rec = (type: string, payload: unknown) =>
    view.apply({ eventId: `e${++seq}`, seq, stream: V, type, ts: seq, payload });
  rec("Command", {
    key: "submit:s-1",
    intent: { kind: "submit", command: { order: { ...order("s-1", "s", "buy", 1), type: "limit", limitPrice: 90 } } },
  });
  const base = { clientOrderId: "s-1", strategyId: "s", ts: 2 };
  rec("OrderModified", { type: "OrderModified", ...base, modifyId: "s-1~2", changes: { limitPrice: 95, qty: 3 } });
  rec("OrderModifyRejected", {
    type: "OrderModifyRejected",
    ...base,
    modifyId: "s-1~3",
    reason: "no",
    denied: false,
  });
  assert.equal(
    rec("OrderModifyRejected", {
      type: "OrderModifyRejected",
      ...base,
      clientOrderId: "x-9",
      modifyId: "x",
      reason: "",
    }),
    undefined,
  );
  const [o] = [...view.all()];
  assert.deepEqual([o.clientOrderId, o.limitPrice, o.qty, o.status], ["s-1", 95, 3, "submitted"]);
  assert.equal([...view.all()].length, 1);
});
