/**
 * The simulated venue's matching engine, as plain functions over its state. The sim exchange actor
 * (backtests) and the paper exchange (live data) both run it.
 *
 * Bar fill rules (backtesting.py v0.6.6 conventions):
 * - market orders fill at the next bar's open (or, with fillAt "close", at once at the last close);
 * - stop orders trigger when the bar trades through the stop (buy: high ≥ stop; sell: low ≤ stop) and fill
 *   at the stop, or at the open when the bar gaps through it;
 * - limit orders fill when the bar reaches the limit (buy: low ≤ limit; sell: high ≥ limit), at the limit or
 *   the better open;
 * - stop-limit: triggers as a stop, then fills as a limit; when both are hit in one bar the limit is assumed
 *   to be reached before the stop (pessimistic, as backtesting.py), so it waits for the next bar;
 * - within a bar, position closes (reduce-only market orders) go first, then orders in submission order;
 *   brackets (stop-loss before take-profit) may fill in the bar their parent filled;
 * - the gap rule (fill at the open) applies only to orders live at the bar's open: an exit placed mid-bar (the
 *   bracket of a stop or limit entry) fills at its own price or at its parent's fill price, never at a price that
 *   traded before it existed;
 * - fills carry the time of the bar they happen in (its open time), at the open or at the close alike.
 *
 * Modify (`modifyOrder`), in place, same id and venue order id, rules in ../modify.ts; queue position follows
 * price-time priority: a smaller quantity keeps the order's place, a new price or a larger quantity moves it behind
 * the orders resting now (in a bar: after them in the fill order; on ticks it arrives again, so a limit moved
 * through the touch takes liquidity on the next tick). A bracket's exits placed here (`${parent}-sl` / `-tp`) are
 * moved by the parent's id; before the parent fills, its bracket is changed instead. A modify reaches the venue
 * between bars, so the modified order is live at the next bar's open (the gap rule applies to it).
 */
import type {
  Bar,
  ContractTerms,
  Fill,
  Instrument,
  ModifyOrder,
  OrderChanges,
  OrderEvent,
  OrderRequest,
} from "../../protocol/mod.ts";
import {
  applyFill,
  createLedger,
  equity,
  type Ledger,
  marginUsed,
  markPrice,
  positionOf,
} from "../../portfolio/ledger.ts";
import { snapPrice, snapQty } from "../snap.ts";
import { applyChanges, changesProblem, losesPriority, tradeChangesProblem } from "../modify.ts";
import { clampSized } from "../sizing.ts";
import { commissionFor, type CostModels, executionPrice, NO_COSTS, sizingCosts } from "./costs.ts";

export interface SimConfig {
  readonly venue: string;
  readonly initialCash: number;
  /** 1 = cash account; 2 = 50% margin, and so on. */
  readonly leverage: number;
  readonly costs: CostModels;
  readonly fillAt: "next_open" | "close";
  /** Largest share of a bar's volume one order may take (partial fills); undefined = no cap. */
  readonly volumeShare?: number;
  readonly allowShort: boolean;
  /** Known instruments; when given, orders for other symbols are rejected. */
  readonly instruments?: Readonly<Record<string, Instrument>>;
  /**
   * Contract terms per symbol (multiplier, initial margin and commission per contract), for symbols without a full
   * instrument entry; other symbols still trade, as spot units. An instrument's own terms win.
   */
  readonly contracts?: Readonly<Record<string, ContractTerms>>;
  /** The account's currency (balances, and fills of symbols without an instrument entry); default "USD". */
  readonly currency?: string;
  /**
   * Capital per strategy: equity-fraction orders are sized from the strategy's own share of the account (its
   * capital plus its realised and unrealised P&L), not from the whole venue account, so strategies sharing a
   * venue do not size against each other's money. Without an entry, the whole account is used.
   */
  readonly strategyCapital?: Readonly<Record<string, number>>;
  /** Used for symbols without an instrument entry. */
  readonly defaultStep: number;
  readonly defaultTick: number;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  venue: "sim",
  initialCash: 10_000,
  leverage: 1,
  costs: NO_COSTS,
  fillAt: "next_open",
  allowShort: true,
  defaultStep: 1,
  defaultTick: 0,
};

