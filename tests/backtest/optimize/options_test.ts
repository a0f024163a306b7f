/**
 * Every backtest option reaches the optimiser's runs, and a portfolio's parameters and per-strategy statistics can be
 * searched: each test runs the same backtests one by one with runBacktest and checks that the optimum (and every
 * row) is theirs.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../../storage/bars/mod.ts";
import { type BacktestSpec, runBacktest } from "../../../backtest/engine.ts";
import { optimize, OptimizeError, parseObjective, plan } from "../../../backtest/optimize/mod.ts";
import { BUILT_INS } from "../../../strategies/registry.ts";
import type { RunSetup } from "../../../backtest/optimize/types.ts";
import type { Report } from "../../../backtest/report/mod.ts";
import { sliceSeries } from "../../../backtest/optimize/runner.ts";
import { parseTicksCsv, ticksToBars } from "../../../storage/ticks/mod.ts";

const GOOG = new URL("../../../../shared/data/backtesting_py/GOOG.csv", import.meta.url);
const { series } = await loadBars(GOOG, { symbol: "GOOG" });

/** The best of `runs` by `value`, maximised; ties to the first (as the optimiser ranks). */
function best<T>(runs: readonly T[], value: (t: T) => number): T {
  let out = runs[0];
  for (const r of runs) if (value(r) > value(out)) out = r;
  return out;
}

Deno.test("costs, entry-only spread, close at end, account limits and contract terms: the optimum is the one-by-one best", async () => {
  const sim: RunSetup["sim"] = {
    costs: {
      commission: { kind: "percent", rate: 0.001 },
      slippage: { kind: "spread", spread: 0.002, mode: "entry" },
      impact: { kind: "none" },
    },
    contracts: { GOOG: { multiplier: 2, margin: 300 } },
  };
  const options = { closeAtEnd: true, risk: { maxPositionQty: 8 }, limits: { maxOrderNotional: 20_000 } };
  const setup: RunSetup = {
    module: BUILT_INS.sma_cross,
    data: [{ path: GOOG.pathname, symbol: "GOOG" }],
    cash: 10_000,
    sim,
    ...options,
  };
  const result = await optimize({ setup, params: ["fast=5,10,20", "slow=30,60"], objective: "returnPct", workers: 2 });
  assert.equal(result.failed.length, 0, JSON.stringify(result.failed));
  const alone: { params: Record<string, number>; report: Report }[] = [];
  for (const fast of [5, 10, 20]) {
    for (const slow of [30, 60]) {
      const r = await runBacktest({
        strategies: [{ id: "a", module: BUILT_INS.sma_cross, params: { fast, slow }, limits: options.limits }],
        data: [series],
        cash: 10_000,
        sim,
        closeAtEnd: true,
        risk: options.risk,
      });
      alone.push({ params: { fast, slow }, report: r.report });
    }
  }
  for (const row of result.rows) {
    const twin = alone.find((a) => a.params.fast === row.params.fast && a.params.slow === row.params.slow)!;
    assert.deepEqual(row.report, twin.report, JSON.stringify(row.params));
  }
  const top = best(alone, (a) => a.report.returnPct);
  assert.deepEqual({ fast: result.rows[0].params.fast, slow: result.rows[0].params.slow }, top.params);
  assert.equal(result.rows[0].objective, top.report.returnPct);
  // The options changed something: the same grid without them ranks other numbers.
  const bare = await optimize({ setup: { ...setup, sim: undefined, risk: undefined }, params: ["fast=5", "slow=30"] });
  assert.notEqual(bare.rows[0].report.returnPct, alone[0].report.returnPct);
});

const portfolio: RunSetup = {
  strategies: [
    { id: "s1", module: BUILT_INS.sma_cross, params: { slow: 40 }, capital: 6_000 },
    { id: "s2", module: BUILT_INS.sma_cross, params: { fast: 5, mode: "long_only" }, capital: 4_000 },
  ],
  data: [{ path: GOOG.pathname, symbol: "GOOG" }],
  cash: 10_000,
};

