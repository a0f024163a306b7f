// Every statistic against backtesting.py v0.6.6 on its own SmaCross runs (see tests/fixtures/backtesting_py).
import assert from "node:assert/strict";
import { computeStats, REPORT_FIELDS } from "../../../backtest/report/mod.ts";
import { CASES, loadFixture, relDiff, toInput } from "./fixtures.ts";

const TOLERANCE = 1e-6;
// Times and durations are compared exactly.
const EXACT = new Set(REPORT_FIELDS.filter((f) => f.kind === "time" || f.kind === "duration").map((f) => f.label));
// backtesting.py omits "Commissions [$]" when they are 0.
const OPTIONAL = new Set(["Commissions [$]"]);

for (const name of CASES) {
  Deno.test(`computeStats matches backtesting.py 0.6.6: ${name}`, () => {
    const fx = loadFixture(name);
    const report = computeStats(toInput(fx), { warmupBars: fx.config.warmupBars });
    const labels = new Set(REPORT_FIELDS.map((f) => f.label));
    for (const label of Object.keys(fx.stats)) assert.ok(labels.has(label), `no field for backtesting.py's ${label}`);
    for (const { key, label } of REPORT_FIELDS) {
      if (!(label in fx.stats)) {
        if (OPTIONAL.has(label)) assert.equal(report[key], 0, label);
        continue;
      }
      const expected = fx.stats[label];
      if (EXACT.has(label)) assert.equal(report[key], expected ?? NaN, label);
      else assert.ok(relDiff(report[key], expected) <= TOLERANCE, `${label}: got ${report[key]}, expected ${expected}`);
    }
  });

  Deno.test(`extra statistics match the numpy reference: ${name}`, () => {
    const fx = loadFixture(name);
    const report = computeStats(toInput(fx), { warmupBars: fx.config.warmupBars });
    for (const [key, expected] of Object.entries(fx.extras)) {
      const got = report[key as keyof typeof report];
      assert.ok(relDiff(got, expected) <= TOLERANCE, `${key}: got ${got}, expected ${expected}`);
    }
  });
}

Deno.test("the bar period is backtesting.py's _data_period; annualisation follows from it", () => {
  const expected: Record<string, number> = {
    goog: 252,
    goog_commission: 252,
    eurusd_hourly: 252, // forex trades no weekends; hourly bars are resampled to days
    btcusd_monthly_bust: 12,
    btcusd_monthly_long: 12,
  };
  for (const name of CASES) {
    const fx = loadFixture(name);
    const report = computeStats(toInput(fx), { warmupBars: fx.config.warmupBars });
    assert.equal(report.barPeriodMs, fx.periodMs, name);
    assert.equal(report.annualPeriods, expected[name], name);
  }
});

Deno.test("Buy & Hold starts after the warm-up bars", () => {
  const fx = loadFixture("goog");
  const fromStart = computeStats(toInput(fx));
  const c = fx.close;
  assert.equal(fromStart.buyHoldReturnPct, (c[c.length - 1] - c[0]) / c[0] * 100);
});

Deno.test("turnover is taken from the input when given", () => {
  const fx = loadFixture("goog");
  assert.equal(computeStats({ ...toInput(fx), turnover: 123 }).turnover, 123);
});