export interface Resting {
  /** Replaced (not mutated) by a modify. */
  order: OrderRequest;
  readonly replyTo: string;
  readonly venueOrderId: string;
  /** NaN until an equity-fraction order is sized at its first fill. */
  remaining: number;
  filled: number;
  triggered: boolean;
  readonly expiresAt: number;
  readonly maker: boolean;
  /** A bracket placed during a bar: that bar's ts and the price it became active at (its parent's fill price). */
  activatedAt?: { readonly ts: number; readonly price: number };
  /** Tick matching: the order has seen a tick (it is resting in the book, no longer arriving). */
  ticked?: boolean;
}

export interface SimState {
  readonly config: SimConfig;
  readonly account: Ledger;
  /** Per-strategy ledgers for sizing (see `strategyCapital`); plain data like the account. */
  subAccounts?: Map<string, Ledger>;
  orders: Resting[];
  readonly lastBar: Map<string, Bar>;
  orderSeq: number;
  fillSeq: number;
}

export type Emit = (to: string, event: OrderEvent) => void;

export function createSimState(config: SimConfig): SimState {
  return {
    config,
    account: createLedger(config.initialCash),
    subAccounts: new Map(),
    orders: [],
    lastBar: new Map(),
    orderSeq: 0,
    fillSeq: 0,
  };
}

const DAY_MS = 86_400_000;

function stepOf(state: SimState, symbol: string): number {
  return state.config.instruments?.[symbol]?.stepSize ?? state.config.defaultStep;
}
function tickOf(state: SimState, symbol: string): number {
  return state.config.instruments?.[symbol]?.tickSize ?? state.config.defaultTick;
}
function multiplierOf(state: SimState, symbol: string): number {
  return state.config.instruments?.[symbol]?.multiplier ?? state.config.contracts?.[symbol]?.multiplier ?? 1;
}
/** Initial margin per contract; 0: notional / leverage. */
function marginOf(state: SimState, symbol: string): number {
  return state.config.instruments?.[symbol]?.margin ?? state.config.contracts?.[symbol]?.margin ?? 0;
}
/** The symbol's own commission per contract, on top of the venue's commission model. */
function contractFeeOf(state: SimState, symbol: string): number {
  return state.config.instruments?.[symbol]?.commissionPerUnit ?? state.config.contracts?.[symbol]?.commissionPerUnit ??
    0;
}

function invalid(order: OrderRequest, state: SimState): string | undefined {
  const instruments = state.config.instruments;
  if (instruments && !instruments[order.symbol]) return `unknown symbol "${order.symbol}" at ${state.config.venue}`;
  if (order.sizing) {
    if (!(order.sizing.fraction > 0 && order.sizing.fraction <= 1)) return "sizing fraction must be in (0, 1]";
  } else if (!(order.qty > 0) || !Number.isFinite(order.qty)) {
    return `quantity must be a positive number, got ${order.qty}`;
  }
  const needsLimit = order.type === "limit" || order.type === "stop_limit";
  const needsStop = order.type === "stop" || order.type === "stop_limit";
  if (needsLimit && !(order.limitPrice! > 0)) return `${order.type} order needs a positive limit price`;
  if (needsStop && !(order.stopPrice! > 0)) return `${order.type} order needs a positive stop price`;
  const instrument = instruments?.[order.symbol];
  if (instrument && !order.sizing && order.qty < instrument.minQty) {
    return `quantity ${order.qty} is below the minimum ${instrument.minQty}`;
  }
  if (order.postOnly && order.type === "limit") {
    const last = state.lastBar.get(order.symbol)?.close;
    const crosses = last !== undefined &&
      (order.side === "buy" ? order.limitPrice! >= last : order.limitPrice! <= last);
    if (crosses) return "post-only limit order would take liquidity";
  }
  return undefined;
}

