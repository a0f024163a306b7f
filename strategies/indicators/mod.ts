/**
 * Technical indicators: incremental (O(1) amortised per update, no allocation per bar) and array forms that run the
 * same code, so both agree exactly. See README.md for inputs, outputs, warm-up and seeding conventions.
 */
export type { EmaSeed, HlcIndicator, Indicator, ScalarIndicator } from "./types.ts";
export { scalarSeries, SMA, smaSeries } from "./sma.ts";
export { EMA, type EmaOptions, emaSeries } from "./ema.ts";
export { WMA, wmaSeries } from "./wma.ts";
export { DEMA, demaSeries, type LayeredEmaOptions, TEMA, temaSeries } from "./dema.ts";
export { SMMA, smmaSeries } from "./smma.ts";
export { RSI, rsiSeries } from "./rsi.ts";
export { MACD, type MacdResult, macdSeries } from "./macd.ts";
export { Bollinger, type BollingerOptions, type BollingerResult, bollingerSeries } from "./bollinger.ts";
export { ATR, type AtrOptions, atrSeries, type FirstBar, hlcSeries, TR, trSeries } from "./atr.ts";
export { Stochastic, type StochasticResult, stochasticSeries } from "./stochastic.ts";
export { WilliamsR, williamsRSeries } from "./williams_r.ts";
export { ADX, type AdxResult, adxSeries } from "./adx.ts";
export { CCI, cciSeries } from "./cci.ts";
export { Momentum, momentumSeries, ROC, rocSeries } from "./roc.ts";
export { OBV, obvSeries } from "./obv.ts";
export { VWAP, type VwapOptions, vwapSeries, type VwapSession } from "./vwap.ts";
export { type ChannelResult, Donchian, donchianSeries } from "./donchian.ts";
export { Keltner, type KeltnerOptions, keltnerSeries } from "./keltner.ts";
export { Highest, highestSeries, Lowest, lowestSeries } from "./highest_lowest.ts";
export { StdDev, type StdDevOptions, stdDevSeries } from "./stddev.ts";
export { ZScore, zScoreSeries } from "./zscore.ts";
