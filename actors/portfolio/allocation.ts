/**
 * Capital allocation between the strategies of one account: target weights (fixed, inverse volatility, risk parity)
 * and when to move capital to them (a calendar period or a drift threshold). Pure functions; the portfolio actor
 * applies them (rebalance.ts) and tells the exchange, the risk guardian and the strategies what moved.
 */
import { show } from "../runtime/validate.ts";

export const ALLOCATION_METHODS = ["fixed", "inverse_vol", "risk_parity"] as const;
export type AllocationMethod = typeof ALLOCATION_METHODS[number];
export const CALENDAR_PERIODS = ["daily", "weekly", "monthly"] as const;
export type CalendarPeriod = typeof CALENDAR_PERIODS[number];

export type RebalanceRule =
  | { readonly kind: "none" }
  /** At the close of the first bar of each new UTC day, week (Monday to Sunday) or calendar month. */
  | { readonly kind: "calendar"; readonly every: CalendarPeriod }
  /** At the close of a bar where some strategy's weight is more than `threshold` away from its target. */
  | { readonly kind: "drift"; readonly threshold: number };

export interface AllocationConfig {
  readonly method: AllocationMethod;
  /** Strategy ids, in the order of every weight list. */
  readonly ids: readonly string[];
  /** Fixed weights (the strategies' capital shares, summing to 1); the others start from them. */
  readonly weights: readonly number[];
  readonly rebalance: RebalanceRule;
  /** Bar returns the volatilities and covariances are measured over. */
  readonly lookback: number;
}

export const DEFAULT_LOOKBACK = 60;

/**
 * `{"method": "risk_parity", "rebalance": "monthly" | "weekly" | "daily" | "none" | {"drift": 0.05},
 * "lookback": 60}`. The fixed weights are the strategies' capital shares. Returns the config, or the problem as
 * text starting with the field (".method: ...").
 */
export function parseAllocation(
  raw: unknown,
  ids: readonly string[],
  capitals: readonly number[],
): AllocationConfig | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return `: must be an object {"method", "rebalance", "lookback"}, got ${show(raw)}`;
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!["method", "rebalance", "lookback"].includes(key)) {
      return `.${key}: unknown field (known: method, rebalance, lookback)`;
    }
  }
  const method = r.method ?? "fixed";
  if (!ALLOCATION_METHODS.includes(method as AllocationMethod)) {
    return `.method: must be one of ${ALLOCATION_METHODS.join(", ")}, got ${show(method)}`;
  }
  const rebalance = parseRebalance(r.rebalance ?? (method === "fixed" ? "none" : "monthly"));
  if (typeof rebalance === "string") return rebalance;
  const lookback = r.lookback ?? DEFAULT_LOOKBACK;
  if (!(typeof lookback === "number" && Number.isInteger(lookback) && lookback >= 2)) {
    return `.lookback: must be a whole number of bars ≥ 2, got ${show(lookback)}`;
  }
  const total = capitals.reduce((a, b) => a + b, 0);
  if (!(total > 0) || capitals.some((c) => !(c > 0))) return `: every strategy needs capital > 0 to weigh it`;
  return {
    method: method as AllocationMethod,
    ids,
    weights: capitals.map((c) => c / total),
    rebalance,
    lookback,
  };
}

function parseRebalance(raw: unknown): RebalanceRule | string {
  if (raw === "none") return { kind: "none" };
  if (CALENDAR_PERIODS.includes(raw as CalendarPeriod)) return { kind: "calendar", every: raw as CalendarPeriod };
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    const keys = Object.keys(raw);
    const drift = (raw as Record<string, unknown>).drift;
    if (keys.length === 1 && typeof drift === "number" && drift > 0 && drift < 1) {
      return { kind: "drift", threshold: drift };
    }
  }
  return `.rebalance: must be "daily", "weekly", "monthly", "none" or {"drift": F} with 0 < F < 1 (a weight ` +
    `difference), got ${show(raw)}`;
}

const DAY = 86_400_000;

/** The calendar period holding `ts` (UTC): day number, Monday-based week number, or year × 12 + month. */
export function periodKey(ts: number, every: CalendarPeriod): number {
  const day = Math.floor(ts / DAY);
  switch (every) {
    case "daily":
      return day;
    case "weekly":
      // 1970-01-01 was a Thursday: shifted by 3 days, the key changes on Mondays.
      return Math.floor((day + 3) / 7);
    case "monthly": {
      const d = new Date(ts);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
  }
}

/** Largest |current − target| weight difference. */
export function maxDrift(current: readonly number[], target: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < current.length; i++) m = Math.max(m, Math.abs(current[i] - target[i]));
  return m;
}

