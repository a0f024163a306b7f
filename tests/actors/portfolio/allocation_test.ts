/** Allocation math: weights, inverse volatility by hand, risk parity's equal contributions, rebalance rules. */
import assert from "node:assert/strict";
import {
  covarianceMatrix,
  inverseVolWeights,
  parseAllocation,
  periodKey,
  rebalanceDeltas,
  riskContributions,
  riskParityWeights,
  stdev,
  targetWeights,
} from "../../../actors/portfolio/allocation.ts";
import { allocationStep, createAllocationState } from "../../../actors/portfolio/rebalance.ts";

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const near = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol;

/** A seeded generator (mulberry32): the same "random" returns every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

/** Correlated return columns: a common factor plus each one's own noise, at different scales. */
function returns(n: number, scales: readonly number[], seed = 7): number[][] {
  const r = rng(seed);
  const common = Array.from({ length: n }, () => r());
  return scales.map((s, k) => common.map((c) => s * (0.6 * c + r() * (1 + k * 0.3))));
}

Deno.test("allocation: inverse volatility against a hand computation", () => {
  // 1/0.1 : 1/0.2 : 1/0.4 = 10 : 5 : 2.5, over 17.5.
  const w = inverseVolWeights([0.1, 0.2, 0.4])!;
  assert.ok(near(w[0], 10 / 17.5) && near(w[1], 5 / 17.5) && near(w[2], 2.5 / 17.5));
  assert.ok(near(sum(w), 1));
  // Sample standard deviation (n − 1): [1, 2, 3, 4] → √(5/3).
  assert.ok(near(stdev([1, 2, 3, 4]), Math.sqrt(5 / 3)));
  assert.equal(inverseVolWeights([0.1, 0]), undefined); // a strategy that never moved has no risk to weigh
});

Deno.test("allocation: risk parity converges to equal risk contributions, weights summing to 1", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const cov = covarianceMatrix(returns(250, [0.01, 0.02, 0.005, 0.03], seed));
    const w = riskParityWeights(cov)!;
    assert.ok(near(sum(w), 1, 1e-12));
    assert.ok(w.every((x) => x > 0));
    for (const rc of riskContributions(w, cov)) assert.ok(near(rc, 1 / 4, 1e-9), `seed ${seed}: ${rc}`);
  }
  // Uncorrelated assets: risk parity is inverse volatility.
  const diag = [[0.04, 0, 0], [0, 0.01, 0], [0, 0, 0.0025]];
  const w = riskParityWeights(diag)!;
  const iv = inverseVolWeights([0.2, 0.1, 0.05])!;
  w.forEach((x, i) => assert.ok(near(x, iv[i], 1e-12)));
  // Two assets, whatever their correlation: inverse volatility too.
  const two = riskParityWeights([[0.04, 0.018], [0.018, 0.09]])!;
  assert.ok(near(two[0], 0.3 / 0.5, 1e-12) && near(two[1], 0.2 / 0.5, 1e-12));
  assert.equal(riskParityWeights([[0, 0], [0, 0.01]]), undefined);
});

Deno.test("allocation: parsed weights are the capital shares; every method's targets sum to 1", () => {
  const a = parseAllocation({ method: "inverse_vol", lookback: 20 }, ["a", "b", "c"], [5_000, 3_000, 2_000]);
  assert.ok(typeof a !== "string");
  assert.deepEqual(a.weights, [0.5, 0.3, 0.2]);
  assert.deepEqual(a.rebalance, { kind: "calendar", every: "monthly" }); // the default for a measured method
  const cols = returns(40, [0.01, 0.02, 0.03]);
  for (const method of ["fixed", "inverse_vol", "risk_parity"] as const) {
    const w = targetWeights({ ...a, method }, cols);
    assert.ok(near(sum(w), 1, 1e-12), method);
  }
  // Not enough returns yet: the fixed weights.
  assert.deepEqual(targetWeights(a, cols.map((c) => c.slice(0, 10))), [0.5, 0.3, 0.2]);
  const fixed = parseAllocation({}, ["a"], [1]);
  assert.ok(typeof fixed !== "string" && fixed.rebalance.kind === "none");
  assert.match(parseAllocation({ method: "kelly" }, ["a"], [1]) as string, /^\.method: must be one of/);
  assert.match(parseAllocation({ rebalance: "yearly" }, ["a"], [1]) as string, /^\.rebalance: must be/);
  assert.match(parseAllocation({ rebalance: { drift: 1.5 } }, ["a"], [1]) as string, /^\.rebalance: /);
  assert.match(parseAllocation({ lookback: 1 }, ["a"], [1]) as string, /^\.lookback: /);
  assert.match(parseAllocation({ wieghts: 1 }, ["a"], [1]) as string, /^\.wieghts: unknown field/);
});

Deno.test("allocation: deltas move equities to the targets, sum to 0, and never take a position's margin", () => {
  const d = rebalanceDeltas([70, 30], [0.5, 0.5]);
  assert.deepEqual(d, [-20, 20]);
  // b holds a position using 25 of its 40: only 15 can leave; a gets all of it, c nothing (it is at target).
  const locked = rebalanceDeltas([20, 40, 40], [0.4, 0.2, 0.4], [0, 25, 0]);
  assert.deepEqual(locked, [15, -15, 0]);
  assert.ok(near(sum(rebalanceDeltas([12, 55, 33], [0.2, 0.3, 0.5], [0, 50, 0])), 0));
});

Deno.test("allocation: calendar periods change on the first bar of a UTC day, Monday-based week, month", () => {
  const t = (s: string) => Date.parse(s);
  assert.notEqual(periodKey(t("2024-01-07T23:59:00Z"), "weekly"), periodKey(t("2024-01-08T00:00:00Z"), "weekly"));
  assert.equal(periodKey(t("2024-01-08T00:00:00Z"), "weekly"), periodKey(t("2024-01-14T23:00:00Z"), "weekly"));
  assert.notEqual(periodKey(t("2024-01-31T12:00:00Z"), "monthly"), periodKey(t("2024-02-01T00:00:00Z"), "monthly"));
  assert.equal(periodKey(t("2024-02-01T00:00:00Z"), "monthly"), periodKey(t("2024-02-29T00:00:00Z"), "monthly"));
  assert.notEqual(periodKey(t("2024-01-01T23:00:00Z"), "daily"), periodKey(t("2024-01-02T01:00:00Z"), "daily"));
});

Deno.test("allocation: a drift rule rebalances only when a weight is further than the threshold from its target", () => {
  const config = parseAllocation({ method: "fixed", rebalance: { drift: 0.05 } }, ["a", "b"], [50, 50]);
  assert.ok(typeof config !== "string");
  const state = createAllocationState(config);
  assert.deepEqual(allocationStep(config, state, 1, [50, 50]), []);
  assert.deepEqual(allocationStep(config, state, 2, [54, 46]), []); // drift 0.04
  const moves = allocationStep(config, state, 3, [56, 44]); // drift 0.06
  assert.deepEqual(moves, [{ strategyId: "a", delta: -6 }, { strategyId: "b", delta: 6 }]);
  assert.deepEqual(state.at, [3]);
  // The next return is measured from the equity after the move (50 → 51 is +2 %, not 56 → 51).
  allocationStep(config, state, 4, [51, 50]);
  assert.ok(near(state.returns[0].at(-1)!, 0.02));
  // The same bar stepped twice (restated at the end of a backtest) moves nothing the second time.
  assert.deepEqual(allocationStep(config, state, 4, [80, 20]), []);
});
