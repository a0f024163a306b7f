import assert from "node:assert/strict";
import { DataError, parseCsv, parseJsonCandles } from "../../../storage/bars/mod.ts";

const csv = (body: string, header = ",Open,High,Low,Close,Volume") =>
  parseCsv(`${header}\n2004-08-19,100,104.06,95.96,100.34,22351900\n${body}`, {
    symbol: "GOOG",
    timeframe: "1d",
    file: "GOOG.csv",
  });

/** Asserts the exact message, and that the fields carry the same location. */
function rejects(fn: () => unknown, message: string, fields: Partial<DataError> = {}) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DataError, String(e));
    assert.ok(e instanceof Error);
    assert.equal(e.message, message);
    for (const [k, v] of Object.entries(fields)) assert.equal(e[k as keyof DataError], v, k);
    return;
  }
  assert.fail("expected a DataError");
}

Deno.test("csv error: high below low, with file, line, column and reason fields", () => {
  rejects(
    () => csv("2004-08-20,101,101.2,102.5,101,100\n"),
    'GOOG.csv line 3, column "High": high 101.2 is below low 102.5',
    {
      file: "GOOG.csv",
      line: 3,
      column: "High",
      unit: "line",
      reason: "high 101.2 is below low 102.5",
      name: "DataError",
    },
  );
});

Deno.test("csv error: open or close outside [low, high]", () => {
  rejects(
    () => csv("2004-08-20,99,104,100,101,1\n"),
    'GOOG.csv line 3, column "Open": open 99 is outside [low 100, high 104]',
  );
  rejects(
    () => csv("2004-08-20,101,104,100,105,1\n"),
    'GOOG.csv line 3, column "Close": close 105 is outside [low 100, high 104]',
  );
});

Deno.test("csv error: unparsable number, empty value, unparsable date and time", () => {
  rejects(() => csv("2004-08-20,101,1O4,100,101,1\n"), 'GOOG.csv line 3, column "High": cannot parse number "1O4"');
  rejects(() => csv("2004-08-20,101,104,,101,1\n"), 'GOOG.csv line 3, column "Low": value is empty');
  rejects(
    () => csv("2004-08-20,101,104,100,101,null\n"),
    'GOOG.csv line 3, column "Volume": cannot parse number "null"',
  );
  rejects(() => csv("2004-02-30,101,104,100,101,1\n"), 'GOOG.csv line 3, column "#1": cannot parse date "2004-02-30"');
  rejects(
    () =>
      parseCsv("Date,Time,Open,High,Low,Close\n2006-01-02,25:00,1,1,1,1\n", {
        symbol: "X",
        timeframe: "5m",
        file: "m5.txt",
      }),
    'm5.txt line 2, column "Time": cannot parse time "25:00"',
  );
});

Deno.test("csv error: wrong column count", () => {
  rejects(() => csv("2004-08-20,101,104,100,101\n"), "GOOG.csv line 3: expected 6 columns, found 5", {
    column: undefined,
  });
  rejects(() => csv("2004-08-20,101,104,100,101,1,7\n"), "GOOG.csv line 3: expected 6 columns, found 7");
});

Deno.test("csv error: non-positive, NaN and infinite prices", () => {
  rejects(() => csv("2004-08-20,0,104,100,101,1\n"), 'GOOG.csv line 3, column "Open": open 0 is not positive');
  rejects(() => csv("2004-08-20,101,104,-100,101,1\n"), 'GOOG.csv line 3, column "Low": low -100 is not positive');
  rejects(
    () => csv("2004-08-20,101,104,100,NaN,1\n"),
    'GOOG.csv line 3, column "Close": close NaN is not a finite number',
  );
  rejects(
    () => csv("2004-08-20,101,Infinity,100,101,1\n"),
    'GOOG.csv line 3, column "High": high Infinity is not a finite number',
  );
  rejects(
    () => csv("2004-08-20,101,104,100,101,inf\n"),
    'GOOG.csv line 3, column "Volume": volume Infinity is not a finite number',
  );
});

Deno.test("csv error: negative volume", () => {
  rejects(() => csv("2004-08-20,101,104,100,101,-5\n"), 'GOOG.csv line 3, column "Volume": volume -5 is negative');
});

Deno.test("csv error: duplicate and out-of-order timestamps name the earlier line", () => {
  rejects(
    () => csv("2004-08-19,101,104,100,101,1\n"),
    'GOOG.csv line 3, column "#1": duplicate timestamp 2004-08-19 (same as line 2)',
  );
  rejects(
    () => csv("2004-08-20,101,104,100,101,1\n2004-08-18,101,104,100,101,1\n"),
    'GOOG.csv line 4, column "#1": timestamp 2004-08-18 is before 2004-08-20 at line 3',
  );
  rejects(
    () =>
      parseCsv("Date,Time,Open,High,Low,Close\n2006-01-02,09:05:00,1,1,1,1\n2006-01-02,09:00:00,1,1,1,1\n", {
        symbol: "X",
        timeframe: "5m",
        file: "m5.txt",
      }),
    'm5.txt line 3, column "Date": timestamp 2006-01-02T09:00:00Z is before 2006-01-02T09:05:00Z at line 2',
  );
});

Deno.test("csv error: empty file, header only, missing column", () => {
  const o = { symbol: "X", timeframe: "1d", file: "x.csv" } as const;
  rejects(() => parseCsv("", o), "x.csv: file is empty", {
    line: undefined,
    column: undefined,
    reason: "file is empty",
  });
  rejects(() => parseCsv("\uFEFF\n \r\n", o), "x.csv: file is empty");
  rejects(() => parseCsv("date,open,high,low,close\n\n", o), "x.csv: no bars after the header");
  rejects(
    () => parseCsv("date,open,low,close\n2024-01-01,1,1,1\n", o),
    'x.csv line 1: missing column "high" in header "date,open,low,close"',
  );
  rejects(
    () => parseCsv("foo,open,high,low,close\n2024-01-01,1,1,1,1\n", o),
    'x.csv line 1: missing column "date" in header "foo,open,high,low,close"',
  );
});