export function submitOrder(state: SimState, order: OrderRequest, replyTo: string, now: number, emit: Emit): void {
  const duplicate = state.orders.some((r) => r.order.clientOrderId === order.clientOrderId);
  const reason = duplicate ? `duplicate client order id ${order.clientOrderId}` : invalid(order, state);
  if (reason) {
    emit(replyTo, {
      type: "OrderRejected",
      clientOrderId: order.clientOrderId,
      strategyId: order.strategyId,
      reason,
      ts: now,
    });
    return;
  }
  const resting: Resting = {
    order,
    replyTo,
    venueOrderId: `${state.config.venue}-${++state.orderSeq}`,
    remaining: order.sizing ? NaN : snapQty(order.qty, stepOf(state, order.symbol)),
    filled: 0,
    triggered: false,
    expiresAt: order.tif === "DAY" ? (Math.floor(now / DAY_MS) + 1) * DAY_MS : Infinity,
    maker: order.type === "limit",
  };
  state.orders.push(resting);
  emit(replyTo, {
    type: "OrderAccepted",
    clientOrderId: order.clientOrderId,
    venueOrderId: resting.venueOrderId,
    strategyId: order.strategyId,
    ts: now,
  });
  if (order.type === "market" && state.config.fillAt === "close") {
    const last = state.lastBar.get(order.symbol);
    if (last) {
      fillResting(state, resting, last.close, last, last.ts, emit);
      removeDone(state);
    }
  }
}

export function cancelOrder(
  state: SimState,
  clientOrderId: string,
  strategyId: string,
  replyTo: string,
  now: number,
  emit: Emit,
): void {
  const resting = state.orders.find((r) => r.order.clientOrderId === clientOrderId);
  if (!resting) {
    emit(replyTo, {
      type: "OrderRejected",
      clientOrderId,
      strategyId,
      reason: "cancel: unknown or closed order",
      ts: now,
    });
    return;
  }
  finish(state, resting, "OrderCanceled", "canceled by request", now, emit);
  removeDone(state);
}

/** What a modify names: the order, its changes and the request's id (see ModifyOrder). */
export type ModifyRequest = Pick<ModifyOrder, "clientOrderId" | "strategyId" | "modifyId" | "changes" | "trade">;

function live(state: SimState, clientOrderId: string): Resting | undefined {
  return state.orders.find((r) => r.order.clientOrderId === clientOrderId && r.remaining !== DONE);
}

/** Changes an open order in place, or a filled bracket parent's exits (rules in the module comment). */
export function modifyOrder(state: SimState, req: ModifyRequest, replyTo: string, now: number, emit: Emit): void {
  const { clientOrderId, strategyId, modifyId } = req;
  const refuse = (reason: string) =>
    emit(replyTo, { type: "OrderModifyRejected", clientOrderId, strategyId, modifyId, reason, denied: false, ts: now });
  const own = req.trade ? undefined : live(state, clientOrderId);
  if (own && own.order.strategyId !== strategyId) {
    return refuse(`modify: ${clientOrderId} is not an order of ${strategyId}`);
  }
  if (own) {
    const changes = snapChanges(state, own.order.symbol, req.changes);
    const problem = changesProblem(own.order, changes, own.filled, own.triggered);
    if (problem) return refuse(problem);
    const order = applyChanges(own.order, changes);
    const reason = invalid(order, state);
    if (reason) return refuse(`modify: ${reason}`);
    const requeue = losesPriority(own.order, changes);
    own.order = order;
    if (changes.qty !== undefined) own.remaining = snapQty(changes.qty - own.filled, stepOf(state, order.symbol));
    if (requeue) moveToBack(state, own);
    emit(replyTo, { type: "OrderModified", clientOrderId, strategyId, modifyId, changes, ts: now });
    return;
  }
  const sl = live(state, `${clientOrderId}-sl`);
  const tp = live(state, `${clientOrderId}-tp`);
  if (!sl && !tp) {
    return refuse(`modify: ${clientOrderId} is not open (filled, closed or unknown) and has no open exits`);
  }
  if ((sl ?? tp)!.order.strategyId !== strategyId) {
    return refuse(`modify: ${clientOrderId} is not an order of ${strategyId}`);
  }
  const problem = tradeChangesProblem(req.changes) ??
    (req.changes.stopLoss !== undefined && !sl ? `modify: trade ${clientOrderId} has no open stop-loss` : undefined) ??
    (req.changes.takeProfit !== undefined && !tp
      ? `modify: trade ${clientOrderId} has no open take-profit`
      : undefined);
  if (problem) return refuse(problem);
  const changes = snapChanges(state, (sl ?? tp)!.order.symbol, req.changes);
  const legs: [Resting | undefined, OrderChanges][] = [
    [sl, changes.stopLoss !== undefined ? { stopPrice: changes.stopLoss } : {}],
    [tp, changes.takeProfit !== undefined ? { limitPrice: changes.takeProfit } : {}],
  ];
  for (const [leg, change] of legs) {
    if (!leg || Object.keys(change).length === 0) continue;
    const requeue = losesPriority(leg.order, change);
    leg.order = applyChanges(leg.order, change);
    if (requeue) moveToBack(state, leg);
    emit(leg.replyTo, {
      type: "OrderModified",
      clientOrderId: leg.order.clientOrderId,
      strategyId,
      modifyId,
      changes: change,
      ts: now,
    });
  }
  emit(replyTo, { type: "OrderModified", clientOrderId, strategyId, modifyId, changes, ts: now });
}

