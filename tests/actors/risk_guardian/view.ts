/** A RiskView over plain data, for the pure checks. */
import type { RiskView, TradingState } from "../../../actors/risk_guardian/checks.ts";
import type { OpenExposure } from "../../../actors/risk_guardian/exposure.ts";

export interface ViewData {
  readonly state?: TradingState;
  /** "strategy/symbol" → signed quantity (split at the first "/"). */
  readonly positions?: Readonly<Record<string, number>>;
  readonly open?: readonly OpenExposure[];
  readonly last?: Readonly<Record<string, number>>;
  readonly multipliers?: Readonly<Record<string, number>>;
  readonly recent?: readonly string[];
}

export function viewOf(data: ViewData = {}): RiskView {
  const holdings = Object.entries(data.positions ?? {}).map(([k, qty]) => {
    const cut = k.indexOf("/"); // the strategy id has no "/", a symbol may ("BTC/USDT")
    return { strategyId: k.slice(0, cut), symbol: k.slice(cut + 1), qty };
  });
  const open = data.open ?? [];
  return {
    state: data.state ?? "ACTIVE",
    position: (strategyId, symbol) => data.positions?.[`${strategyId}/${symbol}`] ?? 0,
    holdings: () => holdings,
    open,
    lastPrice: (symbol) => data.last?.[symbol],
    multiplier: (symbol) => data.multipliers?.[symbol] ?? 1,
    openOrders: (id) => open.filter((o) => id === undefined || o.strategyId === id).length,
    recentOrders: (id) => (data.recent ?? []).filter((by) => id === undefined || by === id).length,
  };
}
