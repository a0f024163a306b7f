/**
 * Synthetic brackets, for venues without native ones (Binance spot has none for a market entry): the risk
 * guardian strips the bracket from the entry and manages the exits itself, as plain functions over plain data
 * (a bracket is snapshotted with the guardian's state: JSON- and structuredClone-safe, no shared references).
 *
 * Rules:
 * - the exits are a reduce-only stop (stop-loss) and a reduce-only limit (take-profit) in the OCO group
 *   `${parent}-oco`, with ids `${parent}-sl` / `${parent}-tp`; a replacement (resize) gets the next version,
 *   `${parent}-sl2`, `${parent}-sl3`..., so ids stay deterministic across restarts;
 * - the exits' target size is min(entry filled − exits filled, the strategy's position in the entry's
 *   direction): a partial entry fill is protected at once, a partial exit fill shrinks the sibling, and a
 *   position the strategy closed itself (target 0) cancels both exits;
 * - an exit whose open size differs from the target is cancelled and, once the venue confirms, placed again at
 *   the target (cancel, then replace: never two live exits of one kind, so never more than the position);
 * - an exit cancelled or rejected by someone else (the strategy, a CancelAll, the venue) is no longer managed;
 * - the bracket is done when the entry is final and no exit is live;
 * - a modify moves the bracket's prices (`moveExits`); a live exit at another price is then replaced as a resize is
 *   (cancel, confirmed, then the next version at the new price), so the position is never covered twice.
 */
import type { OrderEvent, OrderRequest, OrderSide } from "../protocol/mod.ts";
import { snapQty } from "../exchange/snap.ts";

export type LegName = "sl" | "tp";

/** idle: nothing live, placed when the target is > 0; cancelling: replaced (or not) once the venue confirms. */
export type LegStatus = "idle" | "open" | "cancelling" | "stopped";

export interface Leg {
  /** Client order id of the live (or last) exit order of this leg; "" before the first. */
  id: string;
  version: number;
  qty: number;
  status: LegStatus;
  /** The price the live exit was placed at (absent in snapshots from before modify: taken as current). */
  price?: number;
}

export interface SyntheticBracket {
  readonly parent: string;
  readonly owner: string;
  readonly strategyId: string;
  readonly venue: string;
  readonly symbol: string;
  /** The entry's side; exits take the other. */
  readonly side: OrderSide;
  /** Moved by a modify (`moveExits`). */
  stopLoss?: number;
  takeProfit?: number;
  entryFilled: number;
  entryFinal: boolean;
  /** Cumulative filled quantity per exit order id, every version: a re-delivered event does not count twice. */
  readonly exitFills: Record<string, number>;
  readonly legs: { sl?: Leg; tp?: Leg };
}

export type BracketAction =
  | { readonly kind: "submit"; readonly order: OrderRequest }
  | { readonly kind: "cancel"; readonly clientOrderId: string; readonly strategyId: string };

const EXIT_ID = /-(sl|tp)(\d*)$/;

export const exitId = (parent: string, leg: LegName, version: number) =>
  `${parent}-${leg}${version > 1 ? version : ""}`;

/** The parent id of an exit's client order id, or undefined when the id is not an exit's. */
export function parentOf(clientOrderId: string): string | undefined {
  return EXIT_ID.test(clientOrderId) ? clientOrderId.replace(EXIT_ID, "") : undefined;
}

export function openBracket(order: OrderRequest, owner: string): SyntheticBracket {
  const leg = (): Leg => ({ id: "", version: 0, qty: 0, status: "idle" });
  return {
    parent: order.clientOrderId,
    owner,
    strategyId: order.strategyId,
    venue: order.venue,
    symbol: order.symbol,
    side: order.side,
    ...(order.bracket?.stopLoss !== undefined ? { stopLoss: order.bracket.stopLoss } : {}),
    ...(order.bracket?.takeProfit !== undefined ? { takeProfit: order.bracket.takeProfit } : {}),
    entryFilled: 0,
    entryFinal: false,
    exitFills: {},
    legs: {
      ...(order.bracket?.stopLoss !== undefined ? { sl: leg() } : {}),
      ...(order.bracket?.takeProfit !== undefined ? { tp: leg() } : {}),
    },
  };
}

function legById(b: SyntheticBracket, clientOrderId: string): Leg | undefined {
  return [b.legs.sl, b.legs.tp].find((leg) => leg !== undefined && leg.id === clientOrderId);
}

/**
 * Applies one order event of the entry or of an exit. Returns false when the exit was refused by the venue
 * (no longer managed): the caller alerts.
 */
