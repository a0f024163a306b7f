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
    }
  }
  // Two combinations are not worth a second Worker in a whole search.
  assert.equal(rows[1].workers_started, 1);
});
