import assert from "node:assert/strict";
import { buildSpace, OptimizeError, parseObjective, parseParamRange, rank } from "../../../backtest/optimize/mod.ts";
import type { ResultRow } from "../../../backtest/optimize/mod.ts";
import { ParamError } from "../../../strategies/params.ts";
import smaCross from "../../../strategies/sma_cross/strategy.ts";

const range = (arg: string) => parseParamRange("sma_cross", smaCross.params, arg);

Deno.test("ranges: inclusive with step, default step 1, lists, typed values, no float drift", () => {
  assert.deepEqual(range("fast=5..20:5"), { name: "fast", kind: "values", values: [5, 10, 15, 20] });
  assert.deepEqual(range("fast=5..22:5"), { name: "fast", kind: "values", values: [5, 10, 15, 20] });
  assert.deepEqual(range("slow=3..6"), { name: "slow", kind: "values", values: [3, 4, 5, 6] });
  assert.deepEqual(range("average=sma,ema"), { name: "average", kind: "values", values: ["sma", "ema"] });
  assert.deepEqual(range("fraction=0.1..0.5:0.1"), {
    name: "fraction",
    kind: "values",
    values: [0.1, 0.2, 0.3, 0.4, 0.5],
  });
  assert.deepEqual(range("fraction=0.2..0.9"), { name: "fraction", kind: "uniform", lo: 0.2, hi: 0.9 });
});

Deno.test("ranges: bad values are refused naming the parameter and its allowed range", () => {
  const refuses = (arg: string, message: RegExp) =>
    assert.throws(() => range(arg), (e: Error) => e instanceof ParamError && message.test(e.message));
  refuses("fast=0..10", /parameter "fast" must be an integer in \[1, 1000\], got 0/);
  refuses("fast=5..2000:100", /parameter "fast" must be an integer in \[1, 1000\], got 2000/);
  refuses("fast=2.5,3", /parameter "fast" must be an integer in \[1, 1000\], got 2.5/);
  refuses("fast=abc", /parameter "fast" must be an integer in \[1, 1000\], got "abc"/);
  refuses("average=sma,wma", /parameter "average" must be one of "sma", "ema", got "wma"/);
  refuses("speed=1..3", /parameter "speed" is not a parameter of this strategy \(parameters: fast, slow/);
  refuses("fast=10..5", /range 10..5: the start must not exceed the end/);
  assert.throws(() => range("fast"), /expected name=value/);
});

Deno.test("grid: the constraint skips and counts combinations; the last parameter varies fastest", () => {
  const space = buildSpace(smaCross, [range("fast=10..30:10"), range("slow=20..40:10")], { method: "grid" });
  assert.deepEqual(space.combos.map((c) => [c.fast, c.slow]), [[10, 20], [10, 30], [10, 40], [20, 30], [20, 40], [
    30,
    40,
  ]]);
  assert.equal(space.skipped, 3);
  assert.match(space.skipReason!, /fast must be below slow/);
  assert.equal(space.combos[0].average, "sma", "defaults filled in");
  assert.throws(
    () => buildSpace(smaCross, [range("fast=50,60"), range("slow=20,30")], { method: "grid" }),
    (e: Error) => e instanceof OptimizeError && /no combination satisfies.*4 skipped/.test(e.message),
  );
  assert.throws(
    () => buildSpace(smaCross, [range("fast=5,6")], { method: "grid", fixed: { slow: 1 } }),
    /parameter "slow" must be an integer in \[2, 5000\], got 1/,
  );
});

Deno.test("random: seeded and distinct, continuous ranges allowed, constraint respected", () => {
  const ranges = [range("fast=1..100"), range("slow=2..300"), range("fraction=0.2..1")];
  const a = buildSpace(smaCross, ranges, { method: "random", samples: 40, seed: 7 });
  const b = buildSpace(smaCross, ranges, { method: "random", samples: 40, seed: 7 });
  const c = buildSpace(smaCross, ranges, { method: "random", samples: 40, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.combos, c.combos);
  assert.equal(a.combos.length, 40);
  assert.ok(a.combos.every((p) => (p.fast as number) < (p.slow as number)));
  assert.equal(new Set(a.combos.map((p) => JSON.stringify(p))).size, 40);
  assert.throws(() => buildSpace(smaCross, ranges, { method: "grid" }), /needs a step/);
});

Deno.test("objective: any report key, NaN ranks last, ties keep run order", () => {
  assert.throws(() => parseObjective("sharpe"), /unknown objective "sharpe".*sharpeRatio/);
  const row = (index: number, objective: number) => ({ index, objective } as unknown as ResultRow);
  const rows = [row(0, 1), row(1, NaN), row(2, 3), row(3, 1), row(4, -2)];
  assert.deepEqual(rank(rows, parseObjective("returnPct")).map((r) => r.index), [2, 0, 3, 4, 1]);
  assert.deepEqual(rank(rows, parseObjective("maxDrawdownPct", true)).map((r) => r.index), [4, 0, 3, 2, 1]);
});
