// Numbers and times written straight into a byte buffer, as the CSV files spell them: the same text as `String(x)`
// and `Date.toISOString`, without building a string per cell and encoding it (most of a long run's CSV time).

/** Writes `s` (ASCII only) at `pos`; returns the position after it. */
export function writeAscii(out: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

/** A CSV number cell: `String(x)`, "0" for −0, nothing for NaN and ±Infinity. At most 25 bytes. */
export function writeNumberCell(out: Uint8Array, pos: number, x: number): number {
  if (x === 0) {
    out[pos] = 48;
    return pos + 1;
  }
  if (x - x !== 0) return pos; // NaN, ±Infinity
  return writeAscii(out, pos, String(x));
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
