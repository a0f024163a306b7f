// Numbers and times written straight into a byte buffer, as the CSV files spell them: the same text as `String(x)`
// and `Date.toISOString`, without building a string per cell and encoding it (most of a long run's CSV time).

const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i); // 10^0..10^22: every one exact in a double
// Dekker's split of each power of ten (hi + lo, 26 bits each), for exact products a·10^k.
const SPLIT = 134217729; // 2^27 + 1
const POW10_HI = POW10.map((p) => SPLIT * p - (SPLIT * p - p));
const POW10_LO = POW10.map((p, k) => p - POW10_HI[k]);
// 2^j for j = -80..0 by halving (exact): a half ulp of a double from its exponent.
const POW2_NEG = Float64Array.from({ length: 81 }, (_, j) => 1 / 2 ** j);
const TWO53 = 2 ** 53;
const LOG10_2 = 0.30102999566398114; // a shade below log10(2), so exponent estimates never come out too high
// The arithmetic below is exact but for one rounding (< 2^-53 absolute): decisions closer than this go to String(x).
const MARGIN = 2 ** -40;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer); // little-endian: words[1] holds sign, exponent and the mantissa's top

/** Writes `s` (ASCII only) at `pos`; returns the position after it. */
export function writeAscii(out: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

// 10^0..10^9 as int32s: % by them stays an integer instruction.
const POW10_INT = Int32Array.from({ length: 10 }, (_, i) => 10 ** i);

/**
 * Writes `String(x)` at `pos` (at most 25 bytes) and returns the position after it. ECMAScript's Number::toString
 * picks the fewest digits that read back as x, and among those the closest. For 1e-6 ≤ |x| < 2^53: P = |x|·10^K,
 * K for 17 significant digits (which always read back), is computed exactly (Dekker's product) and m is the integer
 * nearest P; then j more digits can go while P lies within half an ulp of x (times 10^K) of a multiple of 10^j, the
 * nearest multiple giving the digits. That is integer arithmetic on m but for one rounding in P − m: a case closer
 * than MARGIN to a boundary, a tie, a power of two (its lower neighbour is nearer) or a magnitude printed with an
 * exponent goes to String(x) — the same text, only slower.
 */
export function writeShortest(out: Uint8Array, pos: number, x: number): number {
  const a = x < 0 ? -x : x;
  if (!(a >= 1e-6 && a < TWO53)) return writeAscii(out, pos, String(x));
  if (a < 1e8 && a === Math.floor(a)) {
    // An integer (sizes, bar numbers, round prices): its digits as they are.
    if (x < 0) out[pos++] = 45;
    const end = pos + digitCount(a);
    putDigits(out, end, a | 0);
    return end;
  }
  bits[0] = a;
  const top = words[1];
  if ((top & 0xfffff) === 0 && words[0] === 0) return writeAscii(out, pos, String(x)); // a power of two
  const e2 = (top >>> 20) - 1023; // a = 1.f × 2^e2
  const half = POW2_NEG[53 - e2]; // half an ulp: 2^(e2 − 53); e2 ≥ −20 here
  // K from the binary exponent: never too small (P ≥ 10^16), 1..22 here; an 18th digit is only one more to drop.
  const K = Math.min(22, 16 - Math.floor(e2 * LOG10_2));
  const c = SPLIT * a, aHi = c - (c - a), aLo = a - aHi;
  const p = a * POW10[K], tHi = POW10_HI[K], tLo = POW10_LO[K];
  const e = ((aHi * tHi - p) + aHi * tLo + aLo * tHi) + aLo * tLo; // P = p + e exactly
  const base = p < TWO53 ? Math.floor(p + 0.5) : p; // a double ≥ 2^53 is an integer
  let d = (p - base) + e; // P − base
  const step = Math.floor(d + 0.5);
  d -= step; // P − m, |d| ≤ 1/2
  const t = half * POW10[K]; // exact: a power of two times 10^K
  const d0 = d < 0 ? -d : d;
  if (!(d0 < t - MARGIN) || (t > 0.5 - MARGIN && d0 >= 0.5 - MARGIN)) return writeAscii(out, pos, String(x));
  // m = base + step in 8-digit parts h, mi, l.
  let high = 0, rest = base;
  if (base >= 1e16) {
    high = Math.floor(base * 1e-16); // may be one off: corrected below
    rest = base - high * 1e16; // exact: high ≤ 100 and 1e16 = 2^16 × 5^16
  }
  let mid = Math.floor(rest * 1e-8);
  let low = rest - mid * 1e8 + step;
  while (low < 0) {
    low += 1e8;
    mid--;
  }
  while (low >= 1e8) {
    low -= 1e8;
    mid++;
  }
  while (mid < 0) {
    mid += 1e8;
    high--;
  }
  while (mid >= 1e8) {
    mid -= 1e8;
    high++;
  }
  // int32 from here: % on doubles is a call into C, on int32 an instruction.
  let h = high | 0, mi = mid | 0, l = low | 0;
  if (h < 0) return writeAscii(out, pos, String(x));
  // Drop digits while P stays close enough to a multiple of 10^j: r = m mod 10^j, P is r + d above one multiple and
  // 10^j − r − d below the next. Past 2^53 r is inexact, but only where it is far too large to matter.
  let drop = 0, up = false, lo = 1, hi = K;
  // One digit at a time for the first two (noisy values, most equity, stop there), then by halves: can j go?
  for (let tries = 0; lo <= hi; tries++) {
    const j = tries < 2 ? lo : (lo + hi) >> 1;
    const r = j <= 8
      ? l % POW10_INT[j]
      : j <= 16
      ? (mi % POW10_INT[j - 8]) * 1e8 + l
      : (h % POW10_INT[j - 16]) * 1e16 + mi * 1e8 + l;
    const above = r + d, dBelow = above < 0 ? -above : above, dAbove = POW10[j] - r - d;
    const dist = dBelow < dAbove ? dBelow : dAbove;
    if (dist > t + MARGIN) {
      if (tries < 2) break;
      hi = j - 1;
      continue;
    }
    if (dist >= t - MARGIN || Math.abs(dBelow - dAbove) <= MARGIN) return writeAscii(out, pos, String(x));
    drop = j;
    up = dAbove < dBelow;
    lo = j + 1;
  }
  if (drop > 0) {
    // m to its nearest multiple of 10^drop: the dropped digits become zeros, which are not written.
    if (drop <= 8) {
      const unit = POW10_INT[drop];
      l -= l % unit;
      if (up) l += unit;
    } else if (drop <= 16) {
      const unit = POW10_INT[drop - 8];
      l = 0;
      mi -= mi % unit;
      if (up) mi += unit;
    } else {
      const unit = POW10_INT[drop - 16];
      l = mi = 0;
      h -= h % unit;
      if (up) h += unit;
    }
    if (l >= 1e8) {
      l -= 1e8;
      mi++;
    }
    if (mi >= 1e8) {
      mi -= 1e8;
      h++;
    }
  }
  const end = writeDecimal(out, pos, x < 0, h, mi, l, K) - drop;
  if (drop === K) return end - 1; // an integer: no "."
  if (out[end - 1] === 48) return writeAscii(out, pos, String(x)); // a trailing 0: cannot happen, as it would drop
  return end;
}

// Two ASCII digits per number 0..99.
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : ((i >> 1) / 10) | 0));

