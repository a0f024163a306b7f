/** bench/gen_bars.ts writes loadable bars; the backtest_cli line measures the real command and its child's RSS. */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { writeBarsCsv } from "../../bench/gen_bars.ts";
import { cliBench } from "../../bench/cli_bench.ts";
import type { BenchRow } from "../../bench/row.ts";

Deno.test("writeBarsCsv: N one-minute bars from GOOG's moves, readable by loadBars", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeBarsCsv(`${dir}/b.csv`, 5_000);
    const { series, warnings, gaps } = await loadBars(`${dir}/b.csv`);
    assert.equal(series.length, 5_000);
    assert.equal(series.timeframe, "1m");
    assert.deepEqual(warnings, []);
    assert.deepEqual(gaps, []);
    for (let i = 1; i < series.length; i++) assert.equal(series.ts[i] - series.ts[i - 1], 60_000);
    const closes = Array.from(series.close);
    assert.ok(Math.min(...closes) > 1 && Math.max(...closes) < 10_000, "re-anchored each cycle: no drift to 0 or ∞");
    await assert.rejects(() => writeBarsCsv(`${dir}/x.csv`, 0), RangeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cliBench: a row per strategy count with bars/s, the child's max RSS and the report sizes", async () => {
  const rows: BenchRow[] = [];
  await cliBench((row) => rows.push(row), 20_000, [1, 2]);
  assert.deepEqual(rows.map((r) => [r.bench, r.strategies]), [
    ["backtest_cli_20k", undefined],
    ["backtest_cli_20k_2_strategies", 2],
  ]);
  for (const row of rows) {
    assert.equal(row.unit, "bars/s");
    assert.ok(row.value > 0);
    assert.ok((row.maxRssMB as number) > 20, "a Deno process is tens of MB at least");
    for (const file of ["reportHtmlMB", "equityCsvMB", "tradesCsvMB"]) assert.ok((row[file] as number) > 0, file);
  }
  // The portfolio's report holds both strategies' trades (the same rule on the same bars: twice the rows).
  assert.ok((rows[1].tradesCsvMB as number) > 1.5 * (rows[0].tradesCsvMB as number), JSON.stringify(rows));
});
