import assert from "node:assert/strict";
import {
  computeStats,
  drawdownSeries,
  equityCsv,
  formatDuration,
  formatNumber,
  formatTable,
  formatTime,
  REPORT_FIELDS,
  toJson,
  tradesCsv,
} from "../../../backtest/report/mod.ts";
import { loadFixture, toInput } from "./fixtures.ts";

const fx = loadFixture("goog_commission");
const input = toInput(fx);
const report = computeStats(input, { warmupBars: fx.config.warmupBars });

Deno.test("value formats follow backtesting.py's console output", () => {
  assert.equal(formatTime(Date.UTC(2004, 7, 19)), "2004-08-19 00:00:00");
  assert.equal(formatTime(Date.UTC(2004, 7, 19, 9, 30, 1, 250)), "2004-08-19 09:30:01.250");
  assert.equal(formatDuration(3116 * 86_400_000), "3116 days 00:00:00");
  assert.equal(formatDuration(90 * 60_000), "0 days 01:30:00");
  assert.equal(formatNumber(10000), "10000.0");
  assert.equal(formatNumber(96.741153), "96.74115");
  assert.equal(formatNumber(-0.5), "-0.5");
  assert.equal(formatNumber(NaN), "--");
  assert.equal(formatNumber(-Infinity), "-inf");
});

Deno.test("formatTable: one line per field, labels left, values right-aligned, no ANSI when colour is off", () => {
  const lines = formatTable(report, { color: false }).trimEnd().split("\n");
  assert.equal(lines.length, REPORT_FIELDS.length);
  assert.ok(lines.every((l) => l.length === lines[0].length));
  assert.match(lines[0], /^Start {2,}2004-08-19 00:00:00$/);
  assert.match(lines.find((l) => l.startsWith("# Trades"))!, / 65$/);
  assert.ok(!formatTable(report, { color: false }).includes("\x1b["));
  const colored = formatTable(report, { color: true });
  assert.ok(colored.includes("\x1b[31m-50.33958\x1b[0m")); // Max. Drawdown in red
  const plain = colored.replaceAll("\x1b[31m", "").replaceAll("\x1b[2m", "").replaceAll("\x1b[0m", "");
  assert.equal(plain, formatTable(report, { color: false }));
});

Deno.test("toJson: stable key order, byte-identical on reruns, NaN and Infinity as null", () => {
  const json = toJson(report);
  assert.equal(json, toJson(computeStats(toInput(loadFixture("goog_commission")), { warmupBars: 29 })));
  assert.deepEqual(Object.keys(JSON.parse(json)), REPORT_FIELDS.map((f) => f.key));
  assert.ok(json.endsWith("}\n"));
  const nan = JSON.parse(toJson({ ...report, sqn: NaN, sortinoRatio: Infinity, maxDrawdownPct: -0 }));
  assert.equal(nan.sqn, null);
  assert.equal(nan.sortinoRatio, null);
  assert.ok(Object.is(nan.maxDrawdownPct, 0));
  assert.equal(JSON.parse(json).commissions, report.commissions);
});

Deno.test("tradesCsv: a header and one row per trade; strings quoted when needed", () => {
  const csv = tradesCsv(input.trades);
  const lines = csv.trimEnd().split("\n");
  assert.equal(lines.length, input.trades.length + 1);
  assert.equal(
    lines[0],
    "strategyId,symbol,size,entryBar,exitBar,entryTime,exitTime,entryPrice,exitPrice,pnl,commission,returnPct,mae,mfe",
  );
  const t = input.trades[0];
  assert.equal(
    lines[1],
    [
      "sma-cross",
      "X",
      t.size,
      t.entryBar,
      t.exitBar,
      new Date(t.entryTime).toISOString(),
      new Date(t.exitTime).toISOString(),
      t.entryPrice,
      t.exitPrice,
      t.pnl,
      t.commission,
      t.returnPct,
      t.mae,
      t.mfe,
    ].join(","),
  );
  assert.match(tradesCsv([{ ...t, symbol: 'A,"B"' }]), /,"A,""B""",/);
  assert.equal(tradesCsv([]), lines[0] + "\n");
});

Deno.test("equityCsv: time, equity and drawdown per bar; NaN as an empty cell", () => {
  const dd = drawdownSeries(input.equity);
  const lines = equityCsv(input.ts, input.equity, dd).trimEnd().split("\n");
  assert.equal(lines.length, input.ts.length + 1);
  assert.equal(lines[0], "time,equity,drawdown");
  assert.equal(lines[1], "2004-08-19T00:00:00.000Z,10000,0");
  // backtesting.py's own DrawdownPct column.
  for (let i = 0; i < dd.length; i++) assert.ok(Math.abs(dd[i] - fx.drawdownPct[i]) <= 1e-12, `bar ${i}`);
  assert.equal(equityCsv([0], [NaN], [NaN]), "time,equity,drawdown\n1970-01-01T00:00:00.000Z,,\n");
});
