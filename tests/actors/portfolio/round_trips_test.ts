import assert from "node:assert/strict";
import { applyFill, createLedger, equity, marginAvailable } from "../../../actors/portfolio/ledger.ts";
import { closeAll, createRoundTrips, markRange, recordFill } from "../../../actors/portfolio/round_trips.ts";

Deno.test("ledger: average price, realised P&L on a reversal, equity and margin", () => {
  const l = createLedger(10_000);
  applyFill(l, "X", 10, 100, 1, 0);
  applyFill(l, "X", 10, 110, 1, 0);
  assert.equal(l.holdings.get("X")!.avgPrice, 105);
  const realized = applyFill(l, "X", -30, 120, 3, 0); // close 20 at +15, open 10 short at 120
  assert.equal(realized, 300);
  assert.equal(l.holdings.get("X")!.qty, -10);
  assert.equal(l.holdings.get("X")!.avgPrice, 120);
  assert.equal(l.balance, 10_000 + 300 - 5);
  assert.equal(equity(l), 10_295);
  assert.equal(marginAvailable(l, 1), 10_295 - 1_200);
});

Deno.test("round trips: FIFO lots, partial closes, commissions split pro rata, MAE/MFE from marks", () => {
  const b = createRoundTrips();
  recordFill(b, "s", "X", 10, 100, 2, 1_000, 1);
  markRange(b, "X", 90, 120);
  recordFill(b, "s", "X", -4, 110, 0.8, 2_000, 2);
  recordFill(b, "s", "X", -6, 105, 1.2, 3_000, 3);
  assert.equal(b.closed.length, 2);
  const [first, second] = b.closed;
  assert.equal(first.size, 4);
  assert.ok(Math.abs(first.commission - (0.8 + 0.8)) < 1e-12);
  assert.ok(Math.abs(first.pnl - (40 - 1.6)) < 1e-12);
  assert.equal(second.size, 6);
  assert.ok(Math.abs(second.mae - -0.1) < 1e-12);
  assert.ok(Math.abs(second.mfe - 0.2) < 1e-12);
  recordFill(b, "s", "X", -5, 100, 0, 4_000, 4);
  closeAll(b, "s", new Map([["X", 90]]), 5_000, 5, () => 0);
  assert.equal(b.closed.length, 3);
  assert.equal(b.closed[2].size, -5);
  assert.equal(b.closed[2].pnl, 50);
});