/**
 * Writes the 8 digits of v (int, < 1e8) ending before `end`. Split 4 + 4 and into pairs so the steps run side by
 * side rather than one digit after another. v·1e-4 and v·0.01 truncate exactly for v < 2^31 (both constants round
 * up), which spares the divisions.
 */
function put8(out: Uint8Array, end: number, v: number): void {
  const hi = (v * 1e-4) | 0, lo = v - hi * 10000;
  const a = (hi * 0.01) | 0, b = hi - a * 100, c = (lo * 0.01) | 0, d = lo - c * 100;
  out[end - 1] = PAIRS[2 * d + 1];
  out[end - 2] = PAIRS[2 * d];
  out[end - 3] = PAIRS[2 * c + 1];
  out[end - 4] = PAIRS[2 * c];
  out[end - 5] = PAIRS[2 * b + 1];
  out[end - 6] = PAIRS[2 * b];
  out[end - 7] = PAIRS[2 * a + 1];
  out[end - 8] = PAIRS[2 * a];
}

/** Writes the digits of v (int, > 0) ending before `end`, no leading zeros. */
function putDigits(out: Uint8Array, end: number, v: number): void {
  while (v >= 100) {
    const q = (v * 0.01) | 0;
    const r = v - q * 100;
    v = q;
    out[--end] = PAIRS[2 * r + 1];
    out[--end] = PAIRS[2 * r];
  }
  if (v >= 10) {
    out[end - 1] = PAIRS[2 * v + 1];
    out[end - 2] = PAIRS[2 * v];
  } else out[end - 1] = 48 + v;
}