/** Prices to the tick, quantity down to the step: the rounding every order gets (see snap.ts). */
function snapChanges(state: SimState, symbol: string, changes: OrderChanges): OrderChanges {
  const tick = tickOf(state, symbol);
  const out: { -readonly [K in keyof OrderChanges]: number } = {};
  if (changes.qty !== undefined) out.qty = snapQty(changes.qty, stepOf(state, symbol));
  for (const f of ["limitPrice", "stopPrice", "stopLoss", "takeProfit"] as const) {
    if (changes[f] !== undefined) out[f] = snapPrice(changes[f]!, tick);
  }
  return out;
}

/** Behind every order resting now; a new arrival for tick matching. */
function moveToBack(state: SimState, r: Resting): void {
  state.orders = [...state.orders.filter((o) => o !== r), r];
  r.ticked = false;
}

export function cancelAll(state: SimState, now: number, emit: Emit, strategyId?: string, symbol?: string): void {
  for (const r of state.orders) {
    if (strategyId !== undefined && r.order.strategyId !== strategyId) continue;
    if (symbol !== undefined && r.order.symbol !== symbol) continue;
    finish(state, r, "OrderCanceled", "cancel all", now, emit);
  }
  removeDone(state);
}

export const DONE = -1;

export function finish(
  state: SimState,
  r: Resting,
  type: "OrderCanceled" | "OrderExpired",
  reason: string,
  now: number,
  emit: Emit,
): void {
  if (r.remaining === DONE) return;
  r.remaining = DONE;
  const { clientOrderId, strategyId } = r.order;
  emit(
    r.replyTo,
    type === "OrderCanceled"
      ? { type, clientOrderId, strategyId, reason, ts: now }
      : { type, clientOrderId, strategyId, ts: now },
  );
  void state;
}

export function removeDone(state: SimState): void {
  if (state.orders.some((r) => r.remaining === DONE)) state.orders = state.orders.filter((r) => r.remaining !== DONE);
}

/** Trigger and limit rules for one bar: the price to fill at, or undefined when the order does not trade. */
function touchPrice(r: Resting, bar: Bar): number | undefined {
  const o = r.order;
  const buy = o.side === "buy";
  // The earliest price this order could trade at in this bar: the open, or where it became active mid-bar.
  const open = r.activatedAt?.ts === bar.ts ? r.activatedAt.price : bar.open;
  let stop: number | undefined;
  if ((o.type === "stop" || o.type === "stop_limit") && !r.triggered) {
    const hit = buy ? bar.high >= o.stopPrice! : bar.low <= o.stopPrice!;
    if (!hit) return undefined;
    r.triggered = true;
    stop = o.stopPrice!;
  }
  if (o.type === "limit" || o.type === "stop_limit") {
    const limit = o.limitPrice!;
    const hit = buy ? bar.low <= limit : bar.high >= limit;
    const limitBeforeStop = hit && stop !== undefined && (buy ? limit <= stop : limit >= stop);
    if (!hit || limitBeforeStop) return undefined;
    return buy ? Math.min(stop ?? open, limit) : Math.max(stop ?? open, limit);
  }
  if (stop !== undefined) return buy ? Math.max(open, stop) : Math.min(open, stop);
  return open;
}

