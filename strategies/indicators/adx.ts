/**
 * Wilder's Directional Movement: +DI, −DI and ADX. From the second bar: +DM = up move if it beats the down move
 * (else 0), −DM likewise; TR as in ATR. TR, +DM, −DM are Wilder-smoothed (seeded with their mean over `period`
 * bars), +DI = 100·+DM/TR, −DI = 100·−DM/TR, DX = 100·|+DI − −DI| / (+DI + −DI) (0 when both are 0), and
 * ADX = Wilder smoothing of DX seeded with the mean of the first `period` DX values.
 * Warm-up: DI `period` updates, ADX 2·period − 1 (Stock.Indicators and TA-Lib conventions).
 */
import { wilder } from "./_wilder.ts";
import { collect } from "./_series.ts";
import { checkPeriod, checkSameLength } from "./_validate.ts";
import type { HlcIndicator } from "./types.ts";

export interface AdxResult {
  readonly plusDI: number;
  readonly minusDI: number;
  readonly dx: number;
  readonly adx: number;
}

export function ADX(period = 14): HlcIndicator<AdxResult> {
  checkPeriod("period", period);
  const tr = wilder(period);
  const plus = wilder(period);
  const minus = wilder(period);
  const adx = wilder(period);
  let prevHigh = NaN;
  let prevLow = NaN;
  let prevClose = NaN;
  // Mutated and returned on every update: no allocation per bar.
  const r = { plusDI: NaN, minusDI: NaN, dx: NaN, adx: NaN };
  return {
    update(high: number, low: number, close: number): AdxResult {
      if (prevClose === prevClose) {
        const up = high - prevHigh;
        const down = prevLow - low;
        const t = Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
        const sTr = tr.push(t);
        const sPlus = plus.push(up > down && up > 0 ? up : 0);
        const sMinus = minus.push(down > up && down > 0 ? down : 0);
        if (tr.ready) {
          r.plusDI = sTr > 0 ? (100 * sPlus) / sTr : 0;
          r.minusDI = sTr > 0 ? (100 * sMinus) / sTr : 0;
          const sum = r.plusDI + r.minusDI;
          r.dx = sum > 0 ? (100 * Math.abs(r.plusDI - r.minusDI)) / sum : 0;
          r.adx = adx.push(r.dx);
        }
      }
      prevHigh = high;
      prevLow = low;
      prevClose = close;
      return r;
    },
    get value() {
      return r;
    },
    get ready() {
      return adx.ready;
    },
    reset(): void {
      tr.reset();
      plus.reset();
      minus.reset();
      adx.reset();
      prevHigh = prevLow = prevClose = NaN;
      r.plusDI =
        r.minusDI =
        r.dx =
        r.adx =
          NaN;
    },
  };
}

export function adxSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
): Record<keyof AdxResult, Float64Array> {
  const a = ADX(period);
  return collect(
    checkSameLength(high, low, close),
    ["plusDI", "minusDI", "dx", "adx"],
    (i) => a.update(high[i], low[i], close[i]),
  );
}
