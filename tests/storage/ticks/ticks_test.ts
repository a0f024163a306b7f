import assert from "node:assert/strict";
import { parseTicksCsv, parseTicksJson, ticksToBars } from "../../../storage/ticks/mod.ts";
import { DataError } from "../../../storage/bars/mod.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";

const opts = { symbol: "BTC" };

Deno.test("ticks CSV: trades with sides, ISO and epoch times, several in one millisecond", () => {
  const t = parseTicksCsv(
    "Timestamp,Price,Qty,Side\n2024-01-01T00:00:00.250Z,100.5,2,buy\n1704067200250,100.25,1,s\n\n1704067201,101,0.5,\n",
    "t.csv",
    opts,
  );
  assert.equal(t.kind, "trade");
  assert.equal(t.length, 3);
  assert.deepEqual(Array.from(t.ts), [1704067200250, 1704067200250, 1704067201000]);
  assert.deepEqual(Array.from(t.price), [100.5, 100.25, 101]);
  assert.deepEqual(Array.from(t.size), [2, 1, 0.5]);
  assert.deepEqual(Array.from(t.side), [1, -1, 0]);
  assert.ok(Number.isNaN(t.bid[0]));
});

Deno.test("ticks CSV: quotes; price is the mid, size 0", () => {
  const q = parseTicksCsv("time,bid,ask,bid_size,ask_size\n2024-01-01 00:00:01,99,101,3,4\n", "q.csv", opts);
  assert.equal(q.kind, "quote");
  assert.equal(q.price[0], 100);
  assert.equal(q.size[0], 0);
  assert.deepEqual([q.bid[0], q.ask[0], q.bidSize[0], q.askSize[0]], [99, 101, 3, 4]);
});

Deno.test("ticks JSON: arrays and objects, trades and quotes", () => {
  const a = parseTicksJson('[[1704067200000, 10, 1, "buy"], [1704067200001, 11, 2]]', "a.json", opts);
  assert.equal(a.kind, "trade");
  assert.deepEqual(Array.from(a.side), [1, 0]);
  const q = parseTicksJson("[[1704067200000, 9, 10, 1, 2]]", "q.json", opts);
  assert.equal(q.kind, "quote");
  assert.equal(q.price[0], 9.5);
  const o = parseTicksJson('[{"ts": "2024-01-01T00:00:00Z", "price": 5, "size": 1, "side": "sell"}]', "o.json", opts);
  assert.deepEqual([o.ts[0], o.price[0], o.side[0]], [1704067200000, 5, -1]);
});

Deno.test("ticks: bad input gets a located error that says what is wrong", () => {
  const cases: [string, string, RegExp][] = [
    ["ts,price,size\n2024-01-01,abc,1\n", "t.csv", /t\.csv line 2, column "price": price is not a number/],
    ["ts,price,size\n2024-01-01,-1,1\n", "t.csv", /line 2, column "price": price -1 is not positive/],
    ["ts,price,size\n2024-01-02,1,1\n2024-01-01,1,1\n", "t.csv", /line 3, column "ts": time goes back/],
    ["ts,price,size\nsoon,1,1\n", "t.csv", /line 2, column "ts": not a date\/time or epoch/],
    ["ts,price,size,side\n2024-01-01,1,1,up\n", "t.csv", /column "side": side must be buy, sell/],
    ["ts,bid,ask\n2024-01-01,2,1\n", "q.csv", /line 2, column "ask": crossed quote: bid 2 is above ask 1/],
    ["open,high\n1,2\n", "x.csv", /x\.csv line 1: not a tick file/],
    ["ts,price\n2024-01-01,1\n", "x.csv", /needs a size column/],
    ["ts,price,size\n2024-01-01,1e13,1\n", "t.csv", /above the largest plausible price/],
    ["ts,price,size\n2024-01-01,1,NaN\n", "t.csv", /column "size": size NaN is not a size ≥ 0/],
    ["", "e.csv", /e\.csv: empty file/],
  ];
  for (const [text, file, want] of cases) {
    assert.throws(() => parseTicksCsv(text, file, opts), (err) => err instanceof DataError && want.test(err.message));
  }
  assert.throws(() => parseTicksJson("[[1, 2]]", "j.json", opts), /j\.json tick 1, column "ts": expected \[ts, price/);
  assert.throws(() => parseTicksJson("[[1704067200000, 10, 1], [1704067100000, 10, 1]]", "j.json", opts), /tick 2/);
  assert.throws(() => parseTicksJson("{", "j.json", opts), /j\.json: not valid JSON/);
  assert.throws(() => parseTicksJson("[]", "j.json", opts), /no ticks/);
});

Deno.test("ticks → bars: OHLCV per bucket equals a direct computation (random ticks, 20 seeds)", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rnd = seededRandom(seed);
    let t = Date.UTC(2024, 0, 1);
    let p = 100;
    let csv = "ts,price,size\n";
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 2_000; i++) {
      t += Math.floor(rnd() * (rnd() < 0.05 ? 600_000 : 20_000));
      p = Math.max(0.01, +(p + (rnd() - 0.5)).toFixed(2));
      const size = +(rnd() * 3).toFixed(3);
      rows.push([t, p, size]);
      csv += `${t},${p},${size}\n`;
    }
    const bars = ticksToBars(parseTicksCsv(csv, "r.csv", opts), "1m");
    const byBucket = new Map<number, [number, number, number][]>();
    for (const r of rows) {
      const b = Math.floor(r[0] / 60_000) * 60_000;
      byBucket.set(b, [...(byBucket.get(b) ?? []), r]);
    }
    assert.equal(bars.length, byBucket.size);
    let i = 0;
    for (const [b, list] of byBucket) {
      assert.equal(bars.ts[i], b);
      assert.equal(bars.open[i], list[0][1]);
      assert.equal(bars.close[i], list[list.length - 1][1]);
      assert.equal(bars.high[i], Math.max(...list.map((r) => r[1])));
      assert.equal(bars.low[i], Math.min(...list.map((r) => r[1])));
      assert.ok(Math.abs(bars.volume[i] - list.reduce((s, r) => s + r[2], 0)) < 1e-9);
      i++;
    }
  }
});
