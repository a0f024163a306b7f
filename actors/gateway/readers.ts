/**
 * The documents /api/v1 serves and the WebSocket channels snapshot: positions and strategies from the portfolio and
 * the risk guardian (asked), orders, trades, alerts and performance from the journal's read model. Shapes are the
 * schemas of api_schemas.ts.
 */
import { askActor, type ControlDeps, journalView } from "./routes/deps.ts";
import type { StrategyView } from "./routes/strategy_control.ts";
import type { OrderView } from "./views/orders_view.ts";
import { isFinal } from "./views/orders_view.ts";
import type { Performance } from "./views/equity_view.ts";

export interface PositionDoc {
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly lastPrice: number;
  readonly unrealized: number;
  readonly realized: number;
}

export interface BookDoc {
  readonly balance: number;
  readonly equity: number;
  readonly unrealized: number;
  readonly commissions: number;
  readonly positions: readonly PositionDoc[];
}

export interface PortfolioDoc {
  readonly total: BookDoc;
  readonly strategies: Readonly<Record<string, BookDoc>>;
}

export interface StrategyStatusDoc {
  readonly status: "ACTIVE" | "STOPPED" | "QUARANTINED";
  readonly reason?: string;
  readonly since?: number;
}

export interface RiskDoc {
  readonly trading: string;
  readonly limits: Readonly<Record<string, number>>;
  readonly strategyLimits: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly strategies?: Readonly<Record<string, StrategyStatusDoc>>;
  readonly capital?: Readonly<Record<string, number>>;
  readonly metrics?: {
    readonly account: Record<string, unknown>;
    readonly strategies: Readonly<Record<string, Record<string, unknown>>>;
  };
}

const EMPTY_BOOK: BookDoc = { balance: 0, equity: 0, unrealized: 0, commissions: 0, positions: [] };

export const portfolioOf = async (deps: ControlDeps) =>
  (await askActor(deps, deps.paths.portfolio, "GetPortfolio")) as unknown as PortfolioDoc;

export const riskOf = async (deps: ControlDeps) =>
  (await askActor(deps, deps.paths.risk, "GetRiskState")) as unknown as RiskDoc;

/** Positions of the account and per strategy (only the non-flat ones), optionally of one strategy or symbol. */
export async function positionsDocument(deps: ControlDeps, filter: { strategy?: string; symbol?: string } = {}) {
  const portfolio = await portfolioOf(deps);
  const keep = (p: PositionDoc) => filter.symbol === undefined || p.symbol === filter.symbol;
  const strategies: Record<string, PositionDoc[]> = {};
  for (const [id, book] of Object.entries(portfolio.strategies ?? {})) {
    if (filter.strategy === undefined || id === filter.strategy) strategies[id] = book.positions.filter(keep);
  }
  return { total: filter.strategy === undefined ? portfolio.total.positions.filter(keep) : [], strategies };
}

/** Every strategy the guardian knows, with its status, limits, capital and its book in the portfolio. */
/** The running set as the daemon's roster knows it (what each runs, from where); empty without a daemon. */
async function rosterOf(deps: ControlDeps): Promise<Map<string, StrategyView>> {
  const list = deps.strategies ? await deps.strategies.list() : [];
  return new Map(list.map((s) => [s.id, s]));
}

const rosterFields = (s: StrategyView | undefined) =>
  s
    ? {
      strategy: s.strategy,
      origin: s.origin,
      params: s.params,
      symbols: s.symbols,
      ...(s.venue !== undefined ? { venue: s.venue } : {}),
    }
    : {};

export async function strategiesDocument(deps: ControlDeps) {
  const [risk, portfolio, roster] = await Promise.all([riskOf(deps), portfolioOf(deps), rosterOf(deps)]);
  // With a daemon's roster, the running set (a removed strategy's leftover book stays in /positions); without one,
  // every strategy the guardian or the portfolio knows. By id.
  const ids = deps.strategies
    ? [...roster.keys()].sort()
    : [...new Set([...Object.keys(risk.strategies ?? {}), ...Object.keys(portfolio.strategies ?? {})])].sort();
  return {
    trading: risk.trading,
    strategies: ids.map((id) => {
      const status = risk.strategies?.[id] ?? { status: "ACTIVE" as const };
      const book = portfolio.strategies?.[id] ?? EMPTY_BOOK;
      return {
        id,
        status: status.status,
        reason: status.reason ?? null,
        since: status.since ?? null,
        capital: risk.capital?.[id] ?? null,
        limits: risk.strategyLimits?.[id] ?? {},
        ...rosterFields(roster.get(id)),
        ...book,
      };
    }),
  };
}

type PerformanceDoc = { account: Performance; strategies: Record<string, Performance> };

/** The last document and what it was computed from: the statistics are recomputed only when the journal moved. */
const lastPerformance = new WeakMap<ControlDeps, { key: string; doc: PerformanceDoc }>();

/** Performance of the account and of every strategy (journal curves, each strategy's capital from the guardian). */
export async function performanceDocument(deps: ControlDeps): Promise<PerformanceDoc> {
  const [view, risk] = await Promise.all([journalView(deps), riskOf(deps)]);
  const capital = risk.capital ?? {};
  const ids = [
    ...new Set([...Object.keys(capital), ...view.equity.strategies(), ...Object.keys(risk.strategies ?? {})]),
  ]
    .sort();
  const key = JSON.stringify([view.seq, capital, ids]);
  const cached = lastPerformance.get(deps);
  if (cached?.key === key) return cached.doc;
  const strategies: Record<string, Performance> = {};
  for (const id of ids) strategies[id] = view.equity.performance(id, capital[id] ?? 0);
  const total = Object.values(capital).reduce((a, b) => a + b, 0);
  const doc = { account: view.equity.performance(undefined, total), strategies };
  lastPerformance.set(deps, { key, doc });
  return doc;
}

/** Open orders, then the most recent others: what /ws/orders starts with. */
export async function ordersSnapshot(deps: ControlDeps, recent = 50) {
  const view = await journalView(deps);
  const all = [...view.orders.all()];
  const open: OrderView[] = [];
  const done: OrderView[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    if (!isFinal(all[i])) open.push(all[i]);
    else if (done.length < recent) done.push(all[i]);
  }
  return { open, recent: done, seq: view.seq };
}
