// The CSV writers' byte formatting against the strings it replaces: String(x) for numbers, Date.toISOString for
// times, over millions of random values of the shapes a backtest produces and the edges where shortcuts break.
import assert from "node:assert/strict";
import { isoTimeWriter, writeNumberCell, writeShortest } from "../../../backtest/report/decimal.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";

const decoder = new TextDecoder();
const out = new Uint8Array(64);

/** The old cell: String(x), "0" for −0, "" for NaN and ±Infinity. */
function oldNum(x: number): string {
  return Number.isFinite(x) ? String(x === 0 ? 0 : x) : "";
}

function check(x: number): void {
  const got = decoder.decode(out.subarray(0, writeNumberCell(out, 0, x)));
  if (got !== oldNum(x)) assert.fail(`writeNumberCell(${String(x)}) wrote "${got}", String gives "${oldNum(x)}"`);
}

const bits = new Float64Array(1), words = new Uint32Array(bits.buffer);
/** The next double up (toward +Infinity) from a finite positive x. */
function nextUp(x: number): number {
  bits[0] = x;
  if (words[0] === 0xffffffff) {
    words[0] = 0;
    words[1]++;
  } else words[0]++;
  return bits[0];
}
function nextDown(x: number): number {
  bits[0] = x;
  if (words[0] === 0) {
    words[0] = 0xffffffff;
    words[1]--;
  } else words[0]--;
  return bits[0];
}

Deno.test("writeNumberCell writes String(x) for random doubles of every magnitude and sign", () => {
  const random = seededRandom(1);
  for (let i = 0; i < 1_000_000; i++) {
    // Random bits: every exponent, every mantissa.
    words[0] = (random() * 2 ** 32) >>> 0;
    words[1] = (random() * 2 ** 32) >>> 0;
    check(bits[0]);
    // Random magnitudes around the fast path's range (1e-8 .. 1e17).
    const x = (random() - 0.5) * 10 ** (random() * 25 - 8);
    check(x);
  }
});

Deno.test("writeNumberCell writes String(x) for equity-like walks, drawdowns, prices and P&L", () => {
  const random = seededRandom(2);
  let equity = 10_000, peak = equity;
  for (let i = 0; i < 1_000_000; i++) {
    // Cash plus a position marked at 4-decimal prices: float noise in the last digits, as a real run has.
    const price = Math.round((50 + random() * 300) * 1e4) / 1e4;
    equity += Math.round((random() - 0.5) * 200) *
      (price - Math.round(price * 1e4 * (1 + (random() - 0.5) / 100)) / 1e4);
    if (equity > peak) peak = equity;
    check(equity);
    check(1 - equity / peak);
    check(price);
    check(-price * 37);
    check((price - 100) / 100);
  }
});

Deno.test("writeNumberCell writes String(x) near short decimals, powers of two and ten, integers and the edges", () => {
  const random = seededRandom(3);
  const xs: number[] = [
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    1,
    -1,
    0.1,
    0.2,
    0.3,
    1e-6,
    1e-7,
    9.999999999999999e-7,
    1e21,
    1e22,
  ];
  xs.push(2 ** 53, 2 ** 53 - 1, 2 ** 53 + 2, 2 ** 52, 2 ** 52 + 0.5, Number.MAX_VALUE, Number.MIN_VALUE, 5e-324);
  for (let e = -30; e <= 60; e++) xs.push(2 ** e, 10 ** (e / 3));
  for (let e = -8; e <= 22; e++) xs.push(10 ** e, Number(`1e${e}`), Number(`9.999999999999999e${e}`));
  for (let i = 0; i < 300_000; i++) {
    // Short decimals (1..17 digits at any scale) and their neighbours one ulp either side.
    const digits = 1 + Math.floor(random() * 17);
    const m = Math.floor(random() * 10 ** digits);
    const v = Number(`${m}e${Math.floor(random() * 30) - 14}`);
    xs.push(v, -v);
    if (v > 0 && Number.isFinite(v)) xs.push(nextUp(v), nextDown(v), nextUp(nextUp(v)), nextDown(nextDown(v)));
    xs.push(Math.floor(random() * 2 ** 53), Math.floor(random() * 1e6), (Math.floor(random() * 1e6) + 0.5) / 1e3);
  }
  for (const x of xs) check(x);
});

Deno.test("writeShortest falls back cleanly outside its range (same text)", () => {
  for (const x of [1e-7, 123e-9, 2 ** 53, 1e300, -1e-300, 5e-324]) {
    assert.equal(decoder.decode(out.subarray(0, writeShortest(out, 0, x))), String(x));
  }
});

/** The old formatter of equity.csv and trades.csv. */
function oldIso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "";
}

Deno.test("isoTimeWriter writes Date.toISOString for bar runs, random times, odd and invalid times", () => {
  const random = seededRandom(4);
  const time = isoTimeWriter();
  const checkTime = (ms: number) => {
    // No such date: both throw (as equityCsv does).
    if (Math.abs(Math.trunc(ms)) > 8.64e15 && Number.isFinite(ms)) {
      return assert.throws(() => time(out, 0, ms), RangeError);
    }
    const got = decoder.decode(out.subarray(0, time(out, 0, ms)));
    if (got !== oldIso(ms)) assert.fail(`isoTimeWriter(${ms}) wrote "${got}", toISOString gives "${oldIso(ms)}"`);
  };
  let t = Date.UTC(2020, 0, 1);
  for (let i = 0; i < 300_000; i++) {
    t += [60_000, 1000, 1, 3_600_000, 86_400_000, 7 * 86_400_000][Math.floor(random() * 6)];
    checkTime(t);
    checkTime((random() - 0.5) * 2 * 8.64e15); // any valid time, fractional ms too
    checkTime(-Math.floor(random() * 1e12)); // before 1970
  }
  for (const ms of [0, -0, -1, 0.5, -0.5, 8.64e15, -8.64e15, 8.64e15 + 1, NaN, Infinity, -Infinity]) checkTime(ms);
  for (const year of [-271821, -1, 0, 1, 999, 1000, 9999, 10000, 275760]) {
    const ms = Date.UTC(year, 3, 20, 13, 14, 15, 16);
    if (Number.isFinite(ms)) checkTime(ms);
  }
});

Deno.test("writeShortest answers equity-like values itself: String(x) is its fallback, not its method", () => {
  const random = seededRandom(5);
  const original = globalThis.String;
  let calls = 0;
  globalThis.String = Object.assign((x: unknown) => (calls++, original(x)), original) as StringConstructor;
  let equity = 10_000, n = 0;
  try {
    for (let i = 0; i < 100_000; i++) {
      equity *= 1 + (random() - 0.5) / 100;
      writeShortest(out, 0, equity);
      writeShortest(out, 0, Math.round(equity * 100) / 100);
      n += 2;
    }
  } finally {
    globalThis.String = original;
  }
  assert.ok(calls < n / 1000, `${calls} of ${n} values fell back to String`);
});
