/** IB's pushed state → our reports: a fill waits for its commission (up to a bound), "Filled" waits for every fill, refusals and orders gone while away. */
import assert from "node:assert/strict";
import {
  addExec,
  markGone,
  newBook,
  reject,
  reportOf,
  setCommission,
  setStatus,
  upsertOrder,
} from "../../../actors/exchange/ib/reconcile.ts";
import type { ExecRecord } from "../../../actors/exchange/ib/mapping.ts";

const opts = (now: number) => ({ venue: "ib", now, commissionWaitMs: 1_000 });
const exec = (execId: string, shares: number, ts: number): ExecRecord => ({
  execId,
  orderId: 5,
  ref: "s-1",
  symbol: "AAPL",
  side: "buy",
  shares,
  price: 190,
  ts,
  liquidity: "taker",
});

function book() {
  const b = newBook();
  upsertOrder(b, {
    ref: "s-1",
    orderId: 5,
    permId: 77,
    symbol: "AAPL",
    side: "buy",
    qty: 10,
    status: "Submitted",
    ts: 0,
  });
  return b;
}

Deno.test("ib reconcile: a fill is reported with its commission; 'Filled' waits until every fill's commission is known", () => {
  const b = book();
  addExec(b, exec("e1", 4, 100));
  addExec(b, exec("e2", 6, 110));
  setStatus(b, 5, "Filled", 110);
  let r = reportOf(b, "s-1", undefined, opts(200))!;
  assert.deepEqual([r.status, r.fills.length], ["open", 0], "no commission yet: nothing to report");
  setCommission(b, "e1", 1.25, "USD");
  r = reportOf(b, "s-1", undefined, opts(200))!;
  assert.deepEqual([r.status, r.fills.map((f) => [f.qty, f.commission])], ["open", [[4, 1.25]]]);
  setCommission(b, "e2", 1, "USD");
  r = reportOf(b, "s-1", undefined, opts(200))!;
  assert.equal(r.status, "filled");
  assert.deepEqual(r.fills.map((f) => f.fillId), ["ib-e1", "ib-e2"]);
  assert.equal(r.venueOrderId, "77", "IB's permanent id");
});

Deno.test("ib reconcile: a fill whose commission never comes is reported after the bound, with commission 0, once flagged", () => {
  const b = book();
  addExec(b, exec("e1", 10, 100));
  const missing: string[] = [];
  const o = { ...opts(1_200), onMissingCommission: (e: ExecRecord) => missing.push(e.execId) };
  const r = reportOf(b, "s-1", undefined, o)!;
  assert.deepEqual([r.status, r.fills[0].commission, missing], ["filled", 0, ["e1"]]);
  reportOf(b, "s-1", undefined, o);
  assert.deepEqual(missing, ["e1"], "flagged once, not at every poll");
});

Deno.test("ib reconcile: a commission report before its execution is kept for it", () => {
  const b = book();
  setCommission(b, "e1", 2, "USD");
  addExec(b, exec("e1", 10, 100));
  assert.equal(reportOf(b, "s-1", undefined, opts(100))!.fills[0].commission, 2);
});

Deno.test("ib reconcile: IB's refusal is 'rejected' with its reason; a partly filled order cancelled at IB is 'canceled'", () => {
  const b = newBook();
  reject(b, { ref: "s-2", orderId: 6, symbol: "AAPL", side: "buy", qty: 1 }, "no margin (IB 201)", 5);
  const r = reportOf(b, "s-2", undefined, opts(10))!;
  assert.deepEqual([r.status, r.reason], ["rejected", "no margin (IB 201)"]);
  const c = book();
  addExec(c, exec("e1", 3, 100));
  setCommission(c, "e1", 1, "USD");
  setStatus(c, 5, "Cancelled", 120);
  const rc = reportOf(c, "s-1", undefined, opts(200))!;
  assert.deepEqual([rc.status, rc.fills.length], ["canceled", 1]);
});

Deno.test("ib reconcile: after a full sync, an order IB no longer lists was cancelled while away; an unknown id is undefined", () => {
  const b = book();
  markGone(b, 50); // the sync began after the order's last update and did not mention it
  assert.equal(reportOf(b, "s-1", undefined, opts(100))!.status, "canceled");
  const placed = { ref: "s-9", orderId: 9, symbol: "AAPL", side: "sell" as const, qty: 3 };
  const fresh = newBook();
  assert.equal(reportOf(fresh, "s-9", placed, opts(0))!.status, "open", "before any sync: unknown yet");
  markGone(fresh, 0);
  const gone = reportOf(fresh, "s-9", placed, opts(0))!;
  assert.deepEqual([gone.status, gone.qty, gone.side], ["canceled", 3, "sell"]);
  assert.equal(reportOf(fresh, "s-10", undefined, opts(0)), undefined);
});
