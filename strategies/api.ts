/**
 * The strategy API. A strategy is a module exporting one definition (see `defineStrategy`). Its hooks return
 * intents (target positions or orders) and do no I/O; time and randomness come from the context. The same
 * file runs in a backtest, on paper and live: only the actors around it change.
 */
import type { Bar, Fill, OrderChanges, OrderEvent, Tick, Timeframe } from "../actors/protocol/mod.ts";
import type { Logger } from "../actors/runtime/log.ts";
import type { Params, ParamSchema } from "./params.ts";

/** Read-only window over a symbol's closed bars; index 0 is the latest closed bar. No look-ahead possible. */
export interface History {
  readonly length: number;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  open(ago?: number): number;
  high(ago?: number): number;
  low(ago?: number): number;
  close(ago?: number): number;
  volume(ago?: number): number;
  time(ago?: number): number;
  /** The last `n` closes, oldest first (a copy). */
  closes(n: number): Float64Array;
}

export interface OrderView {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly type: string;
  readonly qty: number;
  readonly filledQty: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly status: "pending" | "accepted" | "partially_filled";
}

/**
 * An order placed with a stop-loss or take-profit (its "trade" once filled), as this strategy last asked: a
 * `modify` shows at once and is undone if refused. Gone once an exit fills, the entry ends unfilled, or the
 * position in the symbol is flat.
 */
export interface BracketView {
  /** The entry's client order id: the target of `modify({ trade: parent }, ...)`. */
  readonly parent: string;
  readonly symbol: string;
  /** The entry's side: "buy" protects a long. */
  readonly side: "buy" | "sell";
  readonly stopLoss?: number;
  readonly takeProfit?: number;
  /** Units of the entry filled so far (0: not filled yet, the exits are not placed). */
  readonly entryFilled: number;
}

export interface StrategyContext<P extends ParamSchema = ParamSchema> {
  readonly strategyId: string;
  readonly params: Params<P>;
  /** Clock time: in onBar, the close time of the bar being handled. */
  readonly now: number;
  /** The first subscribed symbol, the default for intents without one. */
  readonly symbol: string;
  readonly symbols: readonly string[];
  /** Signed position in units (+ long, − short), from this strategy's fills. */
  position(symbol?: string): number;
  avgPrice(symbol?: string): number;
  /** This strategy's equity: its capital plus realised and unrealised P&L, minus commissions. */
  readonly equity: number;
  readonly cash: number;
  /**
   * Closed bars of `symbol` (default: the first); with `timeframe`, one of the higher timeframes the strategy declared
   * in `timeframes`, built from the base bars: a higher bar appears only once its last base bar has closed.
   */
  history(symbol?: string, timeframe?: Timeframe): History;
  openOrders(symbol?: string): readonly OrderView[];
  /** This strategy's orders with brackets still protecting (or about to protect) a position, oldest first. */
  brackets(symbol?: string): readonly BracketView[];
  /**
   * The Kelly fraction of this strategy's own closed trades, W − (1 − W) / R (win share W, average win over average
   * loss R, P&L net of commissions), between 0 and `cap` (default 1): 0 before any closed trade or with no edge.
   * E.g. `buy({ fraction: ctx.kellyFraction({ cap: 0.5 }) || 0.1 })`.
   */
  kellyFraction(options?: { readonly cap?: number }): number;
  random(): number;
  readonly log: Logger;
}

export interface OrderIntentOptions {
  readonly symbol?: string;
  /** Units; or use `fraction` to size from available equity at fill time. */
  readonly qty?: number;
  /** Share of available equity (0, 1]: 1 = all available cash in whole units. */
  readonly fraction?: number;
  readonly type?: "market" | "limit" | "stop" | "stop_limit";
  readonly limit?: number;
  readonly stop?: number;
  readonly tif?: "GTC" | "IOC" | "FOK" | "DAY";
  readonly stopLoss?: number;
  readonly takeProfit?: number;
  readonly reduceOnly?: boolean;
  readonly postOnly?: boolean;
  readonly tag?: string;
}

