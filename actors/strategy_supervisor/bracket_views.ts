/**
 * The strategy's view of its bracket orders (`ctx.brackets()`), for helpers that move exits (the trailing stop).
 * A modify shows at once, so a helper called again before the venue answers does not ask twice; a refused one is
 * undone. A view ends when an exit fills, when the entry ends without a fill, or when the position is flat.
 * Plain data: part of the supervisor's snapshot.
 */
import type { ModifyOrder, OrderEvent, OrderRequest } from "../protocol/mod.ts";
import type { BracketView } from "../../strategies/api.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface PendingModify {
  readonly modifyId: string;
  readonly parent: string;
  readonly prior: { readonly stopLoss?: number; readonly takeProfit?: number };
}

export interface BracketBook {
  readonly views: Mutable<BracketView>[];
  readonly pending: PendingModify[];
}

export const createBracketBook = (): BracketBook => ({ views: [], pending: [] });

const EXIT = /-(sl|tp)\d*$/;

function viewOf(book: BracketBook, parent: string): Mutable<BracketView> | undefined {
  for (const v of book.views) if (v.parent === parent) return v;
  return undefined;
}

function drop(book: BracketBook, parent: string): void {
  const i = book.views.findIndex((v) => v.parent === parent);
  if (i >= 0) book.views.splice(i, 1);
}

export function bracketSubmitted(book: BracketBook, order: OrderRequest): void {
  if (!order.bracket) return;
  const view: Mutable<BracketView> = {
    parent: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    entryFilled: 0,
  };
  if (order.bracket.stopLoss !== undefined) view.stopLoss = order.bracket.stopLoss;
  if (order.bracket.takeProfit !== undefined) view.takeProfit = order.bracket.takeProfit;
  book.views.push(view);
}

/** A modify sent for a bracket's parent: shown at once, the old prices kept to undo a refusal. */
export function bracketModifySent(book: BracketBook, command: ModifyOrder): void {
  const view = viewOf(book, command.clientOrderId);
  const { stopLoss, takeProfit } = command.changes;
  if (!view || (stopLoss === undefined && takeProfit === undefined)) return;
  book.pending.push({
    modifyId: command.modifyId,
    parent: view.parent,
    prior: {
      ...(view.stopLoss !== undefined ? { stopLoss: view.stopLoss } : {}),
      ...(view.takeProfit !== undefined ? { takeProfit: view.takeProfit } : {}),
    },
  });
  if (stopLoss !== undefined && view.stopLoss !== undefined) view.stopLoss = stopLoss;
  if (takeProfit !== undefined && view.takeProfit !== undefined) view.takeProfit = takeProfit;
}

/** A modify of a bracket to the prices it has already (after snapping): nothing to send. */
export function unchangedBracket(book: BracketBook, command: ModifyOrder): boolean {
  const view = viewOf(book, command.clientOrderId);
  const c = command.changes;
  if (!view || c.qty !== undefined || c.limitPrice !== undefined || c.stopPrice !== undefined) return false;
  if (c.stopLoss === undefined && c.takeProfit === undefined) return false;
  return (c.stopLoss === undefined || c.stopLoss === view.stopLoss) &&
    (c.takeProfit === undefined || c.takeProfit === view.takeProfit);
}

/** Folds one order event in; `position` is the strategy's position in a symbol after it. */
export function bracketEvent(book: BracketBook, event: OrderEvent, position: (symbol: string) => number): void {
  if (event.type === "OrderSubmitted" || (book.views.length === 0 && book.pending.length === 0)) return;
  const id = event.clientOrderId;
  switch (event.type) {
    case "OrderModified":
    case "OrderModifyRejected": {
      const i = book.pending.findIndex((p) => p.modifyId === event.modifyId);
      if (i < 0) return;
      const [p] = book.pending.splice(i, 1);
      const view = viewOf(book, p.parent);
      if (event.type === "OrderModifyRejected" && view) {
        if (p.prior.stopLoss !== undefined) view.stopLoss = p.prior.stopLoss;
        if (p.prior.takeProfit !== undefined) view.takeProfit = p.prior.takeProfit;
      }
      return;
    }
    case "OrderPartiallyFilled":
    case "OrderFilled": {
      const own = viewOf(book, id);
      if (own) own.entryFilled = event.filledQty;
      else if (EXIT.test(id) && event.type === "OrderFilled") drop(book, id.replace(EXIT, ""));
      if (position(event.fill.symbol) === 0) {
        for (const v of [...book.views]) if (v.symbol === event.fill.symbol && v.entryFilled > 0) drop(book, v.parent);
      }
      return;
    }
    case "OrderRejected":
    case "OrderDenied":
    case "OrderCanceled":
    case "OrderExpired": {
      const own = viewOf(book, id);
      if (own && own.entryFilled === 0) drop(book, id);
      return;
    }
    case "OrderAccepted":
      return;
  }
}