export function applyBracketEvent(b: SyntheticBracket, event: OrderEvent): boolean {
  if (event.type === "OrderSubmitted") return true;
  if (event.clientOrderId === b.parent) {
    switch (event.type) {
      case "OrderAccepted":
      case "OrderModified":
      case "OrderModifyRejected":
        return true;
      case "OrderPartiallyFilled":
      case "OrderFilled":
        b.entryFilled = Math.max(b.entryFilled, event.filledQty);
        if (event.type === "OrderFilled") b.entryFinal = true;
        return true;
      case "OrderRejected":
      case "OrderDenied":
      case "OrderCanceled":
      case "OrderExpired":
        b.entryFinal = true;
        return true;
    }
  }
  const leg = legById(b, event.clientOrderId);
  switch (event.type) {
    case "OrderAccepted":
    case "OrderModified":
    case "OrderModifyRejected":
      return true;
    case "OrderPartiallyFilled":
    case "OrderFilled":
      // Fills of an older version (arriving late) count too: they closed part of the position.
      b.exitFills[event.clientOrderId] = Math.max(b.exitFills[event.clientOrderId] ?? 0, event.filledQty);
      if (leg && event.type === "OrderFilled") leg.status = "idle";
      return true;
    case "OrderCanceled":
    case "OrderExpired":
      if (leg) leg.status = leg.status === "cancelling" ? "idle" : "stopped";
      return true;
    case "OrderRejected":
    case "OrderDenied":
      if (!leg || leg.status === "idle" || leg.status === "stopped") return true;
      leg.status = "stopped";
      return false;
  }
}

/** Quantities differ by float noise after subtraction: snap to the step, or clean to 12 decimals. */
function clean(qty: number, step: number): number {
  const snapped = step > 0 ? snapQty(qty, step) : Number(qty.toFixed(12));
  return snapped > 0 ? snapped : 0;
}

/** The exits' target size (rules in the module comment). */
export function targetQty(b: SyntheticBracket, position: number, step = 0): number {
  const exited = Object.values(b.exitFills).reduce((sum, q) => sum + q, 0);
  const held = Math.max(0, b.side === "buy" ? position : -position);
  return clean(Math.min(b.entryFilled - exited, held), step);
}

/** Brings the exits in line with the target; mutates the legs and returns what to send. */
export function planExits(
  b: SyntheticBracket,
  position: number,
  now: number,
  step = 0,
): { readonly actions: BracketAction[]; readonly done: boolean } {
  const target = targetQty(b, position, step);
  const actions: BracketAction[] = [];
  for (const name of ["sl", "tp"] as const) {
    const leg = b.legs[name];
    if (!leg) continue;
    switch (leg.status) {
      case "open": {
        const leaves = clean(leg.qty - (b.exitFills[leg.id] ?? 0), step);
        const moved = leg.price !== undefined && leg.price !== priceOf(b, name);
        if (leaves !== target || moved) {
          leg.status = "cancelling";
          actions.push({ kind: "cancel", clientOrderId: leg.id, strategyId: b.strategyId });
        }
        break;
      }
      case "idle":
        if (target > 0) {
          leg.version++;
          leg.id = exitId(b.parent, name, leg.version);
          leg.qty = target;
          leg.status = "open";
          leg.price = priceOf(b, name);
          actions.push({ kind: "submit", order: exitOrder(b, name, leg.id, target, now) });
        }
        break;
      case "cancelling":
      case "stopped":
        break;
    }
  }
  const live = [b.legs.sl, b.legs.tp].some((leg) => leg?.status === "open" || leg?.status === "cancelling");
  return { actions, done: b.entryFinal && !live };
}

const priceOf = (b: SyntheticBracket, leg: LegName) => leg === "sl" ? b.stopLoss : b.takeProfit;

/**
 * Moves the exits' prices (a modify of the trade); the next `planExits` replaces a live exit at another price.
 * Returns why not: a leg the bracket does not have, or one no longer managed.
 */
export function moveExits(
  b: SyntheticBracket,
  changes: { readonly stopLoss?: number; readonly takeProfit?: number },
): string | undefined {
  for (const [name, price] of [["sl", changes.stopLoss], ["tp", changes.takeProfit]] as const) {
    if (price === undefined) continue;
    const leg = b.legs[name];
    const label = name === "sl" ? "stop-loss" : "take-profit";
    if (!leg) return `modify: trade ${b.parent} has no ${label}`;
    if (leg.status === "stopped") {
      return `modify: the ${label} of ${b.parent} is no longer managed (cancelled or refused)`;
    }
  }
  if (changes.stopLoss !== undefined) b.stopLoss = changes.stopLoss;
  if (changes.takeProfit !== undefined) b.takeProfit = changes.takeProfit;
  return undefined;
}

function exitOrder(b: SyntheticBracket, leg: LegName, clientOrderId: string, qty: number, now: number): OrderRequest {
  const common = {
    clientOrderId,
    strategyId: b.strategyId,
    venue: b.venue,
    symbol: b.symbol,
    side: b.side === "buy" ? "sell" : "buy",
    qty,
    tif: "GTC",
    reduceOnly: true,
    ocoGroup: `${b.parent}-oco`,
    ts: now,
  } as const;
  return leg === "sl"
    ? { ...common, type: "stop", stopPrice: b.stopLoss, tag: "stop-loss" }
    : { ...common, type: "limit", limitPrice: b.takeProfit, tag: "take-profit" };
}
