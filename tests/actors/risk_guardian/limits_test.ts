/** The limit rules shared by the config file and run-time limit changes. */
import assert from "node:assert/strict";
import { limitProblems, RISK_LIMIT_RULES, STRATEGY_LIMIT_RULES } from "../../../actors/risk_guardian/limits.ts";

Deno.test("limits: every problem in a strategy's limits is reported, by key", () => {
  const problems = limitProblems({
    maxPositionQty: 10,
    maxLoss: 0,
    maxDrawdown: 1.5,
    maxOpenOrders: 2.5,
    maxOrderNotional: -1,
    maxLos: 5,
  }, STRATEGY_LIMIT_RULES);
  assert.deepEqual(problems.map((p) => p.key), [
    "maxLoss",
    "maxDrawdown",
    "maxOpenOrders",
    "maxOrderNotional",
    "maxLos",
  ]);
  assert.match(problems[1].why, /> 0 and ≤ 1/);
  assert.match(problems[4].why, /did you mean "maxLoss"\?/);
  assert.deepEqual(limitProblems({ maxDrawdown: 1, maxLoss: 250, maxOrdersPerMinute: 0 }, STRATEGY_LIMIT_RULES), []);
});

Deno.test("limits: the account's ranges", () => {
  const bad = { priceBand: 0, dailyLossLimit: 0, maxDrawdown: 2, maxOrdersPerMinute: 0.5, minNotional: -1 };
  assert.deepEqual(limitProblems(bad, RISK_LIMIT_RULES).map((p) => p.key), Object.keys(bad));
  const good = { priceBand: 0.1, dailyLossLimit: 500, maxDrawdown: 0.2, maxOrdersPerMinute: 60, minNotional: 0 };
  assert.deepEqual(limitProblems(good, RISK_LIMIT_RULES), []);
});
