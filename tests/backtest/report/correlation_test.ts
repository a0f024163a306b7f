/** Correlation of a portfolio's daily returns: the formulas by hand, the matrix, the rolling window, the outputs. */
import assert from "node:assert/strict";
import {
  correlation,
  correlationMatrix,
  dailyReturns,
  pearson,
  rollingCorrelation,
  rollingWindow,
} from "../../../backtest/report/correlation.ts";
import { cellColor, heatmapSvg, rollingChartData } from "../../../backtest/report/heatmap.ts";
import { loadBars } from "../../../storage/bars/mod.ts";
import { runBacktest } from "../../../backtest/engine.ts";
import { renderHtml, toJson } from "../../../backtest/report/mod.ts";

const DAY = 86_400_000;
const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

Deno.test("correlation: Pearson's r by hand; no variance gives NaN", () => {
  // x = 1,2,3,4; y = 2,1,4,3: deviations ±1.5, ±0.5; Σdxdy = 4 × 0.75 = 3; Σdx² = Σdy² = 5 → r = 0.6.
  assert.ok(close(pearson([1, 2, 3, 4], [2, 1, 4, 3]), 0.6));
  assert.ok(close(pearson([1, 2, 3], [6, 4, 2]), -1));
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(pearson([1], [2])));
});

Deno.test("correlation: daily returns take each UTC day's last value", () => {
  const ts = [0, 12 * 3600_000, DAY, DAY + 3600_000, 3 * DAY];
  const values = [100, 110, 120, 99, 198];
  // Day 0 ends at 110, day 1 at 99, day 3 at 198: returns 99/110 − 1 on day 1, 198/99 − 1 = 1 on day 3.
  assert.deepEqual([...dailyReturns(ts, values)], [[1, 99 / 110 - 1], [3, 1]]);
});

Deno.test("correlation: the matrix is symmetric, 1 on the diagonal, null for a series that never moves", () => {
  const days = (rs: number[]) => new Map(rs.map((r, i) => [i + 1, r]));
  const a = days([0.01, -0.02, 0.03, 0.01]);
  const b = days([0.02, -0.04, 0.06, 0.02]); // 2 × a: r = 1
  const c = days([-0.01, 0.02, -0.03, -0.01]); // −a: r = −1
  const flat = days([0, 0, 0, 0]);
  const m = correlationMatrix(["a", "b", "c", "flat"], [a, b, c, flat]);
  assert.deepEqual(m.matrix.map((row) => row.map((v) => v === null ? null : Math.round(v * 1e9) / 1e9)), [
    [1, 1, -1, null],
    [1, 1, -1, null],
    [-1, -1, 1, null],
    [null, null, null, null],
  ]);
});

Deno.test("correlation: rolling values are the correlation of each window of common days", () => {
  const n = 30;
  const a = new Map<number, number>(), b = new Map<number, number>();
  for (let d = 0; d < n; d++) {
    a.set(d, Math.sin(d));
    if (d !== 7) b.set(d, Math.cos(d * 1.3)); // day 7 missing from b: not a common day
  }
  const { ts, value } = rollingCorrelation(a, b, 5);
  const common = [...a.keys()].filter((d) => b.has(d));
  assert.equal(ts.length, common.length - 5 + 1);
  assert.equal(ts[0], common[4] * DAY);
  const w = common.slice(3, 8);
  assert.ok(close(value[3]!, pearson(w.map((d) => a.get(d)!), w.map((d) => b.get(d)!))));
  assert.equal(rollingWindow(1000), 60);
  assert.equal(rollingWindow(90), 30);
  assert.equal(rollingWindow(4), 3);
});

Deno.test("correlation: heatmap cells are coloured by value, red positive, blue negative", () => {
  assert.equal(cellColor(1), "rgb(207,34,46)");
  assert.equal(cellColor(-1), "rgb(9,105,218)");
  assert.equal(cellColor(0), "rgb(255,255,255)");
  assert.equal(cellColor(null), "#eaeef2");
  const svg = heatmapSvg({ labels: ["a", "b<"], matrix: [[1, -0.5], [-0.5, 1]] }, "h");
  assert.equal((svg.match(/<rect /g) ?? []).length, 4);
  assert.match(svg, />-0\.50</);
  assert.match(svg, /b&lt;/);
  const chart = rollingChartData([{ a: "x", b: "y", ts: [DAY, 2 * DAY], value: [0.5, null] }]);
  assert.deepEqual(chart, { t: [86_400, 172_800], labels: ["x × y"], values: [[0.5, null]] });
});

Deno.test("correlation: a portfolio run's report.json and HTML carry the matrices and the rolling chart", async () => {
  const DATA = new URL("../../../../shared/data/backtrader/", import.meta.url);
  const nvda = (await loadBars(new URL("nvda-1999-2014.txt", DATA), { symbol: "NVDA" })).series;
  const orcl = (await loadBars(new URL("orcl-1995-2014.txt", DATA), { symbol: "ORCL" })).series;
  const SMA = new URL("../../../strategies/sma_cross/strategy.ts", import.meta.url).href;
  const result = await runBacktest({
    strategies: [
      { id: "a", module: SMA, symbols: ["NVDA"] },
      { id: "twin", module: SMA, symbols: ["NVDA"] }, // the same rule on the same symbol: r = 1
      { id: "o", module: SMA, symbols: ["ORCL"] },
    ],
    data: [nvda, orcl],
    cash: 30_000,
  });
  const c = result.portfolio!.correlation;
  assert.deepEqual(c.strategies.labels, ["a", "twin", "o"]);
  assert.ok(close(c.strategies.matrix[0][1]!, 1));
  assert.ok(Math.abs(c.strategies.matrix[0][2]!) < 0.9);
  // The symbols' correlation is that of their closes' daily returns, over the days both traded.
  const direct = correlation({ ts: [], strategies: [], symbols: [nvda, orcl].map((s) => ({ ...s })) });
  assert.equal(c.symbols.matrix[0][1], direct.symbols.matrix[0][1]);
  assert.ok(c.symbols.matrix[0][1]! > 0.2 && c.symbols.matrix[0][1]! < 0.7);
  assert.equal(c.window, 60);
  assert.deepEqual(c.rolling.map((r) => `${r.a}/${r.b}`), ["a/twin", "a/o", "twin/o"]);
  const json = JSON.parse(toJson(result.report, result.portfolio));
  assert.deepEqual(json.correlation.strategies.labels, ["a", "twin", "o"]);
  assert.equal(json.correlation.rolling[1].value.length, c.rolling[1].value.length);
  const html = await renderHtml(result.report, result.input, result.ohlc, { portfolio: result.portfolio });
  assert.match(html, /<svg id="strategy-heatmap"/);
  assert.match(html, /<svg id="symbol-heatmap"/);
  assert.match(html, /<div id="rolling-correlation">/);
  assert.doesNotMatch(html, /https?:\/\/(?!github\.com\/leeoniya|www\.w3\.org)/);
});
