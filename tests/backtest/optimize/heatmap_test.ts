import assert from "node:assert/strict";
import { heatmapGrid, parseObjective, renderHeatmap, type ResultRow } from "../../../backtest/optimize/mod.ts";

const row = (
  index: number,
  fast: number,
  slow: number,
  avg: string,
  objective: number,
) => ({ index, params: { fast, slow, average: avg }, objective, report: {} } as unknown as ResultRow);
const rows = [
  row(0, 5, 20, "sma", 1),
  row(1, 5, 20, "ema", 2),
  row(2, 10, 20, "sma", -1),
  row(3, 5, 30, "sma", NaN),
  row(4, 10, 30, "sma", 0.5),
];

Deno.test("heatmap grid: the best over other parameters per cell, NaN where nothing counts", () => {
  const max = heatmapGrid(rows, "fast", "slow", parseObjective("sharpeRatio"));
  assert.deepEqual(max.xs, [5, 10]);
  assert.deepEqual(max.ys, [20, 30]);
  assert.deepEqual(max.cells, [[2, -1], [NaN, 0.5]]);
  const min = heatmapGrid(rows, "fast", "slow", parseObjective("maxDrawdownPct", true));
  assert.deepEqual(min.cells, [[1, -1], [NaN, 0.5]]);
});

Deno.test("heatmap HTML: a self-contained table, best cell green, worst red", () => {
  const html = renderHeatmap(rows, "fast", "slow", parseObjective("sharpeRatio"), "t <1>");
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<title>t &lt;1&gt;<\/title>/);
  assert.doesNotMatch(html, /<script|src=|href=/);
  assert.match(html, /background:hsl\(120, 65%, 69%\)" title="fast=5, slow=20">2\.000</);
  assert.match(html, /background:hsl\(0, 65%, 69%\)" title="fast=10, slow=20">-1\.000</);
  assert.match(html, /<td class="none">–<\/td>/);
});
