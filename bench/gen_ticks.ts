/**
 * Trade ticks made from real 1m candles (freqtrade's UNITTEST_BTC-1m by default): each candle becomes `perBar` prints
 * that start at its open, visit its high and low (in a seeded random order) and end at its close, so bars made from
 * the ticks give the candles back. Sizes split the candle's volume.
 * `deno run -A bench/gen_ticks.ts N OUT.csv [CANDLES.json]` writes at least N ticks (`ts,price,size,side`).
 */
import { dirname } from "node:path";
import { loadBars } from "../storage/bars/mod.ts";
import type { BarSeries } from "../actors/protocol/mod.ts";
import type { TickSeries } from "../storage/ticks/mod.ts";
import { seededRandom } from "../actors/runtime/random.ts";

export const BTC_1M = new URL("../../shared/data/freqtrade/UNITTEST_BTC-1m.json", import.meta.url);

/** About `n` ticks from the candles, cycling through them (later cycles shifted in time) when more are asked for. */
export function ticksFromBars(bars: BarSeries, n: number, perBar = 10, seed = 1): TickSeries {
  const rnd = seededRandom(seed);
  const count = Math.ceil(n / perBar) * perBar;
  const ts = new Float64Array(count), price = new Float64Array(count), size = new Float64Array(count);
  const side = new Int8Array(count);
  const span = bars.ts[bars.length - 1] - bars.ts[0] + 60_000;
  for (let k = 0, j = 0; k < count; k += perBar, j++) {
    const i = j % bars.length;
    const t0 = bars.ts[i] + Math.floor(j / bars.length) * span;
    const hiFirst = rnd() < 0.5;
    for (let m = 0; m < perBar; m++) {
      const at = k + m;
      ts[at] = t0 + Math.floor((m * 60_000) / perBar);
      const [o, h, l, c] = [bars.open[i], bars.high[i], bars.low[i], bars.close[i]];
      price[at] = m === 0
        ? o
        : m === perBar - 1
        ? c
        : m === 1
        ? (hiFirst ? h : l)
        : m === 2
        ? (hiFirst ? l : h)
        : l + (h - l) * rnd();
      size[at] = bars.volume[i] / perBar;
      side[at] = rnd() < 0.5 ? 1 : -1;
    }
  }
  const nan = () => new Float64Array(count).fill(NaN);
  return {
    symbol: bars.symbol,
    kind: "trade",
    length: count,
    ts,
    price,
    size,
    side,
    bid: nan(),
    ask: nan(),
    bidSize: nan(),
    askSize: nan(),
  };
}

export async function writeTicksCsv(path: string, ticks: TickSeries): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  try {
    let chunk = "ts,price,size,side\n";
    for (let i = 0; i < ticks.length; i++) {
      chunk += `${ticks.ts[i]},${ticks.price[i]},${+ticks.size[i].toFixed(8)},${ticks.side[i] > 0 ? "buy" : "sell"}\n`;
      if (chunk.length > 1 << 20) {
        await file.write(enc.encode(chunk));
        chunk = "";
      }
    }
    const bytes = enc.encode(chunk);
    for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
  } finally {
    file.close();
  }
}

if (import.meta.main) {
  const [count, out, candles] = Deno.args;
  if (!count || !out) {
    console.error("usage: deno run -A bench/gen_ticks.ts N OUT.csv [CANDLES.json]");
    Deno.exit(2);
  }
  const { series } = await loadBars(candles ?? BTC_1M, { symbol: "BTC" });
  await writeTicksCsv(out, ticksFromBars(series, Number(count.replaceAll("_", ""))));
}