function portfolioSpec(s1fast: number, s2slow: number): BacktestSpec {
  return {
    strategies: [
      { id: "s1", module: BUILT_INS.sma_cross, params: { fast: s1fast, slow: 40 }, capital: 6_000 },
      { id: "s2", module: BUILT_INS.sma_cross, params: { fast: 5, slow: s2slow, mode: "long_only" }, capital: 4_000 },
    ],
    data: [series],
    cash: 10_000,
  };
}

Deno.test("a portfolio: ID.NAME ranges, the config's values kept, per-strategy and account objectives", async () => {
  const params = ["s1.fast=5..15:5", "s2.slow=20,50"];
  const alone: { key: [number, number]; report: Report; s1: Report; s2: Report }[] = [];
  for (const f of [5, 10, 15]) {
    for (const s of [20, 50]) {
      const r = await runBacktest(portfolioSpec(f, s));
      const own = Object.fromEntries(r.portfolio!.strategies.map((x) => [x.id, x.report]));
      alone.push({ key: [f, s], report: r.report, s1: own.s1, s2: own.s2 });
    }
  }
  const pick = (row: { params: Record<string, unknown> }) => [row.params["s1.fast"], row.params["s2.slow"]];
  for (const objective of ["s1.sharpeRatio", "s2.returnPct", "sharpeRatio"]) {
    const result = await optimize({ setup: portfolio, params, objective, workers: 1 });
    assert.equal(result.rows.length, 6);
    const value = (a: (typeof alone)[number]) => {
      const [id, stat] = objective.includes(".") ? objective.split(".") : ["", objective];
      return (id === "s1" ? a.s1 : id === "s2" ? a.s2 : a.report)[stat as keyof Report];
    };
    const top = best(alone, value);
    assert.deepEqual(pick(result.rows[0]), top.key, objective);
    assert.equal(result.rows[0].objective, value(top), objective);
    for (const row of result.rows) {
      const twin = alone.find((a) => a.key.join() === pick(row).join())!;
      assert.deepEqual(row.report, twin.report);
      assert.deepEqual(row.strategies, { s1: twin.s1, s2: twin.s2 });
      // Parameters not searched keep the config's values.
      assert.equal(row.params["s1.slow"], 40);
      assert.equal(row.params["s2.mode"], "long_only");
    }
  }
});

Deno.test("a portfolio's parameters and objectives are checked before anything runs", async () => {
  await assert.rejects(() => plan({ setup: portfolio, params: ["fast=5,10"] }), /"fast" is not a parameter.*s1\.fast/);
  await assert.rejects(() => plan({ setup: portfolio, params: ["s1.fast=0,5"] }), /"s1\.fast" must be an integer/);
  await assert.rejects(
    () => plan({ setup: portfolio, params: ["s1.fast=50"] }),
    /s1: fast must be below slow/,
    "each strategy's constraint on its own parameters",
  );
  await assert.rejects(
    () => plan({ setup: portfolio, params: ["s1.fast=5,10"], objective: "s3.sharpeRatio" }),
    /unknown objective "s3\.sharpeRatio" \("s3" is not a strategy of the portfolio\).*ids: s1, s2/,
  );
  assert.throws(() => parseObjective("s1.sharpeRatio"), OptimizeError);
  assert.throws(() => parseObjective("s1.sharpeRatio"), /only a portfolio has per-strategy statistics/);
  assert.deepEqual(parseObjective("s1.sharpeRatio", true, ["s1"]), {
    key: "s1.sharpeRatio",
    stat: "sharpeRatio",
    strategy: "s1",
    minimize: true,
  });
});

