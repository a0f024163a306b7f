import assert from "node:assert/strict";
import { candlesFromRows } from "../../../storage/market/columns.ts";
import { checkCandles, formatReport, issueCount } from "../../../storage/market/quality.ts";
import { resample } from "../../../storage/market/resample.ts";
import { inferTimeframe, parseCandleFile } from "../../../storage/market/import.ts";
import { findGaps } from "../../../storage/market/timeframe.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
/** A calm random-walk-free series: close oscillates by ±0.1%, so any real spike stands out. */
const calm = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const c = 100 * (1 + (i % 2 ? 0.001 : -0.001) * ((i % 5) + 1));
    return [T0 + i * MIN, c, c * 1.002, c * 0.998, c, 5];
  });

Deno.test("quality: a clean series has no problems", () => {
  const r = checkCandles("x", candlesFromRows(calm(500)), { timeframe: "1m" });
  assert.equal(issueCount(r), 0);
  assert.match(formatReport(r), /OK: no problems found/);
});

Deno.test("quality: each kind of problem is found and counted", () => {
  const rows = calm(500);
  rows[10][4] = NaN; // invalid
  rows[20][2] = 0; // non-positive high
  rows[30][3] = rows[30][2] + 1; // low above high
  rows[40][4] = 150; // spike: jumps and comes straight back
  rows[40][2] = 151;
  rows[61][0] = rows[60][0]; // duplicate timestamp
  rows.splice(100, 3); // 3 missing
  [rows[200], rows[201]] = [rows[201], rows[200]]; // out of order
  rows[300][0] += 1000; // misaligned
  const r = checkCandles("bad", candlesFromRows(rows), { timeframe: "1m" });
  assert.deepEqual(r.invalid.map((i) => i.index), [10, 20]);
  assert.deepEqual(r.inconsistent.map((i) => i.detail), [`high ${rows[30][2]} is below low ${rows[30][3]}`]);
  assert.deepEqual(r.duplicates.map((i) => i.index), [61]);
  assert.deepEqual(r.outOfOrder.map((i) => i.index), [201]);
  assert.deepEqual(r.misaligned.map((i) => i.index), [300]);
  assert.deepEqual(r.spikes.map((i) => i.ts), [rows[40][0]]);
  // 3 spliced out, 1 lost to the duplicate; the misaligned candle still fills its slot.
  assert.equal(r.missing, 4);
  const text = formatReport(r);
  for (const title of ["missing candles: 4", "invalid values: 2", "OHLC inconsistent: 1", "outlier spikes: 1"]) {
    assert.ok(text.includes(title), `${title} in\n${text}`);
  }
});

Deno.test("quality: a large move that stays is not a spike", () => {
  const rows = calm(200).map((r, i) => (i >= 100 ? r.map((v, k) => (k === 0 || k === 5 ? v : v * 1.3)) : r));
  assert.deepEqual(checkCandles("x", candlesFromRows(rows), { timeframe: "1m" }).spikes, []);
});

Deno.test("quality: weekend closures can be ignored; calendar months have no gaps between month ends", () => {
  const fri = Date.UTC(2024, 0, 5);
  const days = [fri - 86_400_000, fri, fri + 3 * 86_400_000].map((t) => [t, 1, 1, 1, 1, 1]);
  assert.equal(checkCandles("d", candlesFromRows(days), { timeframe: "1d" }).missing, 2);
  assert.equal(checkCandles("d", candlesFromRows(days), { timeframe: "1d", ignoreWeekends: true }).missing, 0);
  const monthEnds = [Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 29), Date.UTC(2024, 3, 30)];
  assert.deepEqual(findGaps(monthEnds, "1M"), [{
    start: Date.UTC(2024, 2, 1),
    end: Date.UTC(2024, 3, 30),
    missing: 1,
  }]);
});

Deno.test("resample: 1m to 5m, 1h and 1d keeps first open, extreme high/low, last close, summed volume", () => {
  const rows = Array.from({ length: 120 }, (_, i) => [T0 + i * MIN, 10 + i, 20 + i, 5 + i, 11 + i, 1]);
  const c = candlesFromRows(rows);
  const m5 = resample(c, "1m", "5m");
  assert.equal(m5.length, 24);
  assert.deepEqual([m5.ts[1], m5.open[1], m5.high[1], m5.low[1], m5.close[1], m5.volume[1]], [
    T0 + 5 * MIN,
    15,
    29,
    10,
    20,
    5,
  ]);
  const h1 = resample(c, "1m", "1h");
  assert.deepEqual([...h1.volume], [60, 60]);
  const partial = resample(candlesFromRows(rows.slice(30)), "1m", "1h", { completeOnly: true });
  assert.deepEqual([...partial.ts], [T0 + 60 * MIN]);
  assert.equal(resample(c, "1m", "1d").length, 1);
  assert.throws(() => resample(c, "5m", "3m"), /not a whole multiple/);
});