const isClose = (r: Resting) => r.order.reduceOnly === true && r.order.type === "market";

/** Processes a new bar: expiries, then fills in submission order, then marks the account at the close. */
export function onBar(state: SimState, bar: Bar, emit: Emit): void {
  const now = bar.ts;
  if (state.orders.length === 0) {
    state.lastBar.set(bar.symbol, bar);
    markPrice(state.account, bar.symbol, bar.close);
    return;
  }
  let pass = state.orders.filter((r) => r.order.symbol === bar.symbol);
  // Position closes first (reduce-only market orders), then the rest in submission order: a close decided on
  // the previous bar executes at the open before a resting stop-loss can (backtesting.py's order queue).
  if (pass.some(isClose)) pass = [...pass.filter(isClose), ...pass.filter((r) => !isClose(r))];
  for (let round = 0; pass.length > 0 && round < 4; round++) {
    const before = state.orders.length;
    for (const r of pass) {
      if (r.remaining === DONE) continue;
      if (r.expiresAt <= bar.ts) {
        finish(state, r, "OrderExpired", "expired", now, emit);
        continue;
      }
      const price = touchPrice(r, bar);
      if (price === undefined) {
        if (r.order.tif === "IOC" || r.order.tif === "FOK") {
          finish(state, r, "OrderCanceled", "not filled (IOC)", now, emit);
        }
        continue;
      }
      fillResting(state, r, price, bar, now, emit);
    }
    // Brackets created by market fills in this bar may trigger in this bar too.
    pass = state.orders.slice(before).filter((r) => r.order.symbol === bar.symbol && r.remaining !== DONE);
  }
  removeDone(state);
  state.lastBar.set(bar.symbol, bar);
  markPrice(state.account, bar.symbol, bar.close);
}

