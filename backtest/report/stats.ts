// computeStats: backtesting.py v0.6.6 `compute_stats`, line by line, plus a few extras. README.md documents
// every formula; the tests compare against fixtures produced by backtesting.py itself.
import { drawdownPeriods, drawdownSeries } from "./drawdown.ts";
import { barReturnColumn, omegaRatio, sortedAt, streaks, tailRatio, tradesTurnover, valueAtRisk } from "./extras.ts";
import { covariance, geometricMean, mean, nanMax, nanMin, orNaN, sum, variance } from "./numeric.ts";
import { annualisation, ceilToResolution, dataPeriodMs, DAY, periodReturns } from "./periodicity.ts";
import type { ClosedTrade, Report, ReportInput, ReportOptions } from "./types.ts";

export function computeStats(input: ReportInput, options: ReportOptions = {}): Report {
  const { ts, equity, close, trades } = input;
  const n = ts.length;
  if (n === 0) throw new RangeError("Cannot compute stats: the equity series is empty");
  if (equity.length !== n || close.length !== n) {
    throw new RangeError(
      `Cannot compute stats: ts, equity and close differ in length (${n}, ${equity.length}, ${close.length})`,
    );
  }
  const rf = options.riskFreeRate ?? 0;
  if (!(rf > -1 && rf < 1)) throw new RangeError(`Cannot compute stats: riskFreeRate ${rf} is not in (-1, 1)`);
  const warmupBars = options.warmupBars ?? 0;
  if (!(Number.isInteger(warmupBars) && warmupBars >= 0 && warmupBars < n)) {
    throw new RangeError(`Cannot compute stats: warmupBars ${warmupBars} is not a bar index`);
  }

  const periodMs = dataPeriodMs(ts);
  const roundDuration = (ms: number) => ceilToResolution(ms, periodMs);

  // Drawdown.
  const dd = drawdownSeries(equity);
  const periods = drawdownPeriods(ts, dd);
  const maxDd = nanMax(dd) || 0; // np.nan_to_num(dd.max()): NaN → 0
  // With no drawdown period, backtesting.py averages the non-zero drawdowns instead of period depths
  // (its `dd.replace(0, nan)` fallback); durations are then meaningless and we give NaN.
  const depths = periods.length ? periods.map((p) => p.depth) : nonZero(dd);
  const ddDurations = periods.map((p) => p.durationMs);

  // Returns.
  const equity0 = equity[0], equityFinal = equity[n - 1];
  const returnPct = (equityFinal - equity0) / equity0 * 100;
  const c0 = close[warmupBars];
  const buyHoldReturnPct = (close[n - 1] - c0) / c0 * 100;

  // Annualisation over calendar-bucketed returns, compounded (see README).
  const { periods: annual, bucket } = annualisation(ts, periodMs);
  const dayReturns = periodReturns(ts, equity, bucket);
  const gmean = geometricMean(dayReturns);
  const annReturn = (1 + gmean) ** annual - 1;
  const annVol = Math.sqrt((variance(dayReturns) + (1 + gmean) ** 2) ** annual - (1 + gmean) ** (2 * annual));
  const durationMs = ts[n - 1] - ts[0];
  // pandas' `Duration.days + Duration.seconds / 86400`: sub-second parts are dropped.
  const years = Math.floor(durationMs / 1000) / (DAY / 1000) / 365.25;
  const downside = Math.sqrt(mean(dayReturns.map((r) => Math.min(r, 0) ** 2))) * Math.sqrt(annual);
  // Conventional ratios from the same period returns: excess over the risk-free rate compounded down to one period.
  const rfPeriod = (1 + rf) ** (1 / annual) - 1;
  const excess = dayReturns.map((r) => r - rfPeriod);
  const meanExcess = mean(excess);
  const sharpePeriodic = meanExcess / orNaN(Math.sqrt(variance(dayReturns))) * Math.sqrt(annual);
  const sortinoPeriodic = meanExcess / Math.sqrt(mean(excess.map((r) => Math.min(r, 0) ** 2))) * Math.sqrt(annual);

  const beta = n > 2 ? logBeta(equity, close) : NaN;

  // Trades.
  const tradeCount = trades.length;
  const pl = trades.map((t) => t.pnl);
  const rets = trades.map((t) => t.returnPct);
  const durations = trades.map((t) => t.exitTime - t.entryTime);
  const winRate = tradeCount ? pl.filter((p) => p > 0).length / tradeCount : NaN;
  const avgWin = mean(pl.filter((p) => p > 0)), avgLoss = -mean(pl.filter((p) => p < 0));
  const plStd = Math.sqrt(variance(pl));

  const barRets = barReturnColumn(equity);
  const sortedRets = sortedAt(barRets, [5, 95]); // the order statistics VaR, CVaR and the tail ratio read
  const { var95, cvar95 } = valueAtRisk(barRets, sortedRets);
  const streak = streaks(trades);

  return {
    start: ts[0],
    end: ts[n - 1],
    durationMs,
    exposureTimePct: exposure(trades, n) * 100,
    equityFinal,
    equityPeak: nanMax(equity),
    commissions: input.totalCommission,
    returnPct,
    buyHoldReturnPct,
    returnAnnPct: annReturn * 100,
    volatilityAnnPct: annVol * 100,
    cagrPct: years ? ((equityFinal / equity0) ** (1 / years) - 1) * 100 : NaN,
    sharpeRatio: (annReturn * 100 - rf * 100) / orNaN(annVol * 100),
    sortinoRatio: (annReturn - rf) / downside,
    sharpeRatioPeriodic: sharpePeriodic,
    sortinoRatioPeriodic: sortinoPeriodic,
    calmarRatio: annReturn / orNaN(maxDd),
    alphaPct: returnPct - rf * 100 - beta * (buyHoldReturnPct - rf * 100),
    beta,
    maxDrawdownPct: -maxDd * 100,
    avgDrawdownPct: -mean(depths) * 100,
    maxDrawdownDurationMs: roundDuration(nanMax(ddDurations)),
    avgDrawdownDurationMs: roundDuration(mean(ddDurations)),
    tradeCount,
    winRatePct: winRate * 100,
    bestTradePct: nanMax(rets) * 100,
    worstTradePct: nanMin(rets) * 100,
    avgTradePct: geometricMean(rets) * 100,
    maxTradeDurationMs: roundDuration(nanMax(durations)),
    avgTradeDurationMs: roundDuration(mean(durations)),
    profitFactor: sum(rets.filter((r) => r > 0)) / orNaN(Math.abs(sum(rets.filter((r) => r < 0)))),
    expectancyPct: mean(rets) * 100,
    sqn: Math.sqrt(tradeCount) * mean(pl) / orNaN(plStd),
    kellyCriterion: winRate - (1 - winRate) / (avgWin / avgLoss),
    omegaRatio: omegaRatio(barRets),
    tailRatio: tailRatio(barRets, sortedRets),
    var95Pct: var95 * 100,
    cvar95Pct: cvar95 * 100,
    turnover: input.turnover ?? tradesTurnover(trades),
    longestWinStreak: streak.win,
    longestLossStreak: streak.loss,
    avgMaePct: mean(trades.map((t) => t.mae)) * 100,
    avgMfePct: mean(trades.map((t) => t.mfe)) * 100,
    barPeriodMs: periodMs,
    annualPeriods: annual,
  };
}

/** Share of bars with a position: every bar from entryBar to exitBar inclusive, counted once. */
function exposure(trades: readonly ClosedTrade[], n: number): number {
  const held = new Uint8Array(n);
  for (const t of trades) held.fill(1, Math.max(0, t.entryBar), Math.min(n, t.exitBar + 1));
  return sum(held) / n;
}

/** Beta of the equity's log returns against the benchmark's log returns. */
function logBeta(equity: ArrayLike<number>, close: ArrayLike<number>): number {
  const n = equity.length - 1;
  const eqLog = new Float64Array(n), mkLog = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    eqLog[i] = Math.log(equity[i + 1] / equity[i]);
    mkLog[i] = Math.log(close[i + 1] / close[i]);
  }
  return covariance(eqLog, mkLog) / variance(mkLog);
}

/** The drawdowns other than 0 and NaN, in order. */
function nonZero(dd: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < dd.length; i++) if (dd[i] !== 0 && dd[i] === dd[i]) out.push(dd[i]);
  return out;
}
