// How a portfolio's parts move together: Pearson correlations of daily returns (each series' last value of a UTC
// day, as the report's daily returns), over the days both series have, and a rolling correlation per pair of
// strategies. A series that does not move over the days compared (a strategy that never trades) has no correlation:
// null.
import { DAY } from "./periodicity.ts";

export interface CorrelationMatrix {
  readonly labels: readonly string[];
  /** matrix[i][j]: the correlation of labels[i]'s and labels[j]'s daily returns; null when undefined. */
  readonly matrix: readonly (readonly (number | null)[])[];
}

export interface RollingCorrelation {
  readonly a: string;
  readonly b: string;
  /** Day start (epoch ms UTC) of the window's last return, and the correlation over the window ending there. */
  readonly ts: readonly number[];
  readonly value: readonly (number | null)[];
}

export interface Correlation {
  readonly returns: "daily";
  /** Daily returns of the strategies' equity (the days of the run). */
  readonly days: number;
  readonly strategies: CorrelationMatrix;
  /** Daily returns of each symbol's close, over the days it has bars. */
  readonly symbols: CorrelationMatrix;
  /** The window, in daily returns, of the rolling correlations. */
  readonly window: number;
  readonly rolling: readonly RollingCorrelation[];
}

/** Daily returns keyed by UTC day: the last value of each day against the last value of the day before it. */
export type DailyReturns = Map<number, number>;

export function dailyReturns(ts: ArrayLike<number>, values: ArrayLike<number>): DailyReturns {
  const days: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const day = Math.floor(ts[i] / DAY);
    if (days.length > 0 && days[days.length - 1] === day) last[last.length - 1] = v;
    else {
      days.push(day);
      last.push(v);
    }
  }
  const out: DailyReturns = new Map();
  for (let i = 1; i < days.length; i++) {
    const r = last[i] / last[i - 1] - 1;
    if (Number.isFinite(r)) out.set(days[i], r);
  }
  return out;
}

/** Pearson correlation of two equally long samples; NaN when either has no variance or fewer than 2 points. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2 || y.length !== n) return NaN;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  // Rounding can put |r| a hair above 1.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** The two series' returns on the days both have, in day order. */
export function paired(a: DailyReturns, b: DailyReturns): { days: number[]; x: number[]; y: number[] } {
  const days: number[] = [], x: number[] = [], y: number[] = [];
  for (const [day, r] of a) {
    const s = b.get(day);
    if (s === undefined) continue;
    days.push(day);
    x.push(r);
    y.push(s);
  }
  return { days, x, y };
}

const orNull = (x: number) => Number.isFinite(x) ? x : null;

export function correlationMatrix(labels: readonly string[], returns: readonly DailyReturns[]): CorrelationMatrix {
  const matrix = labels.map((_, i) =>
    labels.map((_, j) => {
      if (i === j) {
        // A series is perfectly correlated with itself only when it moves.
        const own = [...returns[i].values()];
        return Number.isFinite(pearson(own, own)) ? 1 : null;
      }
      const { x, y } = paired(returns[i], returns[j]);
      return orNull(pearson(x, y));
    })
  );
  return { labels, matrix };
}

/** Correlation over each run of `window` common daily returns, one value per day from the window's end on. */
export function rollingCorrelation(
  a: DailyReturns,
  b: DailyReturns,
  window: number,
): { ts: number[]; value: (number | null)[] } {
  const { days, x, y } = paired(a, b);
  const ts: number[] = [], value: (number | null)[] = [];
  for (let end = window; end <= days.length; end++) {
    ts.push(days[end - 1] * DAY);
    value.push(orNull(pearson(x.slice(end - window, end), y.slice(end - window, end))));
  }
  return { ts, value };
}

/** The rolling window: 60 daily returns, or a third of the days when there are fewer than 180 (at least 3). */
export function rollingWindow(days: number, wanted = 60): number {
  return days >= 3 * wanted ? wanted : Math.max(3, Math.floor(days / 3));
}

/** At most this many pairs get a rolling chart (the first strategies' pairs): n strategies have n(n−1)/2. */
export const MAX_ROLLING_PAIRS = 10;

export interface CorrelationInput {
  readonly ts: ArrayLike<number>;
  readonly strategies: readonly { readonly id: string; readonly equity: ArrayLike<number> }[];
  readonly symbols: readonly {
    readonly symbol: string;
    readonly ts: ArrayLike<number>;
    readonly close: ArrayLike<number>;
  }[];
}

export function correlation(input: CorrelationInput): Correlation {
  const strategyReturns = input.strategies.map((s) => dailyReturns(input.ts, s.equity));
  const symbolReturns = input.symbols.map((s) => dailyReturns(s.ts, s.close));
  const days = strategyReturns.length > 0 ? strategyReturns[0].size : 0;
  const window = rollingWindow(days);
  const rolling: RollingCorrelation[] = [];
  for (let i = 0; i < input.strategies.length && rolling.length < MAX_ROLLING_PAIRS; i++) {
    for (let j = i + 1; j < input.strategies.length && rolling.length < MAX_ROLLING_PAIRS; j++) {
      const r = rollingCorrelation(strategyReturns[i], strategyReturns[j], window);
      rolling.push({ a: input.strategies[i].id, b: input.strategies[j].id, ...r });
    }
  }
  return {
    returns: "daily",
    days,
    strategies: correlationMatrix(input.strategies.map((s) => s.id), strategyReturns),
    symbols: correlationMatrix(input.symbols.map((s) => s.symbol), symbolReturns),
    window,
    rolling,
  };
}