export function fillResting(
  state: SimState,
  r: Resting,
  touch: number,
  bar: Bar,
  now: number,
  emit: Emit,
): void {
  const o = r.order;
  const cfg = state.config;
  const side = o.side === "buy" ? 1 : -1;
  const step = stepOf(state, o.symbol);
  const multiplier = multiplierOf(state, o.symbol);
  const margin = marginOf(state, o.symbol);
  const contractFee = contractFeeOf(state, o.symbol);
  // Strategies with their own capital are sub-accounts: their positions do not net with each other's.
  const own = sizingAccount(state, o.strategyId);
  const position = positionOf(own, o.symbol);
  const venueFees = sizingCosts(cfg.costs.commission);
  const fees = contractFee > 0 ? { ...venueFees, perUnit: venueFees.perUnit + contractFee } : venueFees;
  const costRate = fees.rate;

  if (Number.isNaN(r.remaining)) {
    // backtesting.py 0.6.6 (_Broker._process_orders): int(margin_available × leverage × fraction //
    // (adjusted_price + commission(fraction, price) / fraction)); its commission of the fractional "size" is
    // fixed + fraction × price × rate, so the fixed fee counts as fixed / fraction per unit. Same here.
    const fraction = o.sizing!.fraction === 1 ? 1 - Number.EPSILON : o.sizing!.fraction;
    // With a margin per contract, a contract ties up its margin (not its notional / leverage); fees as above.
    const exec = executionPrice(cfg.costs, side, touch, 0, bar);
    const adjusted = margin > 0
      ? margin * cfg.leverage + exec * costRate * multiplier + fees.perUnit + fees.perFill / fraction
      : exec * (1 + costRate) * multiplier + fees.perUnit + fees.perFill / fraction;
    const available = availableAfterClosing(state, own, o.symbol, touch, 0);
    r.remaining = snapQty(Math.floor(available * cfg.leverage * fraction / adjusted / step) * step, step);
    if (!(r.remaining > 0)) {
      finish(state, r, "OrderCanceled", "insufficient margin to size the order", now, emit);
      return;
    }
    r.remaining = clampSized(r.remaining, o, executionPrice(cfg.costs, side, touch, 0, bar) * multiplier, step);
    if (!(r.remaining > 0)) {
      finish(state, r, "OrderCanceled", "no room under the risk limits at the fill price", now, emit);
      return;
    }
  }
  let qty = r.remaining;
  if (o.reduceOnly) {
    const reducible = Math.sign(position) === -side ? Math.abs(position) : 0;
    if (reducible === 0) {
      finish(state, r, "OrderCanceled", "reduce-only order has no position to reduce", now, emit);
      return;
    }
    qty = Math.min(qty, reducible);
  }
  if (cfg.volumeShare !== undefined && bar.volume > 0) {
    const cap = snapQty(bar.volume * cfg.volumeShare, step);
    if (o.tif === "FOK" && cap < qty) {
      finish(state, r, "OrderCanceled", "fill-or-kill: not enough volume", now, emit);
      return;
    }
    qty = Math.min(qty, cap);
    if (!(qty > 0)) return; // wait for volume
  }
  const closing = Math.sign(position) === -side ? Math.min(qty, Math.abs(position)) : 0;
  const opening = qty - closing;
  const price = snapPrice(executionPrice(cfg.costs, side, touch, qty, bar, opening / qty), tickOf(state, o.symbol));
  if (opening > 0) {
    if (!cfg.allowShort && side < 0) {
      finish(state, r, "OrderCanceled", `short selling is not allowed (position ${position})`, now, emit);
      return;
    }
    const required = margin > 0
      ? opening * margin + (opening * price * multiplier * costRate + qty * fees.perUnit + fees.perFill) / cfg.leverage
      : (opening * price * multiplier * (1 + costRate) + qty * fees.perUnit + fees.perFill) / cfg.leverage;
    const available = availableAfterClosing(state, own, o.symbol, price, closing);
    if (required > available * (1 + 1e-12)) {
      finish(
        state,
        r,
        "OrderCanceled",
        `insufficient margin: needs ${required.toFixed(2)}, has ${available.toFixed(2)}`,
        now,
        emit,
      );
      return;
    }
  }
  const venueCommission = commissionFor(cfg.costs.commission, qty, price * multiplier, r.maker);
  const commission = contractFee > 0 ? venueCommission + qty * contractFee : venueCommission;
  applyFill(state.account, o.symbol, side * qty, price, commission, now, multiplier, margin);
  if (own !== state.account) applyFill(own, o.symbol, side * qty, price, commission, now, multiplier, margin);
  r.filled += qty;
  r.remaining = o.reduceOnly && closing === qty && Math.abs(positionOf(own, o.symbol)) === 0
    ? 0
    : snapQty(r.remaining - qty, step);
  const fill: Fill = {
    fillId: `${cfg.venue}-f${++state.fillSeq}`,
    clientOrderId: o.clientOrderId,
    venueOrderId: r.venueOrderId,
    strategyId: o.strategyId,
    venue: cfg.venue,
    symbol: o.symbol,
    side: o.side,
    qty,
    price,
    commission,
    commissionCurrency: cfg.instruments?.[o.symbol]?.quoteCurrency ?? cfg.currency ?? "USD",
    liquidity: r.maker ? "maker" : "taker",
    ts: now,
    ...(multiplier !== 1 ? { multiplier } : {}),
  };
  if (r.remaining > 0) {
    emit(r.replyTo, {
      type: "OrderPartiallyFilled",
      clientOrderId: o.clientOrderId,
      strategyId: o.strategyId,
      fill,
      filledQty: r.filled,
      leavesQty: r.remaining,
    });
    return;
  }
  r.remaining = DONE;
  emit(r.replyTo, {
    type: "OrderFilled",
    clientOrderId: o.clientOrderId,
    strategyId: o.strategyId,
    fill,
    filledQty: r.filled,
  });
  if (o.ocoGroup) {
    for (const other of state.orders) {
      if (other !== r && other.order.ocoGroup === o.ocoGroup) {
        finish(state, other, "OrderCanceled", "OCO sibling filled", now, emit);
      }
    }
  }
  if (o.bracket) placeBracket(state, r, { ts: bar.ts, price: touch }, now, emit);
}

