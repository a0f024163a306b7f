import assert from "node:assert/strict";
import { computeStats, REPORT_FIELDS } from "../../../backtest/report/mod.ts";
import { loadFixture, toInput } from "./fixtures.ts";

Deno.test("REPORT_FIELDS lists every Report key once, in the Report's own key order", () => {
  const fx = loadFixture("goog");
  const report = computeStats(toInput(fx), { warmupBars: fx.config.warmupBars });
  assert.deepEqual(REPORT_FIELDS.map((f) => f.key), Object.keys(report));
  assert.equal(new Set(REPORT_FIELDS.map((f) => f.label)).size, REPORT_FIELDS.length);
});