/** Sample standard deviation (n − 1); NaN with fewer than 2 values. */
export function stdev(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
}

/** Weights ∝ 1 / volatility ("equal risk" when the strategies are uncorrelated); undefined if any vol is not > 0. */
export function inverseVolWeights(vols: readonly number[]): number[] | undefined {
  if (vols.length === 0 || vols.some((v) => !(v > 0 && Number.isFinite(v)))) return undefined;
  const inv = vols.map((v) => 1 / v);
  const sum = inv.reduce((a, b) => a + b, 0);
  return inv.map((x) => x / sum);
}

/** Sample covariance matrix (n − 1) of equally long return columns. */
export function covarianceMatrix(columns: readonly (readonly number[])[]): number[][] {
  const k = columns.length;
  const n = k > 0 ? columns[0].length : 0;
  const means = columns.map((c) => c.reduce((a, b) => a + b, 0) / n);
  const cov = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += (columns[i][t] - means[i]) * (columns[j][t] - means[j]);
      cov[i][j] = cov[j][i] = n > 1 ? s / (n - 1) : NaN;
    }
  }
  return cov;
}

/** Each weight's share of the portfolio variance: w_i (Σw)_i / wᵀΣw (they sum to 1). */
export function riskContributions(w: readonly number[], cov: readonly (readonly number[])[]): number[] {
  const sw = cov.map((row) => row.reduce((s, c, j) => s + c * w[j], 0));
  const total = w.reduce((s, x, i) => s + x * sw[i], 0);
  return w.map((x, i) => x * sw[i] / total);
}

/**
 * Risk parity (equal risk contributions), by cyclical coordinate descent on min ½wᵀΣw − Σ ln(w_i)/n (Griveau-Billion,
 * Richard and Roncalli, 2013): each w_i solves Σ_ii w_i² + (Σ_{j≠i} Σ_ij w_j) w_i − 1/n = 0; the result is
 * normalised to sum to 1. Undefined when a variance is not > 0 or it does not converge.
 */
export function riskParityWeights(
  cov: readonly (readonly number[])[],
  tolerance = 1e-12,
  maxSweeps = 10_000,
): number[] | undefined {
  const n = cov.length;
  if (n === 0 || cov.some((row, i) => !(row[i] > 0) || row.some((c) => !Number.isFinite(c)))) return undefined;
  // Scale-free start: inverse volatility.
  const w = cov.map((row, i) => 1 / Math.sqrt(row[i]));
  const budget = 1 / n;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let change = 0;
    for (let i = 0; i < n; i++) {
      let b = 0;
      for (let j = 0; j < n; j++) if (j !== i) b += cov[i][j] * w[j];
      const a = cov[i][i];
      const next = (-b + Math.sqrt(b * b + 4 * a * budget)) / (2 * a);
      change = Math.max(change, Math.abs(next - w[i]) / next);
      w[i] = next;
    }
    if (change < tolerance) {
      const sum = w.reduce((x, y) => x + y, 0);
      return w.map((x) => x / sum);
    }
  }
  return undefined;
}

/**
 * The target weights now: fixed ones, or from the strategies' recent bar returns (`returns[i]`, equally long). Until
 * every strategy has `lookback` returns with some variance, the fixed weights.
 */
export function targetWeights(config: AllocationConfig, returns: readonly (readonly number[])[]): readonly number[] {
  if (config.method === "fixed") return config.weights;
  if (returns.some((r) => r.length < config.lookback)) return config.weights;
  const window = returns.map((r) => r.slice(-config.lookback));
  const weights = config.method === "inverse_vol"
    ? inverseVolWeights(window.map(stdev))
    : riskParityWeights(covarianceMatrix(window));
  return weights ?? config.weights;
}

/**
 * Capital to move to each strategy (+ in, − out) so that their equities match `target`; the deltas sum to 0.
 * A strategy never gives up the margin its open positions use (`locked[i]`, default none): capital moved out from
 * under a position would leave it leveraged beyond its capital. What cannot leave stays, and the strategies that
 * receive get proportionally less.
 */
export function rebalanceDeltas(
  equities: readonly number[],
  target: readonly number[],
  locked: readonly number[] = [],
): number[] {
  const total = equities.reduce((a, b) => a + b, 0);
  const wanted = equities.map((e, i) => target[i] * total - e);
  const out = wanted.map((d, i) => d < 0 ? -Math.min(-d, Math.max(0, equities[i] - (locked[i] ?? 0))) : 0);
  const freed = -out.reduce((a, b) => a + b, 0);
  const asked = wanted.reduce((a, d) => a + (d > 0 ? d : 0), 0);
  return out.map((d, i) => wanted[i] > 0 ? wanted[i] * (asked > 0 ? freed / asked : 0) : d);
}