function placeBracket(
  state: SimState,
  parent: Resting,
  activatedAt: Resting["activatedAt"],
  now: number,
  emit: Emit,
): void {
  const o = parent.order;
  const exitSide = o.side === "buy" ? "sell" : "buy";
  const base = {
    strategyId: o.strategyId,
    venue: o.venue,
    symbol: o.symbol,
    side: exitSide,
    qty: parent.filled,
    tif: "GTC",
    reduceOnly: true,
    ocoGroup: `${o.clientOrderId}-oco`,
    ts: now,
  } as const;
  if (o.bracket!.stopLoss !== undefined) {
    submitOrder(
      state,
      { ...base, clientOrderId: `${o.clientOrderId}-sl`, type: "stop", stopPrice: o.bracket!.stopLoss },
      parent.replyTo,
      now,
      emit,
    );
    activate(state, `${o.clientOrderId}-sl`, activatedAt);
  }
  if (o.bracket!.takeProfit !== undefined) {
    submitOrder(
      state,
      { ...base, clientOrderId: `${o.clientOrderId}-tp`, type: "limit", limitPrice: o.bracket!.takeProfit },
      parent.replyTo,
      now,
      emit,
    );
    activate(state, `${o.clientOrderId}-tp`, activatedAt);
  }
}

/** A strategy's own capital for sizing (one added while running); a sub-account it already has stays as it is. */
export function setStrategyCapital(state: SimState, strategyId: string, capital: number): void {
  const config = { ...state.config, strategyCapital: { ...state.config.strategyCapital, [strategyId]: capital } };
  (state as { config: SimConfig }).config = config;
}

/** Capital moved by a rebalance: a strategy with a sub-account sizes from its new capital; others have none. */
export function adjustStrategyCapital(state: SimState, strategyId: string, delta: number): void {
  const capital = state.config.strategyCapital?.[strategyId];
  if (capital === undefined) return;
  const ledger = state.subAccounts?.get(strategyId);
  if (ledger) ledger.balance += delta;
  else setStrategyCapital(state, strategyId, capital + delta);
}

function activate(state: SimState, clientOrderId: string, activatedAt: Resting["activatedAt"]): void {
  const child = state.orders.find((r) => r.order.clientOrderId === clientOrderId && r.remaining !== DONE);
  if (child) child.activatedAt = activatedAt;
}

/** The ledger an equity-fraction order of `strategyId` is sized from, marked at the last closes. */
function sizingAccount(state: SimState, strategyId: string): Ledger {
  const capital = state.config.strategyCapital?.[strategyId];
  if (capital === undefined) return state.account;
  const subs = state.subAccounts ??= new Map();
  let ledger = subs.get(strategyId);
  if (!ledger) subs.set(strategyId, ledger = createLedger(capital));
  for (const [symbol, h] of ledger.holdings) {
    const last = state.lastBar.get(symbol);
    if (last) h.lastPrice = last.close;
  }
  return ledger;
}

/** Margin available for new exposure once `closing` units of the opposite position are closed at `price`. */
function availableAfterClosing(
  state: SimState,
  account: Ledger,
  symbol: string,
  price: number,
  closing: number,
): number {
  const h = account.holdings.get(symbol);
  if (!h || h.qty === 0) return Math.max(0, equity(account) - marginUsed(account, state.config.leverage));
  const last = h.lastPrice;
  h.lastPrice = price; // value the position at the execution price, as the fill will
  const eq = equity(account);
  const used = marginUsed(account, state.config.leverage);
  h.lastPrice = last;
  const released = h.margin ? closing * h.margin : closing * price * h.multiplier / state.config.leverage;
  return Math.max(0, eq - used + released);
}

export function accountEquity(state: SimState): number {
  return equity(state.account);
}