Deno.test("walk-forward over a portfolio with a per-strategy objective: each fold's OOS value is that strategy's", async () => {
  const result = await optimize({
    setup: portfolio,
    params: ["s1.fast=5,10"],
    objective: "s1.returnPct",
    workers: 1,
    walkForward: { isBars: 1200, oosBars: 500 },
  });
  const wf = result.walkForward!;
  assert.equal(wf.folds.length, 2);
  for (const fold of wf.folds) {
    assert.ok(Number.isFinite(fold.oosObjective));
    // The account's OOS return is not the strategy's (two strategies share it).
    assert.notEqual(fold.oosObjective, fold.oosReport.returnPct);
  }
});

Deno.test("walk-forward runs on the same pool with the same options: IS picks equal one-by-one searches with them", async () => {
  const sim: RunSetup["sim"] = {
    costs: {
      commission: { kind: "percent", rate: 0.002 },
      slippage: { kind: "spread", spread: 0.001, mode: "both" },
      impact: { kind: "none" },
    },
  };
  const setup: RunSetup = {
    module: BUILT_INS.sma_cross,
    data: [{ path: GOOG.pathname, symbol: "GOOG" }],
    cash: 10_000,
    sim,
    closeAtEnd: true,
    risk: { maxPositionQty: 10 },
  };
  const result = await optimize({
    setup,
    params: ["fast=5,10", "slow=30,60"],
    objective: "returnPct",
    workers: 2,
    pool: { chunk: 1 },
    walkForward: { isBars: 1000, oosBars: 500 },
  });
  assert.equal(result.workersStarted, 2, "both Workers took folds' combinations");
  const wf = result.walkForward!;
  assert.equal(wf.folds.length, 3);
  for (const fold of wf.folds) {
    const from = series.ts[fold.is[0]], to = series.ts[fold.is[1]];
    const runs = [];
    for (const fast of [5, 10]) {
      for (const slow of [30, 60]) {
        const r = await runBacktest({
          strategies: [{ id: "a", module: BUILT_INS.sma_cross, params: { fast, slow } }],
          data: [sliceSeries(series, from, to)],
          cash: 10_000,
          sim,
          closeAtEnd: true,
          risk: { maxPositionQty: 10 },
        });
        runs.push({ params: { fast, slow }, value: r.report.returnPct });
      }
    }
    const top = best(runs, (r) => r.value);
    assert.equal(fold.isObjective, top.value);
    assert.deepEqual({ fast: fold.best.fast, slow: fold.best.slow }, top.params);
  }
});

Deno.test("tick data: each combination trades on the ticks, as the same backtest run alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A random walk of 6,000 trades, 10 s apart (1,000 one-minute bars).
    let price = 100, seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const lines = ["ts,price,size"];
    for (let i = 0; i < 6000; i++) {
      price = Math.max(1, price * (1 + (rnd() - 0.5) * 0.004));
      lines.push(`${1_700_000_000_000 + i * 10_000},${price.toFixed(2)},${1 + Math.floor(rnd() * 5)}`);
    }
    const path = `${dir}/T.csv`;
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const setup: RunSetup = { module: BUILT_INS.sma_cross, data: [], ticks: [{ path, symbol: "T" }], cash: 10_000 };
    const result = await optimize({ setup, params: ["fast=3,6", "slow=20,40"], objective: "returnPct", workers: 1 });
    assert.equal(result.failed.length, 0, JSON.stringify(result.failed));
    const ticks = parseTicksCsv(await Deno.readTextFile(path), path, { symbol: "T" });
    for (const row of result.rows) {
      const alone = await runBacktest({
        strategies: [{ id: "a", module: BUILT_INS.sma_cross, params: row.params }],
        data: [ticksToBars(ticks, "1m")],
        ticks: [ticks],
        cash: 10_000,
      });
      assert.deepEqual(row.report, alone.report, JSON.stringify(row.params));
    }
    assert.ok(result.rows.some((r) => r.report.tradeCount > 0), "the ticks traded");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