/** Number of decimal digits of v (int, > 0). */
function digitCount(v: number): number {
  return v < 1e4
    ? (v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : 4)
    : v < 1e6
    ? (v < 1e5 ? 5 : 6)
    : v < 1e7
    ? 7
    : v < 1e8
    ? 8
    : v < 1e9
    ? 9
    : 10;
}

/** Writes m / 10^k, m = h·10^16 + m·10^8 + l (> 0, int parts), with k decimals ("0." and zeros when below 1). */
function writeDecimal(out: Uint8Array, pos: number, negative: boolean, h: number, m: number, l: number, k: number) {
  const count = h > 0 ? 16 + digitCount(h) : m > 0 ? 8 + digitCount(m) : digitCount(l);
  if (negative) out[pos++] = 45; // "-"
  // The digits go where they end up: after "0." and zeros when below 1, else one place right, the integer part
  // then moving back over it to make room for the ".".
  const below1 = count <= k;
  const start = below1 ? pos + 2 + k - count : pos + 1;
  const end = start + count;
  if (h > 0) {
    put8(out, end, l);
    put8(out, end - 8, m);
    putDigits(out, end - 16, h);
  } else if (m > 0) {
    put8(out, end, l);
    putDigits(out, end - 8, m);
  } else putDigits(out, end, l);
  if (below1) {
    out[pos] = 48; // "0"
    out[pos + 1] = 46; // "."
    for (let i = pos + 2; i < start; i++) out[i] = 48;
    return end;
  }
  const point = pos + count - k; // the integer part's digits move back one place; the "." goes after them
  for (let i = pos; i < point; i++) out[i] = out[i + 1];
  if (k === 0) return end - 1;
  out[point] = 46;
  return end;
}

/** A CSV number cell: `String(x)`, "0" for −0, nothing for NaN and ±Infinity. At most 25 bytes. */
export function writeNumberCell(out: Uint8Array, pos: number, x: number): number {
  if (x === 0) {
    out[pos] = 48;
    return pos + 1;
  }
  if (x - x !== 0) return pos; // NaN, ±Infinity
  return writeShortest(out, pos, x);
}

const DAY_MS = 86_400_000;

/**
 * A writer of `new Date(ms).toISOString()` (nothing for a non-finite time) for a run of times: the date part is
 * formatted once per day and kept as bytes, the time of day written as digits.
 */
export function isoTimeWriter(): (out: Uint8Array, pos: number, ms: number) => number {
  let day = NaN, prefix = new Uint8Array(0);
  return (out, pos, ms) => {
    if (!(Math.abs(ms) <= 8.64e15)) return Number.isFinite(ms) ? writeAscii(out, pos, new Date(ms).toISOString()) : pos;
    ms = Math.trunc(ms); // as Date does
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      day = d;
      const s = new Date(d * DAY_MS).toISOString();
      prefix = new Uint8Array(s.length - 13); // through the "T"; 13 = "HH:MM:SS.mmmZ"
      writeAscii(prefix, 0, s);
    }
    for (let i = 0; i < prefix.length; i++) out[pos++] = prefix[i]; // a loop: `set` costs more for 11 bytes
    let t = (ms - d * DAY_MS) | 0; // int32 (< 86,400,000): % and / stay integer instructions
    const milli = t % 1000;
    t = (t / 1000) | 0;
    const sec = t % 60;
    t = (t / 60) | 0;
    const min = t % 60;
    const hour = (t / 60) | 0;
    out[pos] = 48 + ((hour / 10) | 0);
    out[pos + 1] = 48 + hour % 10;
    out[pos + 2] = 58; // ":"
    out[pos + 3] = 48 + ((min / 10) | 0);
    out[pos + 4] = 48 + min % 10;
    out[pos + 5] = 58;
    out[pos + 6] = 48 + ((sec / 10) | 0);
    out[pos + 7] = 48 + sec % 10;
    out[pos + 8] = 46; // "."
    out[pos + 9] = 48 + ((milli / 100) | 0);
    out[pos + 10] = 48 + ((milli / 10) | 0) % 10;
    out[pos + 11] = 48 + milli % 10;
    out[pos + 12] = 90; // "Z"
    return pos + 13;
  };
}
