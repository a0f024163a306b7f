/**
 * The pool: shared columns are the parsed ones; results are the same, in the same order, for 0, 1 and 2 Workers and
 * any chunk size, streamed in job order; a small search starts one Worker; a crashed Worker is reported, not waited
 * for. No timing is asserted.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../../storage/bars/mod.ts";
import { parseTicksCsv } from "../../../storage/ticks/mod.ts";
import {
  chunkSize,
  createPool,
  openData,
  optimize,
  resultsJson,
  shareData,
  workersWorth,
} from "../../../backtest/optimize/mod.ts";
import { loadRunData } from "../../../backtest/optimize/runner.ts";
import {
  COST_DECAY,
  costTracker,
  MIN_JOBS_PER_WORKER,
  WARMUP_RUNS,
  workersFor,
} from "../../../backtest/optimize/schedule.ts";
import { BUILT_INS } from "../../../strategies/registry.ts";
import type { Job, RunSetup } from "../../../backtest/optimize/types.ts";

const GOOG = new URL("../../../../shared/data/backtesting_py/GOOG.csv", import.meta.url);
const setup: RunSetup = { module: BUILT_INS.sma_cross, data: [{ path: GOOG.pathname, symbol: "GOOG" }], cash: 10_000 };

Deno.test("shared columns: SharedArrayBuffer views equal to the parsed bars and ticks, copied once", async () => {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const ticks = parseTicksCsv("ts,price,size,side\n1000,10,1,buy\n2000,10.5,2,sell\n3000,10.25,1,\n", "t.csv", {
    symbol: "T",
  });
  const shared = shareData({ bars: [series], ticks: [ticks] });
  assert.ok(shared.bars[0].buffer instanceof SharedArrayBuffer);
  const opened = openData(shared);
  const bars = opened.bars[0];
  for (const k of ["ts", "open", "high", "low", "close", "volume"] as const) {
    assert.deepEqual(Array.from(bars[k]), Array.from(series[k]), k);
    assert.ok(bars[k].buffer instanceof SharedArrayBuffer, k);
  }
  assert.deepEqual([bars.symbol, bars.timeframe, bars.length], [series.symbol, series.timeframe, series.length]);
  const t = opened.ticks[0];
  for (const k of ["ts", "price", "size", "side", "bid", "ask", "bidSize", "askSize"] as const) {
    assert.deepEqual(Array.from(t[k]), Array.from(ticks[k]), k);
  }
  assert.deepEqual([t.symbol, t.kind, t.length], ["T", "trade", 3]);
  // Views, not copies: two openings see the same memory.
  assert.equal(openData(shared).bars[0].close.buffer, bars.close.buffer);
});

Deno.test("determinism: 0, 1 and 2 Workers and chunk sizes 1, 3 and 7 give the same results in the same order", async () => {
  const data = await loadRunData(setup);
  const jobs: Job[] = [];
  for (const fast of [5, 8, 12, 20]) {
    for (const slow of [30, 45, 60]) jobs.push({ id: jobs.length, params: { fast, slow } });
  }
  const runs: unknown[] = [];
  for (const [size, chunk] of [[0, undefined], [1, 1], [2, 1], [2, 3], [1, 7], [2, 7], [2, undefined]] as const) {
    const pool = await createPool(setup, data, size, chunk === undefined ? {} : { chunk });
    try {
      const streamed: number[] = [];
      const done: number[] = [];
      const results = await pool.run(jobs, (d) => done.push(d), (_, position) => streamed.push(position));
      assert.deepEqual(streamed, jobs.map((_, i) => i), `streamed in job order (${size} workers, chunk ${chunk})`);
      assert.deepEqual(done, jobs.map((_, i) => i + 1));
      assert.deepEqual(results.map((r) => r.id), jobs.map((j) => j.id));
      runs.push(results);
      const stats = pool.stats();
      assert.equal(stats.workers.length, stats.started);
      const ran = stats.workers.reduce((a, w) => a + w.jobs, 0);
      assert.equal(ran, size === 0 ? 0 : jobs.length, "the Workers' stats count every combination once");
      for (const w of stats.workers) assert.ok(w.bootMs >= 0 && w.busyMs >= 0 && w.readyAt >= w.spawnedAt);
      if (chunk !== undefined) {
        assert.equal(pool.stats().started, size, "a fixed chunk starts every Worker");
        assert.equal(pool.stats().chunks, Math.ceil(jobs.length / chunk), "several combinations per message");
      }
    } finally {
      pool.close();
    }
  }
  for (const r of runs.slice(1)) assert.deepEqual(r, runs[0]);
});

Deno.test("a small search starts one Worker, whatever the most allowed", async () => {
  const result = await optimize({ setup, params: ["fast=5,10", "slow=30"], workers: 2 });
  assert.equal(result.rows.length, 2);
  assert.equal(result.workers, 2);
  assert.equal(result.workersStarted, 1);
  const json = JSON.parse(resultsJson(result));
  assert.deepEqual([json.workers, json.workersStarted], [2, 1]);
});

Deno.test("schedule: Workers only while they save more than they cost; chunks sized to the cost, balanced at the end", () => {
  // 400 combinations of 3 ms (1.2 s): a second Worker saves 600 ms, far more than a 100 ms start.
  assert.equal(workersWorth(400, 3, 100, 2), 2);
  // The third saves 200 ms, the fourth exactly its start (1200/3 − 1200/4 = 100): not worth it.
  assert.equal(workersWorth(400, 3, 100, 8), 3);
  // 10 combinations of 3 ms (30 ms of work): no Worker is worth a 100 ms start.
  assert.equal(workersWorth(10, 3, 100, 2), 1);
  // Long jobs but too few of them for a second Worker to warm up on.
  assert.equal(workersWorth(2 * MIN_JOBS_PER_WORKER - 1, 1000, 100, 2), 1);
  assert.equal(workersWorth(2 * MIN_JOBS_PER_WORKER, 1000, 100, 2), 2);
  assert.equal(workersWorth(1000, 1000, 100, 1), 1, "never more than the most allowed");
  // Tiny jobs go many to a message; long ones one; the tail is split over the Workers.
  assert.equal(chunkSize(10_000, 0.1, 2), 400);
  assert.equal(chunkSize(10_000, 500, 2), 1);
  assert.equal(chunkSize(40, 0.1, 2), 5);
  assert.equal(chunkSize(3, 0.1, 2), 1);
});

Deno.test("a crashed Worker is reported, naming the Worker and its combinations, and the pool refuses more runs", async () => {
  const module = new URL("./fixtures/crashes_at.ts", import.meta.url).href;
  const crashing: RunSetup = { ...setup, module };
  const data = await loadRunData(crashing);
  const pool = await createPool(crashing, data, 2, { chunk: 2 });
  try {
    const jobs = [1, 2, 3, 4, 5, 6].map((crash, id) => ({ id, params: { crash } }));
    await assert.rejects(
      () => pool.run(jobs),
      /optimiser worker \d crashed while running combinations \d–[46]: .*worker down/,
    );
    await assert.rejects(() => pool.run(jobs.slice(0, 1)), /crashed/);
  } finally {
    pool.close();
  }
});

Deno.test("schedule: a second Worker only for a search long enough to pay for its JIT warm-up", () => {
  // As measured on the SMA grid: a 60 ms start-up, an 80 ms cold first combination, 20–40 ms the next ones.
  assert.equal(workersFor(405, 20, 80, 60, 2), 2, "the 407-combination grid: worth it");
  assert.equal(workersFor(38, 40, 80, 60, 2), 1, "40 combinations: one Worker (two were 1.3–1.5× slower)");
  assert.equal(workersFor(98, 40, 80, 60, 2), 1, "100 combinations: one Worker (two were 1.3–1.4× slower)");
  assert.equal(workersFor(198, 20, 80, 60, 2), 1);
  // The allowance is the start-up plus WARMUP_RUNS cold combinations, whatever they cost.
  for (const first of [1, 10, 100, 1000]) {
    const perJob = first / 4, boot = 50;
    const needed = 2 * (boot + WARMUP_RUNS * first) / perJob; // remaining·perJob/2 > allowance
    assert.equal(workersFor(Math.floor(needed) - 1, perJob, first, boot, 2), 1, `first ${first}`);
    assert.equal(workersFor(Math.ceil(needed) + 1, perJob, first, boot, 2), 2, `first ${first}`);
  }
  assert.equal(workersFor(1e6, 20, 80, 60, 1), 1, "never more than the most allowed");
});

Deno.test("schedule: the cost estimate leaves the cold first chunk out and follows the recent chunks", () => {
  const cost = costTracker();
  assert.equal(cost.known, false);
  assert.ok(Number.isNaN(cost.perJob));
  cost.add(1, 500);
  assert.deepEqual([cost.known, cost.warm, cost.perJob, cost.firstMs], [true, false, 500, 500]);
  cost.add(10, 40);
  assert.deepEqual([cost.warm, cost.perJob, cost.firstMs], [true, 4, 500], "the first chunk no longer counts");
  cost.add(10, 20);
  assert.equal(cost.perJob, (40 * COST_DECAY + 20) / (10 * COST_DECAY + 10));
  for (let i = 0; i < 100; i++) cost.add(10, 10);
  assert.ok(Math.abs(cost.perJob - 1) < 1e-6, "old chunks are forgotten");
});

Deno.test("data still loading: the pool waits for it, and a load that fails fails the pool (its Workers closed)", async () => {
  const data = loadRunData(setup);
  const pool = await createPool(setup, data, 1);
  try {
    const results = await pool.run([{ id: 0, params: { fast: 5, slow: 30 } }]);
    const inline = await createPool(setup, await data, 0);
    assert.deepEqual(results, await inline.run([{ id: 0, params: { fast: 5, slow: 30 } }]));
  } finally {
    pool.close();
  }
  await assert.rejects(() => createPool(setup, Promise.reject(new Error("no such file")), 2), /no such file/);
  await assert.rejects(
    () =>
      optimize({ setup: { ...setup, data: [{ path: "/nonexistent/bars.csv" }] }, params: ["fast=5,10"], workers: 2 }),
    /nonexistent/,
  );
});
