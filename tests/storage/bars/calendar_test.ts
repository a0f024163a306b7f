import assert from "node:assert/strict";
import { expectedBetween } from "../../../storage/bars/mod.ts";
import { isNyseEarlyClose, isNyseHoliday, isNyseTradingDay } from "../../../storage/bars/calendar.ts";

const day = (iso: string) => Date.parse(`${iso}T00:00Z`) / 86_400_000;
const holidaysIn = (year: number) => {
  const out: string[] = [];
  for (let d = day(`${year}-01-01`); d < day(`${year + 1}-01-01`); d++) {
    if (isNyseHoliday(d)) out.push(new Date(d * 86_400_000).toISOString().slice(0, 10));
  }
  return out;
};

Deno.test("calendar: the NYSE's 2024 holidays, exactly", () => {
  assert.deepEqual(holidaysIn(2024), [
    "2024-01-01", // New Year's Day
    "2024-01-15", // Martin Luther King Jr. Day
    "2024-02-19", // Washington's Birthday
    "2024-03-29", // Good Friday
    "2024-05-27", // Memorial Day
    "2024-06-19", // Juneteenth
    "2024-07-04", // Independence Day
    "2024-09-02", // Labor Day
    "2024-11-28", // Thanksgiving
    "2024-12-25", // Christmas
  ]);
});

Deno.test("calendar: observed holidays, the unobserved Saturday New Year, closures and early closes", () => {
  assert.ok(isNyseHoliday(day("2021-07-05")), "Independence Day on a Sunday: Monday off");
  assert.ok(isNyseHoliday(day("2022-06-20")), "Juneteenth on a Sunday: Monday off");
  assert.ok(isNyseHoliday(day("2021-12-24")), "Christmas on a Saturday: Friday off");
  assert.ok(isNyseTradingDay(day("2021-12-31")), "New Year's Day 2022 on a Saturday: not observed");
  assert.ok(isNyseTradingDay(day("2021-06-18")), "no Juneteenth before 2022");
  assert.ok(isNyseTradingDay(day("1997-01-20")), "no MLK Day before 1998");
  for (const closed of ["2001-09-11", "2001-09-14", "2007-01-02", "2012-10-29", "2012-10-30", "2025-01-09"]) {
    assert.ok(isNyseHoliday(day(closed)), closed);
  }
  assert.ok(!isNyseTradingDay(day("2024-03-30")), "a Saturday");
  assert.deepEqual(
    ["2024-07-03", "2024-11-29", "2024-12-24", "2024-07-05"].map((d) => isNyseEarlyClose(day(d))),
    [true, true, true, false],
  );
});

Deno.test("calendar: bars expected between two bars, per calendar", () => {
  const t = (iso: string) => Date.parse(`${iso}Z`);
  const D = 86_400_000, M = 60_000;
  // Thursday before Good Friday to the Monday after: a holiday and a weekend for the NYSE, a break of 4 days that
  // 'sessions' tolerates, three missing days for 24x7.
  const thu = t("2024-03-28T00:00"), mon = t("2024-04-01T00:00");
  assert.deepEqual(
    (["nyse", "sessions", "24x7"] as const).map((c) => expectedBetween(c, thu, mon, D)),
    [0, 0, 3],
  );
  // Jitter under half a step is not a gap; intraday holes inside a day are, in every calendar.
  assert.equal(expectedBetween("24x7", t("2024-01-01T00:00"), t("2024-01-02T01:00"), D), 0);
  assert.equal(expectedBetween("nyse", t("2024-01-02T14:30"), t("2024-01-02T14:35"), M), 4);
  // Overnight is not a gap; a lost trading day is a whole session.
  assert.equal(expectedBetween("nyse", t("2024-01-02T20:59"), t("2024-01-03T14:30"), M), 0);
  assert.equal(expectedBetween("nyse", t("2024-01-02T20:59"), t("2024-01-04T14:30"), 5 * M), 78);
});
