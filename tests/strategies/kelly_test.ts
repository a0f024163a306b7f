/** ctx.kellyFraction: f = W − (1 − W) / R from the strategy's own closed trades, capped; 0 with no trades. */
import assert from "node:assert/strict";
import { createKellyBook, kellyFraction, recordFill, tallyTrade } from "../../strategies/kelly.ts";
import { loadBars } from "../../storage/bars/mod.ts";
import { runBacktest } from "../../backtest/engine.ts";
import { seen } from "../backtest/fixtures/capital_probe.ts";

const near = (a: number, b: number) => Math.abs(a - b) < 1e-12;

Deno.test("kelly: W − (1 − W) / R by hand, capped, 0 with no trades, no wins or no edge", () => {
  const book = createKellyBook();
  assert.equal(kellyFraction(book), 0);
  // 3 wins of 100, 200, 300 (avg 200), 2 losses of 50, 150 (avg 100): W = 0.6, R = 2, f = 0.6 − 0.4 / 2 = 0.4.
  for (const pnl of [100, -50, 200, -150, 300]) tallyTrade(book, pnl);
  assert.ok(near(kellyFraction(book), 0.4));
  assert.equal(kellyFraction(book, 0.25), 0.25);
  assert.ok(near(kellyFraction(book, 0.5), 0.4));
  // No edge: W = 0.25, R = 1 → f = −0.5: do not bet.
  const losing = createKellyBook();
  for (const pnl of [10, -10, -10, -10]) tallyTrade(losing, pnl);
  assert.equal(kellyFraction(losing), 0);
  const noWins = createKellyBook();
  tallyTrade(noWins, -5);
  assert.equal(kellyFraction(noWins), 0);
  // Wins and no losses: R is infinite, f = W (a break-even trade counts, not as a win).
  const noLosses = createKellyBook();
  for (const pnl of [5, 7, 0]) tallyTrade(noLosses, pnl);
  assert.ok(near(kellyFraction(noLosses), 2 / 3));
  assert.equal(kellyFraction(noLosses, 0.5), 0.5);
  assert.throws(() => kellyFraction(book, -1), /cap must be ≥ 0/);
});

Deno.test("kelly: a closing fill is a trade net of its exit commission and the entry commission it carries", () => {
  const book = createKellyBook();
  recordFill(book, "X", 0, 10, 2, 0); // buy 10, fee 2 → 0.2 per unit open
  recordFill(book, "X", 10, -4, 1, 40); // sell 4: +40 gross − 1 exit − 0.8 entry = 38.2
  assert.equal(book.trades, 1);
  assert.ok(near(book.winSum, 38.2));
  recordFill(book, "X", 6, -10, 5, -60); // sell 10 (close 6, open −4): −60 − 5 × 6/10 − 0.2 × 6 = −64.2
  assert.equal(book.trades, 2);
  assert.ok(near(book.lossSum, 64.2));
  assert.ok(near(book.entryFee.X, 5 * 4 / 10 / 4)); // the reversal's 4 units carry 2 of the 5
});

Deno.test("kelly: ctx.kellyFraction in a backtest is the formula over the strategy's closed trades so far", async () => {
  const { series } = await loadBars(new URL("../../examples/data/GOOG.csv", import.meta.url), { symbol: "GOOG" });
  const result = await runBacktest({
    strategies: [{ id: "k", module: new URL("../backtest/fixtures/capital_probe.ts", import.meta.url).href }],
    data: [series],
    cash: 10_000,
    sim: {
      defaultStep: 1e-6,
      costs: { commission: { kind: "percent", rate: 0.001 }, slippage: { kind: "none" }, impact: { kind: "none" } },
    },
  });
  const trades = result.record.trades;
  assert.ok(trades.length > 50);
  const views = seen.k;
  assert.equal(views[0].kelly, 0); // before any closed trade
  // At each bar the strategy saw the trades closed before it (exits fill at the next open, seen at that bar's close).
  for (const i of [100, 700, 1500, views.length - 1]) {
    const closed = trades.filter((t) => t.exitBar <= i);
    const book = createKellyBook();
    for (const t of closed) tallyTrade(book, t.pnl);
    const wins = closed.filter((t) => t.pnl > 0), losses = closed.filter((t) => t.pnl < 0);
    const w = wins.length / closed.length;
    const r = (wins.reduce((s, t) => s + t.pnl, 0) / wins.length) /
      (-losses.reduce((s, t) => s + t.pnl, 0) / losses.length);
    const expected = Math.min(1, Math.max(0, w - (1 - w) / r));
    assert.ok(Math.abs(views[i].kelly - expected) < 1e-9, `bar ${i}: ${views[i].kelly} vs ${expected}`);
    assert.ok(Math.abs(views[i].kelly - kellyFraction(book)) < 1e-9);
  }
  // The report's Kelly Criterion (uncapped) agrees at the end, when it is in [0, 1].
  const k = result.report.kellyCriterion;
  if (k >= 0 && k <= 1) assert.ok(Math.abs(views.at(-1)!.kelly - k) < 1e-9);
});
