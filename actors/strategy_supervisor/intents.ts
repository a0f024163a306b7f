/** Turns a strategy's intents into venue commands, with deterministic client order ids. */
import type { CancelAll, CancelOrder, ModifyOrder, OrderChanges, OrderRequest, SubmitOrder } from "../protocol/mod.ts";
import type { Intent, OrderIntentOptions } from "../../strategies/api.ts";
import { snapPrice, snapQty } from "../exchange/snap.ts";

export interface IntentEnv {
  readonly strategyId: string;
  readonly venue: string;
  readonly self: string;
  readonly now: number;
  readonly defaultSymbol: string;
  position(symbol: string): number;
  /** Signed quantity of this strategy's open orders in `symbol` (not yet filled). */
  pending(symbol: string): number;
  lastPrice(symbol: string): number;
  step(symbol: string): number;
  tick(symbol: string): number;
  nextOrderId(): string;
  /** A modify's id: `${target}~${n}` from the same sequence as order ids (deterministic). */
  nextModifyId(target: string): string;
  /** The symbol of one of this strategy's orders or brackets, when known (to snap a modify's prices). */
  symbolOf(clientOrderId: string): string | undefined;
}

export type Command = SubmitOrder | CancelOrder | ModifyOrder | CancelAll;

export class IntentError extends Error {
  override name = "IntentError";
}

function orderType(o: OrderIntentOptions): OrderRequest["type"] {
  if (o.type) return o.type;
  if (o.limit !== undefined && o.stop !== undefined) return "stop_limit";
  if (o.limit !== undefined) return "limit";
  if (o.stop !== undefined) return "stop";
  return "market";
}

function request(env: IntentEnv, side: "buy" | "sell", o: OrderIntentOptions): OrderRequest | undefined {
  const symbol = o.symbol ?? env.defaultSymbol;
  const type = orderType(o);
  const tick = env.tick(symbol);
  if (o.qty === undefined && o.fraction === undefined) throw new IntentError(`${side} intent needs qty or fraction`);
  if (o.fraction !== undefined && !(o.fraction > 0 && o.fraction <= 1)) {
    throw new IntentError(`${side} intent: fraction must be in (0, 1], got ${o.fraction}`);
  }
  const qty = o.qty === undefined ? 0 : snapQty(o.qty, env.step(symbol));
  if (o.qty !== undefined && !(qty > 0)) return undefined; // rounds to nothing: no order
  const bracket = o.stopLoss !== undefined || o.takeProfit !== undefined
    ? {
      ...(o.stopLoss !== undefined ? { stopLoss: snapPrice(o.stopLoss, tick) } : {}),
      ...(o.takeProfit !== undefined ? { takeProfit: snapPrice(o.takeProfit, tick) } : {}),
    }
    : undefined;
  const refPrice = env.lastPrice(symbol);
  // Built by assignment, not by spreading optional parts: this runs for every order of a backtest.
  const order: { -readonly [K in keyof OrderRequest]: OrderRequest[K] } = {
    clientOrderId: env.nextOrderId(),
    strategyId: env.strategyId,
    venue: env.venue,
    symbol,
    side,
    type,
    qty,
    tif: o.tif ?? "GTC",
    ts: env.now,
  };
  if (o.limit !== undefined) order.limitPrice = snapPrice(o.limit, tick);
  if (o.stop !== undefined) order.stopPrice = snapPrice(o.stop, tick);
  if (o.fraction !== undefined && o.qty === undefined) order.sizing = { mode: "equity_fraction", fraction: o.fraction };
  if (o.reduceOnly) order.reduceOnly = true;
  if (o.postOnly) order.postOnly = true;
  if (bracket) order.bracket = bracket;
  if (o.tag) order.tag = o.tag;
  if (Number.isFinite(refPrice)) order.refPrice = refPrice;
  return order;
}

export function toCommands(env: IntentEnv, intent: Intent): Command[] {
  switch (intent.type) {
    case "order": {
      const order = request(env, intent.side, intent.options);
      return order ? [{ type: "SubmitOrder", order, replyTo: env.self }] : [];
    }
    case "target": {
      const symbol = intent.symbol ?? env.defaultSymbol;
      const diff = snapQty(intent.qty - env.position(symbol) - env.pending(symbol), env.step(symbol));
      if (diff === 0) return [];
      const order = request(env, diff > 0 ? "buy" : "sell", { symbol, qty: Math.abs(diff) });
      return order ? [{ type: "SubmitOrder", order, replyTo: env.self }] : [];
    }
    case "close": {
      const symbol = intent.symbol ?? env.defaultSymbol;
      const position = env.position(symbol);
      if (position === 0) return [];
      const order = request(env, position > 0 ? "sell" : "buy", { symbol, qty: Math.abs(position), reduceOnly: true });
      return order ? [{ type: "SubmitOrder", order, replyTo: env.self }] : [];
    }
    case "cancel":
      return [{
        type: "CancelOrder",
        clientOrderId: intent.clientOrderId,
        strategyId: env.strategyId,
        replyTo: env.self,
      }];
    case "modify": {
      const trade = typeof intent.target === "object";
      const id = typeof intent.target === "object" ? intent.target?.trade : intent.target;
      if (typeof id !== "string" || id.length === 0) {
        throw new IntentError(
          `modify intent needs an order id or { trade: parentId }, got ${JSON.stringify(intent.target)}`,
        );
      }
      const symbol = env.symbolOf(id) ?? env.defaultSymbol;
      return [{
        type: "ModifyOrder",
        clientOrderId: id,
        strategyId: env.strategyId,
        modifyId: env.nextModifyId(id),
        changes: snapChanges(intent.changes ?? {}, env.tick(symbol), env.step(symbol)),
        ...(trade ? { trade: true } : {}),
        replyTo: env.self,
      }];
    }
    case "cancelAll":
      return [{ type: "CancelAll", strategyId: env.strategyId, ...(intent.symbol ? { symbol: intent.symbol } : {}) }];
  }
}

/** Prices to the tick, the quantity down to the step; other fields dropped (what is not a number stays, to be refused). */
function snapChanges(changes: OrderChanges, tick: number, step: number): OrderChanges {
  const out: { -readonly [K in keyof OrderChanges]: number } = {};
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  if (changes.qty !== undefined) out.qty = num(changes.qty) ? snapQty(changes.qty, step) : changes.qty;
  for (const f of ["limitPrice", "stopPrice", "stopLoss", "takeProfit"] as const) {
    const v = changes[f];
    if (v !== undefined) out[f] = num(v) ? snapPrice(v, tick) : v;
  }
  return out;
}
