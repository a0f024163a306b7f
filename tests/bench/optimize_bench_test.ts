/** The optimiser bench's lines: names, units, the 2-vs-1 ratios and the load average beside every figure. */
import assert from "node:assert/strict";

Deno.test("bench optimize: grid and warm-pool lines for 1 and 2 Workers, and their ratios in x", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../bench/optimize_bench.ts", import.meta.url).pathname,
      "1",
      "fast=5,10",
      "slow=30",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  const rows = dec.decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => [r.bench, r.workers ?? null]), [
    ["optimize_grid", 1],
    ["optimize_grid", 2],
    ["optimize_2_vs_1_workers", null],
    ["optimize_grid_warm", 1],
    ["optimize_grid_warm", 2],
    ["optimize_2_vs_1_workers_warm", null],
  ]);
  for (const r of rows) {
    assert.ok(Number.isFinite(r.value) && r.value > 0, JSON.stringify(r));
    assert.equal(r.loadavg.length, 3);
    if (r.bench.includes("_vs_")) {
      assert.equal(r.unit, "x");
      assert.ok(r.cpu_ratio > 0);
    } else {
      assert.equal(r.unit, "combinations/s");
      assert.equal(r.combos, 2);
      assert.ok(r.cpu_seconds > 0);
      // Where the CPU went (Linux: main thread, V8's background threads) and each Worker's share of the wall time.
      assert.ok(r.cpu_main_seconds >= 0 && r.cpu_v8_background_seconds >= 0, JSON.stringify(r));
      assert.equal(r.per_worker.length, r.workers_started);
      for (const w of r.per_worker) assert.ok(w.busy_pct > 0 && w.busy_pct <= 100 && w.jobs >= 0, JSON.stringify(w));
      assert.equal(r.per_worker.reduce((a: number, w: { jobs: number }) => a + w.jobs, 0), 2);
    }
  }
  // Two combinations are not worth a second Worker in a whole search.
  assert.equal(rows[1].workers_started, 1);
});
