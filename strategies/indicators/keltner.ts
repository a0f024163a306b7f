/**
 * Keltner channel: middle = EMA(close, emaPeriod), upper/lower = middle ± multiplier·ATR(atrPeriod)
 * (Stock.Indicators defaults 20, 2, 10). Warm-up: max(emaPeriod − 1, atrPeriod) with the default seeds.
 */
import { ATR, type AtrOptions } from "./atr.ts";
import { EMA, type EmaOptions } from "./ema.ts";
import type { ChannelResult } from "./donchian.ts";
import { collect } from "./_series.ts";
import { checkPeriod, checkPositive, checkSameLength } from "./_validate.ts";
import type { HlcIndicator } from "./types.ts";

export interface KeltnerOptions {
  ema?: EmaOptions;
  atr?: AtrOptions;
}

export function Keltner(
  emaPeriod = 20,
  multiplier = 2,
  atrPeriod = 10,
  options: KeltnerOptions = {},
): HlcIndicator<ChannelResult> {
  checkPeriod("emaPeriod", emaPeriod);
  checkPositive("multiplier", multiplier);
  checkPeriod("atrPeriod", atrPeriod);
  const ema = EMA(emaPeriod, options.ema);
  const atr = ATR(atrPeriod, options.atr);
  // Mutated and returned on every update: no allocation per bar.
  const r = { upper: NaN, middle: NaN, lower: NaN };
  return {
    update(high: number, low: number, close: number): ChannelResult {
      const mid = ema.update(close);
      const a = atr.update(high, low, close);
      if (ema.ready && atr.ready) {
        r.middle = mid;
        r.upper = mid + multiplier * a;
        r.lower = mid - multiplier * a;
      }
      return r;
    },
    get value() {
      return r;
    },
    get ready() {
      return ema.ready && atr.ready;
    },
    reset(): void {
      ema.reset();
      atr.reset();
      r.upper = r.middle = r.lower = NaN;
    },
  };
}

export function keltnerSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  emaPeriod = 20,
  multiplier = 2,
  atrPeriod = 10,
  options: KeltnerOptions = {},
): Record<keyof ChannelResult, Float64Array> {
  const k = Keltner(emaPeriod, multiplier, atrPeriod, options);
  return collect(
    checkSameLength(high, low, close),
    ["upper", "middle", "lower"],
    (i) => k.update(high[i], low[i], close[i]),
  );
}