const json = (text: string) => parseJsonCandles(text, { symbol: "ADA/BTC", timeframe: "5m", file: "ADA_BTC-5m.json" });
const C1 = "[1515560100000, 5.33e-05, 5.33e-05, 5.288e-05, 5.29e-05, 431401.9]";

Deno.test("json error: located by candle index (1-based), and says so", () => {
  rejects(
    () => json(`[${C1}, [1515560400000, 5.29e-05, 5.2e-05, 5.269e-05, 5.27e-05, 1]]`),
    'ADA_BTC-5m.json candle 2, column "high": high 0.000052 is below low 0.00005269',
    { line: 2, unit: "candle", column: "high" },
  );
  rejects(
    () => json(`[${C1}, [1515560400000, 5.29e-05, 5.3e-05, 5.2e-05, 6e-05, 1]]`),
    'ADA_BTC-5m.json candle 2, column "close": close 0.00006 is outside [low 0.000052, high 0.000053]',
  );
});

Deno.test("json error: each rule", () => {
  rejects(
    () => json(`[${C1}, [1515560400000, 0, 1, 1, 1, 1]]`),
    'ADA_BTC-5m.json candle 2, column "open": open 0 is not positive',
  );
  rejects(
    () => json(`[${C1}, [1515560400000, 1, 1e999, 1, 1, 1]]`),
    'ADA_BTC-5m.json candle 2, column "high": high Infinity is not a finite number',
  );
  rejects(
    () => json(`[${C1}, [1515560400000, 1, 1, 1, 1, -1]]`),
    'ADA_BTC-5m.json candle 2, column "volume": volume -1 is negative',
  );
  rejects(
    () => json(`[${C1}, [1515560400000, 1, "1", 1, 1, 1]]`),
    'ADA_BTC-5m.json candle 2, column "high": expected a number, found "1"',
  );
  rejects(
    () => json(`[${C1}, [1515560400000, 1, null, 1, 1, 1]]`),
    'ADA_BTC-5m.json candle 2, column "high": expected a number, found null',
  );
  rejects(
    () => json(`[${C1}, [1515560400000, 1, 1, 1]]`),
    "ADA_BTC-5m.json candle 2: expected [timestamp, open, high, low, close, volume], found 4 values",
  );
  rejects(
    () => json(`[${C1}, {"t": 1}]`),
    'ADA_BTC-5m.json candle 2: expected [timestamp, open, high, low, close, volume], found {"t":1}',
  );
  rejects(
    () => json(`[${C1}, ${C1}]`),
    'ADA_BTC-5m.json candle 2, column "timestamp": duplicate timestamp 2018-01-10T04:55:00Z (same as candle 1)',
  );
  rejects(
    () => json(`[${C1}, [1515559800000, 1, 1, 1, 1, 1]]`),
    'ADA_BTC-5m.json candle 2, column "timestamp": timestamp 2018-01-10T04:50:00Z is before 2018-01-10T04:55:00Z at candle 1',
  );
});

Deno.test("json error: whole-file problems", () => {
  rejects(() => json(" \n"), "ADA_BTC-5m.json: file is empty");
  rejects(() => json("[]"), "ADA_BTC-5m.json: no candles");
  rejects(() => json('{"candles": []}'), "ADA_BTC-5m.json: expected a JSON array of candles");
  assert.throws(
    () => json("[[1, 2"),
    (e: unknown) => e instanceof DataError && e.message.startsWith("ADA_BTC-5m.json: not valid JSON: "),
  );
});

Deno.test("json: volume may be left out, epoch seconds are accepted", () => {
  const s = json("[[1515560100, 1, 2, 0.5, 1.5]]");
  assert.equal(s.ts[0], 1515560100000);
  assert.equal(s.volume[0], 0);
});

Deno.test("csv and json error: a price above the sanity limit is refused, named, and the limit can be raised", () => {
  rejects(
    () => csv("2004-08-20,101,1e308,100,1e308,1\n"),
    'GOOG.csv line 3, column "High": high 1e+308 is above the price limit 1000000000000 (raise it with --max-price)',
  );
  const raised = parseCsv(",Open,High,Low,Close,Volume\n2004-08-19,2e12,3e12,1e12,2.5e12,1\n", {
    symbol: "X",
    timeframe: "1d",
    maxPrice: 1e13,
  });
  assert.equal(raised.close[0], 2.5e12);
  const lowered = { symbol: "X", timeframe: "1d", file: "x.json", maxPrice: 50 } as const;
  rejects(
    () => parseJsonCandles("[[1e12,40,60,30,50,1]]", lowered),
    `x.json candle 1, column "high": high 60 is above the price limit 50 (raise it with --max-price)`,
    { line: 1, column: "high", unit: "candle" },
  );
});

Deno.test("csv error: a quoted field that is not closed, or text after the closing quote", () => {
  rejects(
    () => csv('2004-08-20,"101,104,100,101,1\n'),
    'GOOG.csv line 3: a quoted field is not closed: "101,104,100,101,1',
  );
  rejects(
    () => csv('2004-08-20,"101"x,104,100,101,1\n'),
    'GOOG.csv line 3: text after the closing quote in "101"x',
  );
  rejects(() => csv('2004-08-20,"abc",104,100,101,1\n'), 'GOOG.csv line 3, column "Open": cannot parse number "abc"');
});
