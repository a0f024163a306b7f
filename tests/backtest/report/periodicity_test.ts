import assert from "node:assert/strict";
import {
  annualisation,
  bucketKey,
  ceilToResolution,
  dataPeriodMs,
  DAY,
  periodReturns,
} from "../../../backtest/report/periodicity.ts";

const HOUR = 3_600_000;
const t = (iso: string) => Date.parse(iso + "Z");

Deno.test("dataPeriodMs is the median spacing of the last 100 bars", () => {
  const ts = Array.from({ length: 300 }, (_, i) => i < 200 ? i * DAY : 200 * DAY + (i - 200) * HOUR);
  assert.equal(dataPeriodMs(ts), HOUR);
  assert.equal(dataPeriodMs([0, 1, 3, 6]), 2); // odd number of spacings: the middle one
  assert.equal(dataPeriodMs([0, 1, 3]), 1.5); // even: the mean of the middle two, as pandas
  assert.ok(Number.isNaN(dataPeriodMs([0])));
});

Deno.test("annualisation: 252 without weekends, 365 with them, 52/12/1 for weekly/monthly/yearly bars", () => {
  const weekdays: number[] = [], everyDay: number[] = [];
  for (let d = 0; d < 70; d++) {
    const ms = t("2024-01-01T00:00:00") + d * DAY; // a Monday
    everyDay.push(ms);
    if (new Date(ms).getUTCDay() % 6 !== 0) weekdays.push(ms);
  }
  assert.deepEqual(annualisation(weekdays, DAY), { periods: 252, bucket: "D" });
  assert.deepEqual(annualisation(everyDay, DAY), { periods: 365, bucket: "D" });
  assert.deepEqual(annualisation(everyDay, HOUR), { periods: 365, bucket: "D" });
  assert.deepEqual(annualisation(weekdays, 7 * DAY), { periods: 52, bucket: "W" });
  assert.deepEqual(annualisation(weekdays, 31 * DAY), { periods: 12, bucket: "ME" });
  assert.deepEqual(annualisation(weekdays, 30.5 * DAY), { periods: 252, bucket: "D" }); // Timedelta.days is 30
  assert.deepEqual(annualisation(weekdays, 365 * DAY), { periods: 1, bucket: "YE" });
});

Deno.test("weekly buckets run Monday to Sunday (pandas 'W'), monthly and yearly are calendar ones (UTC)", () => {
  const sun = bucketKey(t("2024-01-07T23:00:00"), "W");
  assert.equal(bucketKey(t("2024-01-01T00:00:00"), "W"), sun);
  assert.equal(bucketKey(t("2024-01-08T00:00:00"), "W"), sun + 1);
  assert.equal(bucketKey(t("2024-01-31T23:59:59"), "ME"), bucketKey(t("2024-01-01T00:00:00"), "ME"));
  assert.equal(bucketKey(t("2024-02-01T00:00:00"), "ME"), bucketKey(t("2024-01-31T00:00:00"), "ME") + 1);
  assert.equal(bucketKey(t("2024-12-31T12:00:00"), "YE"), 2024);
});

Deno.test("periodReturns takes each bucket's last equity", () => {
  const ts = [t("2024-01-01T10:00:00"), t("2024-01-01T20:00:00"), t("2024-01-02T10:00:00"), t("2024-01-03T10:00:00")];
  assert.deepEqual(periodReturns(ts, [1, 2, 3, 6], "D"), [0.5, 1]);
  // 0 → 0 is NaN and dropped; x → 0 is −1 and kept.
  assert.deepEqual(periodReturns([0, DAY, 2 * DAY, 3 * DAY], [5, 0, 0, 0], "D"), [-1]);
});

Deno.test("ceilToResolution rounds up to the bar period's smallest unit", () => {
  assert.equal(ceilToResolution(DAY + 1, DAY), 2 * DAY);
  assert.equal(ceilToResolution(3 * DAY, DAY), 3 * DAY);
  assert.equal(ceilToResolution(DAY + 90 * 60_000, HOUR), DAY + 2 * HOUR);
  assert.equal(ceilToResolution(1500, 60_000 + 500), 1500); // a ms resolution
  assert.ok(Number.isNaN(ceilToResolution(NaN, DAY)));
});
