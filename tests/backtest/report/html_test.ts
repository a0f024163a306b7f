import assert from "node:assert/strict";
import { computeStats, renderHtml, REPORT_FILES, writeReport } from "../../../backtest/report/mod.ts";
import { chartData } from "../../../backtest/report/html.ts";
import { loadFixture, toInput } from "./fixtures.ts";

const fx = loadFixture("goog");
const input = toInput(fx);
const report = computeStats(input, { warmupBars: fx.config.warmupBars });

function embeddedData(html: string) {
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  assert.ok(m, "the data block is present");
  return JSON.parse(m[1]);
}

Deno.test("renderHtml inlines uPlot and its licence, and loads nothing from the network", async () => {
  const html = await renderHtml(report, input);
  assert.match(html, /^<!doctype html>/);
  assert.ok(html.includes("https://github.com/leeoniya/uPlot (v1.6.32)"));
  assert.ok(html.includes("var uPlot=function(){"));
  assert.ok(html.includes("The MIT License"));
  assert.ok(html.includes(".uplot"), "uPlot's stylesheet");
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!github\.com\/leeoniya)/);
});

Deno.test("renderHtml embeds the equity, drawdown, price and trade markers, and the stats table", async () => {
  const html = await renderHtml(report, input, undefined, { title: "SMA <cross>" });
  const d = embeddedData(html);
  assert.equal(d.t.length, fx.ts.length);
  assert.equal(d.t[0], fx.ts[0] / 1000);
  assert.deepEqual(d.equity, fx.equity);
  assert.equal(Math.min(...d.drawdown), report.maxDrawdownPct);
  assert.deepEqual(d.close, fx.close);
  assert.equal(d.high, null);
  const first = fx.trades[0];
  assert.equal((first.size > 0 ? d.longEntry : d.shortEntry)[first.entryBar], first.entryPrice);
  assert.equal(d.exit[first.exitBar], first.exitPrice);
  const markers = [...d.longEntry, ...d.shortEntry].filter((x: number | null) => x !== null).length;
  assert.equal(markers, new Set(fx.trades.map((t) => t.entryBar)).size);
  assert.ok(html.includes("<th>Sharpe Ratio</th><td>0.58396</td>"));
  assert.ok(html.includes("<title>SMA &lt;cross&gt;</title>"));
});

Deno.test("chartData uses OHLC when given, and nulls for non-finite values", () => {
  const n = input.ts.length;
  const ohlc = {
    open: input.close,
    high: input.close.map((c) => c + 1),
    low: input.close.map((c) => c - 1),
    close: input.close,
  };
  const d = chartData({ ...input, equity: input.equity.map((e, i) => i === 5 ? NaN : e) }, ohlc);
  assert.equal(d.high!.length, n);
  assert.equal(d.high![0], fx.close[0] + 1);
  assert.equal(d.equity[5], null);
  assert.equal(d.drawdown[5], null);
});

Deno.test("writeReport writes report.json, trades.csv, equity.csv and report.html", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeReport(`${dir}/run`, report, input);
    for (const f of REPORT_FILES) assert.ok((await Deno.stat(`${dir}/run/${f}`)).size > 0, f);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/run/report.json`));
    assert.equal(json.tradeCount, 65);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("html: lists the trades, losses marked", async () => {
  const { renderHtml, computeStats } = await import("../../../backtest/report/mod.ts");
  const trade = {
    strategyId: "s",
    symbol: "GOOG",
    size: 10,
    entryBar: 0,
    exitBar: 1,
    entryTime: Date.UTC(2020, 0, 1),
    exitTime: Date.UTC(2020, 0, 2),
    entryPrice: 100,
    exitPrice: 90,
    pnl: -100,
    commission: 0,
    returnPct: -0.1,
    mae: -0.1,
    mfe: 0,
  };
  const input = {
    ts: Float64Array.of(Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2)),
    equity: Float64Array.of(1_000, 900),
    close: Float64Array.of(100, 90),
    trades: [trade],
    initialCash: 1_000,
    totalCommission: 0,
  };
  const html = await renderHtml(computeStats(input), input);
  assert.match(html, /<h2>Trades<\/h2>/);
  assert.match(html, /<td class="l">GOOG<\/td><td>10<\/td>/);
  assert.match(html, /<td class="neg">-100\.00<\/td><td class="neg">-10\.00<\/td>/);
});
