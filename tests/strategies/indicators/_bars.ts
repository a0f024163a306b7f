/** Deterministic synthetic OHLCV bars for property tests: a random walk with a real high/low range. */
import { seededRandom } from "../../../actors/runtime/random.ts";

export interface Bars {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  time: Float64Array;
}

export function randomBars(n: number, seed = 42, start = 100): Bars {
  const rnd = seededRandom(seed);
  const b: Bars = {
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    time: new Float64Array(n),
  };
  let price = start;
  for (let i = 0; i < n; i++) {
    const open = price;
    price = Math.max(1, price + (rnd() - 0.5) * 2);
    b.close[i] = price;
    b.high[i] = Math.max(open, price) + rnd();
    b.low[i] = Math.min(open, price) - rnd();
    b.volume[i] = Math.floor(rnd() * 1000) + 1;
    b.time[i] = Date.UTC(2024, 0, 1) + i * 3_600_000; // hourly, so sessions span several UTC days
  }
  return b;
}
