/**
 * Risk metrics for the control API: exposure, equity, drawdown and how much of each limit in force is used, for the
 * account and per strategy. Usage is measured as the checks measure it (checks.ts): the position and gross exposure
 * limits against the worst case with every open order filled, order counts over the last 60 s, losses from the day's
 * start (account) or from the strategy's capital. Limits checked per order (notional, price band, venue minimum)
 * accumulate nothing: their `used` is null.
 */
import type { RiskLimits, RiskView, StrategyLimits } from "./checks.ts";
import { grossReach, reach, unitValue, worstAbs } from "./exposure.ts";

export interface LimitUse {
  readonly limit: number;
  /** null: checked per order; Infinity (JSON null too): an order sized by the venue has no cap. */
  readonly used: number | null;
  readonly usage: number | null;
}

export interface Exposure {
  readonly equity: number | null;
  readonly peakEquity: number | null;
  readonly gross: number;
  readonly net: number;
  readonly leverage: number | null;
  readonly drawdown: number | null;
  readonly limits: Readonly<Record<string, LimitUse>>;
}

export interface RiskMetrics {
  readonly account: Exposure & { readonly dayStartEquity: number | null; readonly dailyPnl: number | null };
  readonly strategies: Readonly<Record<string, Exposure>>;
}

/** Each strategy's last and peak equity, from the portfolio's updates (all strategies, limited or not). */
export type EquityWatch = Record<string, { last: number; peak: number }>;

export function watchEquity(watch: EquityWatch, equities: Readonly<Record<string, number>>): void {
  for (const id in equities) {
    const equity = equities[id];
    if (!Number.isFinite(equity)) continue;
    const seen = watch[id];
    if (seen) {
      seen.last = equity;
      if (equity > seen.peak) seen.peak = equity;
    } else watch[id] = { last: equity, peak: equity };
  }
}

export interface MetricsInput {
  readonly view: RiskView;
  readonly limits: RiskLimits;
  readonly strategyLimits: Readonly<Record<string, StrategyLimits>>;
  readonly account: { readonly last: number; readonly peak: number; readonly dayStart: number };
  readonly strategies: EquityWatch;
  /** What a strategy's maxLoss counts from: its capital, else its first equity seen. */
  readonly base: (strategyId: string) => number | undefined;
  /** Times of the orders accepted lately and whose they were (same index); counted over the last 60 s. */
  readonly recent: readonly number[];
  readonly recentBy: readonly string[];
  readonly now: number;
  readonly ids: Iterable<string>;
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);
const NO_PAIR = { strategyId: "\u0000", symbol: "\u0000" };

export function riskMetrics(input: MetricsInput): RiskMetrics {
  const { view } = input;
  const recentCount = (id?: string) => {
    let n = 0;
    for (let i = 0; i < input.recent.length; i++) {
      if (input.now - input.recent[i] < 60_000 && (id === undefined || input.recentBy[i] === id)) n++;
    }
    return n;
  };
  /** Largest worst-case |position| over symbols: of one strategy, or summed over strategies (the account). */
  const positionReach = (id?: string) => {
    const bySymbol = new Map<string, number>();
    const pairs = new Set<string>();
    for (const h of view.holdings()) pairs.add(`${h.strategyId}\u0000${h.symbol}`);
    for (const o of view.open) pairs.add(`${o.strategyId}\u0000${o.symbol}`);
    for (const pair of pairs) {
      const [strategyId, symbol] = pair.split("\u0000");
      if (id !== undefined && strategyId !== id) continue;
      bySymbol.set(symbol, (bySymbol.get(symbol) ?? 0) + worstAbs(reach(view, symbol, strategyId)));
    }
    return Math.max(0, ...bySymbol.values());
  };
  const exposure = (id?: string) => {
    let gross = 0, net = 0;
    for (const h of view.holdings()) {
      if ((id !== undefined && h.strategyId !== id) || h.qty === 0) continue;
      const unit = unitValue(view, h.symbol) ?? 0;
      gross += Math.abs(h.qty) * unit;
      net += h.qty * unit;
    }
    return { gross, net };
  };
  const use = (limit: number | undefined, used: number | null): LimitUse | undefined =>
    limit === undefined ? undefined : {
      limit,
      used: used === null ? null : finite(used),
      usage: used === null || limit === 0 ? null : finite(used / limit),
    };
  const report = (
    id: string | undefined,
    limits: { readonly [K in keyof (RiskLimits & StrategyLimits)]?: number },
    equity: number | undefined,
    peak: number | undefined,
    lossUsed: () => number | null,
  ): Exposure => {
    const { gross, net } = exposure(id);
    const drawdown = equity !== undefined && peak !== undefined && peak > 0 ? 1 - equity / peak : null;
    const uses: Record<string, LimitUse | undefined> = {
      maxPositionQty: use(limits.maxPositionQty, positionReach(id)),
      maxGrossExposure: use(limits.maxGrossExposure, grossReach(view, id, NO_PAIR)),
      maxOrderNotional: use(limits.maxOrderNotional, null),
      maxOpenOrders: use(limits.maxOpenOrders, view.openOrders(id)),
      maxOrdersPerMinute: use(limits.maxOrdersPerMinute, recentCount(id)),
      priceBand: use(limits.priceBand, null),
      minNotional: use(limits.minNotional, null),
      dailyLossLimit: use(limits.dailyLossLimit, lossUsed()),
      maxLoss: use(limits.maxLoss, lossUsed()),
      maxDrawdown: use(limits.maxDrawdown, drawdown === null ? null : Math.max(0, drawdown)),
    };
    return {
      equity: equity ?? null,
      peakEquity: peak ?? null,
      gross,
      net,
      leverage: equity !== undefined && equity > 0 ? gross / equity : null,
      drawdown,
      limits: Object.fromEntries(Object.entries(uses).filter(([, u]) => u !== undefined)) as Record<string, LimitUse>,
    };
  };

  const a = input.account;
  const known = (x: number) => (Number.isFinite(x) ? x : undefined);
  const last = known(a.last), peak = known(a.peak), dayStart = known(a.dayStart);
  const dailyPnl = last !== undefined && dayStart !== undefined ? last - dayStart : null;
  const account = {
    ...report(undefined, input.limits, last, peak, () => (dailyPnl === null ? null : Math.max(0, -dailyPnl))),
    dayStartEquity: dayStart ?? null,
    dailyPnl,
  };
  const strategies: Record<string, Exposure> = {};
  for (const id of new Set([...input.ids, ...Object.keys(input.strategies)])) {
    const seen = input.strategies[id];
    const base = input.base(id);
    strategies[id] = report(
      id,
      input.strategyLimits[id] ?? {},
      seen?.last,
      seen?.peak,
      () => seen === undefined || base === undefined ? null : Math.max(0, base - seen.last),
    );
  }
  return { account, strategies };
}