Deno.test("import: layouts, names and inferred timeframes", () => {
  const json = parseCandleFile("x/ETH_USDT-15m.json", `[[${T0},1,2,0.5,1.5,10]]`);
  assert.deepEqual([json.symbol, json.timeframe, json.format, json.candles.length], [
    "ETH/USDT",
    "15m",
    "json",
    1,
  ]);
  const csv = parseCandleFile(
    "AAPL.csv",
    ",Open,High,Low,Close,Volume\n2024-01-01 10:00,1,2,0.5,1.5,7\n2024-01-01 11:00:00,1,2,0.5,1.5,7\n",
  );
  assert.deepEqual([csv.symbol, csv.timeframe, csv.candles.ts[0]], ["AAPL", "1h", Date.UTC(2024, 0, 1, 10)]);
  assert.throws(() => inferTimeframe("f.csv", [0, 7 * MIN, 14 * MIN]), /7 minutes apart, which is no known timeframe/);
  assert.throws(() => parseCandleFile("f.parquet", ""), /unknown file type/);
  assert.throws(() => parseCandleFile("f.txt", ""), /Cannot import f\.txt: file is empty/);
  assert.throws(
    () => parseCandleFile("f.csv", "Date,O,H\n"),
    /Cannot import f\.csv line 1: missing column "open" in header "Date,O,H"/,
  );
  // Every layout goes through the one bar loader: a backtrader file with separate date and time columns.
  const bt = parseCandleFile(
    "m5.txt",
    "Date,Time,Open,High,Low,Close,Volume,OpenInterest\n2006-01-02,09:05:00,1,2,0.5,1.5,0,0\n2006-01-02,09:10:00,1,2,0.5,1.5,0,0\n",
  );
  assert.deepEqual([bt.symbol, bt.timeframe, bt.candles.length], ["m5", "5m", 2]);
});

Deno.test("quality: a price above the sanity limit is invalid (the importer then refuses the file)", () => {
  const rows = calm(50);
  rows[7][2] = 1e308; // high
  rows[7][4] = 1e308; // close
  const r = checkCandles("huge", candlesFromRows(rows), { timeframe: "1m" });
  assert.deepEqual(r.invalid.map((i) => [i.index, i.detail]), [[
    7,
    "high is 1e+308, above the price limit 1000000000000",
  ]]);
  const raised = checkCandles("huge", candlesFromRows(rows), { timeframe: "1m", maxPrice: Infinity });
  assert.equal(raised.invalid.length, 0);
});

Deno.test("import: read leniently by the one bar loader, so check reports every problem; quoted fields too", () => {
  const text = 'Date,Open,High,Low,Close,Volume\n2024-01-01 10:00,"1,001",1002,1000,1001,5\n' +
    "2024-01-01 09:00,1,2,0.5,NaN,5\n2024-01-01 11:00,-1,2,0.5,1.5,5\n\n2024-01-01 11:00,1,2,0.5,1.5,\n";
  const file = parseCandleFile("q.csv", text, { timeframe: "1h" });
  assert.deepEqual([...file.candles.open], [1001, 1, -1, 1]);
  assert.deepEqual([0, 1, 2, 3].map(file.placeOf), ["line 2", "line 3", "line 4", "line 6"]);
  const r = checkCandles("q", file.candles, { timeframe: "1h" });
  assert.deepEqual(r.invalid.map((i) => [file.placeOf(i.index), i.detail]), [
    ["line 3", "close is NaN"],
    ["line 4", "open is -1, not positive"],
    ["line 6", "volume is NaN"], // an empty value reads as NaN: reported, not a parse error
  ]);
  assert.deepEqual(r.outOfOrder.map((i) => file.placeOf(i.index)), ["line 3"]);
  assert.deepEqual(r.duplicates.map((i) => file.placeOf(i.index)), ["line 6"]);
});