export type Intent =
  | { readonly type: "order"; readonly side: "buy" | "sell"; readonly options: OrderIntentOptions }
  /** Trade to reach `qty` units (signed) in `symbol`. */
  | { readonly type: "target"; readonly symbol?: string; readonly qty: number }
  /** Flatten the position (market, reduce-only). */
  | { readonly type: "close"; readonly symbol?: string }
  | { readonly type: "cancel"; readonly clientOrderId: string }
  /** Change an open order, or a trade's exits (see `modify`). */
  | { readonly type: "modify"; readonly target: ModifyTarget; readonly changes: OrderChanges }
  | { readonly type: "cancelAll"; readonly symbol?: string };

/** A resting order's client order id, or `{ trade: parent }`: the exits of a bracket order that filled. */
export type ModifyTarget = string | { readonly trade: string };

export type { OrderChanges };

export type Intents = Intent | readonly Intent[] | void | undefined;

export const buy = (options: OrderIntentOptions = { fraction: 1 }): Intent => ({ type: "order", side: "buy", options });
export const sell = (options: OrderIntentOptions = { fraction: 1 }): Intent => ({
  type: "order",
  side: "sell",
  options,
});
export const target = (qty: number, symbol?: string): Intent => ({ type: "target", qty, symbol });
export const close = (symbol?: string): Intent => ({ type: "close", symbol });
export const cancel = (clientOrderId: string): Intent => ({ type: "cancel", clientOrderId });
/**
 * Changes an open order in place (`limitPrice`, `stopPrice`, `qty`; an unfilled bracket entry's `stopLoss` and
 * `takeProfit`), or a filled trade's exits (`{ trade: parentId }`: `stopLoss`, `takeProfit`). Prices snap to the tick,
 * the quantity down to the step. The risk guardian checks the changed order like a new one; the answer is an
 * `OrderModified` event, or `OrderModifyRejected` with the reason (the order stays as it was).
 */
export const modify = (target: ModifyTarget, changes: OrderChanges): Intent => ({ type: "modify", target, changes });
export const cancelAll = (symbol?: string): Intent => ({ type: "cancelAll", symbol });

export interface Subscription {
  readonly symbol: string;
  readonly timeframe?: Timeframe;
}

export interface StrategyDefinition<P extends ParamSchema = ParamSchema, S = unknown> {
  readonly name: string;
  readonly description?: string;
  readonly params: P;
  /** Cross-parameter rule, e.g. `fast < slow`; return "name why" (e.g. "fast must be below slow (20 ≥ 10)"). */
  readonly constraint?: (params: Params<P>) => string | undefined;
  /**
   * Bars before the strategy can act (its longest indicator warm-up). The report measures Buy & Hold from
   * there, as backtesting.py does.
   */
  readonly warmupBars?: (params: Params<P>) => number;
  /** Bars kept per symbol (and per timeframe) for `ctx.history` (default 500). */
  readonly historySize?: number;
  /**
   * Higher timeframes the strategy reads with `ctx.history(symbol, tf)`, e.g. `["1h", "1d"]` on 5m bars: each a whole
   * multiple of the bars it runs on (a strategy that declares a finer one refuses to start, saying so).
   */
  readonly timeframes?: readonly Timeframe[];
  init(ctx: StrategyContext<P>): S;
  onStart?(state: S, ctx: StrategyContext<P>): Intents;
  onBar?(state: S, bar: Bar, ctx: StrategyContext<P>): Intents;
  onTick?(state: S, tick: Tick, ctx: StrategyContext<P>): Intents;
  onOrderFilled?(state: S, fill: Fill, ctx: StrategyContext<P>): Intents;
  onOrderEvent?(state: S, event: OrderEvent, ctx: StrategyContext<P>): Intents;
  onStop?(state: S, ctx: StrategyContext<P>): Intents;
  /** Optional: a structured-clone-safe copy of the state; without it a restart replays history to warm up. */
  snapshot?(state: S): unknown;
  restore?(snapshot: unknown, ctx: StrategyContext<P>): S;
}

// deno-lint-ignore no-explicit-any
export type AnyStrategy = StrategyDefinition<any, any>;

/** Identity function that lets TypeScript infer the parameter types from the schema. */
export function defineStrategy<const P extends ParamSchema, S>(
  definition: StrategyDefinition<P, S>,
): StrategyDefinition<P, S> {
  return definition;
}
