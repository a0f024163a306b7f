/**
 * Capital allocation in a portfolio backtest: rebalances happen on the stated dates, and the capital they move
 * reaches every book that sizes or judges a strategy (the strategy's own, the venue's sub-account, the risk guardian).
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { runBacktest, type StrategyRun } from "../../backtest/engine.ts";
import { type AllocationConfig, parseAllocation, periodKey } from "../../actors/portfolio/allocation.ts";
import { seen } from "./fixtures/capital_probe.ts";
import { createInProcessHost, simulatedClock } from "../../actors/runtime/mod.ts";

const GOOG = new URL("../../examples/data/GOOG.csv", import.meta.url);
const PROBE = new URL("./fixtures/capital_probe.ts", import.meta.url).href;
const SMA_CROSS = new URL("../../strategies/sma_cross/strategy.ts", import.meta.url).href;
const { series } = await loadBars(GOOG, { symbol: "GOOG" });

const runs: StrategyRun[] = [
  { id: "probe", module: PROBE, capital: 5_000 },
  { id: "ma", module: SMA_CROSS, params: { fast: 10, slow: 30 }, capital: 5_000 },
];

function allocation(raw: unknown, strategies = runs): AllocationConfig {
  const a = parseAllocation(raw, strategies.map((r) => r.id), strategies.map((r) => r.capital!));
  if (typeof a === "string") throw new Error(a);
  return a;
}

const run = (a: AllocationConfig, strategies = runs) =>
  runBacktest({ strategies, data: [series], cash: 10_000, allocation: a, sim: { defaultStep: 1e-6 } });

const PERIOD = { daily: "day", weekly: "week", monthly: "month" } as const;
for (const every of ["daily", "weekly", "monthly"] as const) {
  Deno.test(`allocation: a ${every} rebalance happens at the first bar of each new ${PERIOD[every]}`, async () => {
    const result = await run(allocation({ method: "fixed", rebalance: every }));
    const ts = result.record.ts;
    const expected: number[] = [];
    for (let i = 1; i < ts.length; i++) {
      if (periodKey(ts[i], every) !== periodKey(ts[i - 1], every)) expected.push(ts[i]);
    }
    assert.ok(expected.length > (every === "monthly" ? 90 : 400));
    assert.deepEqual(result.record.rebalances, expected);
    assert.deepEqual(result.portfolio?.allocation?.rebalances, expected);
  });
}

Deno.test("allocation: moved capital reaches the strategy's books, the venue's sizing and the account stays whole", async () => {
  const result = await run(allocation({ method: "fixed", rebalance: "daily" }));
  const { ts, equity, perStrategy } = result.record;
  const flows = result.record.perStrategyFlows!;
  const probe = perStrategy.probe, ma = perStrategy.ma;
  let moved = 0;
  for (let i = 0; i < ts.length; i++) {
    assert.ok(Math.abs(flows.probe[i] + flows.ma[i]) < 1e-6, "a rebalance moves capital, it creates none");
    assert.ok(Math.abs(probe[i] + ma[i] - equity[i]) < 1e-6);
    moved += Math.abs(flows.probe[i]);
  }
  assert.ok(moved > 10_000, `capital moved: ${moved}`);
  // The strategy's own equity (ctx.equity, at each bar's close) is the portfolio's view of it: it got every move.
  const own = seen.probe;
  assert.equal(own.length, ts.length);
  for (let i = 1; i < ts.length; i++) assert.ok(Math.abs(own[i].equity - probe[i]) < 1e-6, `bar ${i}`);
  // The venue sizes its half-equity entries from the strategy's capital after the moves.
  const entries = result.record.trades.filter((t) => t.strategyId === "probe");
  assert.ok(entries.length > 50);
  for (const t of entries) {
    const before = probe[t.entryBar - 1] + flows.probe[t.entryBar - 1];
    const ratio = Math.abs(t.size) * t.entryPrice / (0.5 * before);
    assert.ok(Math.abs(ratio - 1) < 1e-3, `entry at bar ${t.entryBar} sized ${ratio} of half its capital`);
  }
});

Deno.test("allocation: capital moved out is no loss to the risk guardian's maxLoss and maxDrawdown", async () => {
  const host = createInProcessHost({ clock: simulatedClock(0), logSink: () => {}, autoDrain: false });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [{
      kind: "actor",
      id: "risk",
      module: new URL("../../actors/risk_guardian/risk_guardian.ts", import.meta.url).href,
      config: {
        limits: {},
        exchanges: { sim: "t/exchange" },
        strategyLimits: { s: { maxLoss: 1_000 }, d: { maxDrawdown: 0.2 } },
        strategyCapital: { s: 10_000, d: 10_000 },
        owners: { s: "t/risk", d: "t/risk" },
      },
    }],
  });
  const update = (s: number, d: number, ts: number) =>
    host.tell("t/risk", { type: "EquityUpdate", equity: s + d, ts, strategies: { s, d } });
  const status = async () => {
    const reply = host.ask<{ type: "RiskState"; strategies: Record<string, { status: string; reason?: string }> }>(
      "t/risk",
      { type: "GetRiskState" },
      1_000,
    );
    host.drain();
    return (await reply).strategies;
  };
  update(10_000, 10_000, 1);
  host.tell("t/risk", { type: "AdjustCapital", strategyId: "s", delta: -5_000 });
  host.tell("t/risk", { type: "AdjustCapital", strategyId: "d", delta: -5_000 });
  update(4_900, 4_500, 2); // s lost 100 of its 5,000; d is 10 % below its 5,000
  host.drain();
  assert.deepEqual(Object.values(await status()).map((s) => s.status), ["ACTIVE", "ACTIVE"]);
  update(3_900, 3_900, 3); // s lost 1,100; d is 22 % below its peak
  host.drain();
  const after = await status();
  assert.match(after.s.reason ?? "", /loss 1100\.00 ≥ maxLoss 1000/);
  assert.match(after.d.reason ?? "", /drawdown 22\.00% ≥ maxDrawdown 20%/);
  await host.stop();
});

Deno.test("allocation: inverse volatility and risk parity runs rebalance to measured weights, deterministically", async () => {
  for (const method of ["inverse_vol", "risk_parity"] as const) {
    const a = allocation({ method, rebalance: "monthly", lookback: 40 });
    const first = await run(a);
    const second = await run(a);
    assert.deepEqual(first.record.equity, second.record.equity);
    const fixed = await run(allocation({ method: "fixed", rebalance: "monthly" }));
    const flows = (r: typeof first) => r.record.perStrategyFlows!.probe.reduce((s, f) => s + Math.abs(f), 0);
    assert.notEqual(flows(first), flows(fixed), `${method} moved the same capital as fixed weights`);
    assert.ok(first.portfolio!.allocation!.rebalances.length > 90);
  }
});
