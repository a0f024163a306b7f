/**
 * The portfolio: cash, positions (average price, realised and unrealised P&L) and equity, per strategy and
 * in total, from fills and marks. It also keeps round trips (for the report) and, when asked to, an equity
 * point per bar time.
 */
import { type Behaviour, ConfigError } from "../runtime/mod.ts";
import type { Bar, OrderEvent } from "../protocol/mod.ts";
import { applyFill, createLedger, equity, type Ledger, markPrice, unrealized } from "./ledger.ts";
import { createRoundTrips, markRange, recordFill, type RoundTrips } from "./round_trips.ts";

export interface PortfolioConfig {
  /** Capital per strategy; the total is their sum. */
  readonly capital: Readonly<Record<string, number>>;
  /** Record equity at every EndOfBar (backtests); live records on demand. */
  readonly recordEquity: boolean;
  /** Receive an EquityUpdate after each EndOfBar (the risk guardian's drawdown and loss limits). */
  readonly equitySubscribers?: readonly string[];
}

export type PortfolioMessage =
  | Extract<OrderEvent, { type: "OrderFilled" | "OrderPartiallyFilled" }>
  | { readonly type: "Bar"; readonly bar: Bar }
  | { readonly type: "EndOfBar"; readonly ts: number }
  | { readonly type: "GetPortfolio" }
  | { readonly type: "GetRecord" };

export interface PortfolioRecord {
  readonly type: "PortfolioRecord";
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  readonly perStrategy: Record<string, Float64Array>;
  readonly trades: RoundTrips["closed"];
  readonly openTrades: number;
  readonly commissions: number;
  readonly turnover: number;
}

interface State {
  readonly config: PortfolioConfig;
  readonly total: Ledger;
  readonly strategies: Map<string, { ledger: Ledger; trips: RoundTrips; equity: Float64Array }>;
  bars: number;
  ts: Float64Array;
  equity: Float64Array;
}

function grow(a: Float64Array, n: number): Float64Array {
  if (n < a.length) return a;
  const next = new Float64Array(Math.max(1024, a.length * 2));
  next.set(a);
  return next;
}

export const portfolio: Behaviour<PortfolioMessage, State, PortfolioConfig> = {
  accepts: ["OrderFilled", "OrderPartiallyFilled", "Bar", "EndOfBar", "GetPortfolio", "GetRecord"],
  parseConfig(raw, actor) {
    const c = (raw ?? {}) as Partial<PortfolioConfig>;
    const capital = c.capital ?? {};
    for (const [id, value] of Object.entries(capital)) {
      if (!(typeof value === "number" && value > 0)) {
        throw new ConfigError(actor, `capital.${id}`, `must be > 0, got ${value}`);
      }
    }
    return { capital, recordEquity: c.recordEquity ?? false, equitySubscribers: c.equitySubscribers ?? [] };
  },
  init(config) {
    const total = Object.values(config.capital).reduce((a, b) => a + b, 0);
    const strategies = new Map(
      Object.entries(config.capital).map(([id, cash]) => [
        id,
        { ledger: createLedger(cash), trips: createRoundTrips(), equity: new Float64Array(1024) },
      ]),
    );
    return {
      config,
      total: createLedger(total),
      strategies,
      bars: 0,
      ts: new Float64Array(1024),
      equity: new Float64Array(1024),
    };
  },
  // Plain data (Maps and typed arrays clone): a restarted portfolio keeps its ledgers.
  snapshot: (state) => state,
  restore: (snapshot) => snapshot as State,
  receive(state, msg, ctx) {
    switch (msg.type) {
      case "OrderFilled":
      case "OrderPartiallyFilled": {
        const f = msg.fill;
        const signed = f.side === "buy" ? f.qty : -f.qty;
        applyFill(state.total, f.symbol, signed, f.price, f.commission, f.ts);
        let s = state.strategies.get(f.strategyId);
        if (!s) {
          s = { ledger: createLedger(0), trips: createRoundTrips(), equity: new Float64Array(state.equity.length) };
          state.strategies.set(f.strategyId, s);
        }
        applyFill(s.ledger, f.symbol, signed, f.price, f.commission, f.ts);
        recordFill(s.trips, f.strategyId, f.symbol, signed, f.price, f.commission, f.ts, state.bars);
        return state;
      }
      case "Bar": {
        const b = msg.bar;
        markPrice(state.total, b.symbol, b.close);
        for (const s of state.strategies.values()) {
          markPrice(s.ledger, b.symbol, b.close);
          markRange(s.trips, b.symbol, b.low, b.high);
        }
        return state;
      }
      case "EndOfBar": {
        if (state.config.recordEquity) {
          const i = state.bars;
          state.ts = grow(state.ts, i);
          state.equity = grow(state.equity, i);
          state.ts[i] = msg.ts;
          state.equity[i] = equity(state.total);
          for (const s of state.strategies.values()) {
            s.equity = grow(s.equity, i);
            s.equity[i] = equity(s.ledger);
          }
        }
        state.bars++;
        const subscribers = state.config.equitySubscribers!;
        if (subscribers.length > 0) {
          const update = { type: "EquityUpdate", equity: equity(state.total), ts: msg.ts };
          for (const to of subscribers) ctx.tell(to, update);
        }
        return state;
      }
      case "GetPortfolio": {
        const view = (l: Ledger) => ({
          balance: l.balance,
          equity: equity(l),
          unrealized: unrealized(l),
          commissions: l.commissions,
          positions: [...l.holdings.entries()].filter(([, h]) => h.qty !== 0).map(([symbol, h]) => ({
            symbol,
            qty: h.qty,
            avgPrice: h.avgPrice,
            lastPrice: h.lastPrice,
            unrealized: h.qty * (h.lastPrice - h.avgPrice) * h.multiplier,
            realized: h.realized,
          })),
        });
        ctx.reply({
          type: "Portfolio",
          total: view(state.total),
          strategies: Object.fromEntries([...state.strategies].map(([id, s]) => [id, view(s.ledger)])),
        });
        return state;
      }
      case "GetRecord": {
        const n = state.bars;
        const record: PortfolioRecord = {
          type: "PortfolioRecord",
          ts: state.ts.slice(0, n),
          equity: state.equity.slice(0, n),
          perStrategy: Object.fromEntries([...state.strategies].map(([id, s]) => [id, s.equity.slice(0, n)])),
          trades: [...state.strategies.values()].flatMap((s) => s.trips.closed),
          openTrades: [...state.strategies.values()].reduce(
            (sum, s) => sum + [...s.trips.open.values()].reduce((a, lots) => a + lots.length, 0),
            0,
          ),
          commissions: state.total.commissions,
          turnover: state.total.turnover,
        };
        ctx.reply(record);
        return state;
      }
    }
  },
};

export default portfolio;
