/**
 * Orders as the journal tells them: the adapter's write-ahead command (what was asked), the venue's events (accepted,
 * fills, the end), and the risk guardian's denials (orders that never left). One view per client order id, bounded:
 * beyond `maxOrders`, the oldest finished orders are forgotten first (open ones never are).
 */
import type { OrderEvent, OrderRequest, OrderStatus } from "../../protocol/mod.ts";
import { strategyIdOf } from "../../exchange/reconcile.ts";
import type { JournalRecord } from "../../../storage/journal/types.ts";

export interface OrderView {
  /** The journal seq of the order's first record: its place in the list and the pagination cursor. */
  readonly seq: number;
  readonly clientOrderId: string;
  strategyId: string;
  symbol: string;
  side: "buy" | "sell" | null;
  type: string | null;
  qty: number | null;
  limitPrice: number | null;
  stopPrice: number | null;
  status: OrderStatus;
  filledQty: number;
  avgFillPrice: number | null;
  reason: string | null;
  venueOrderId: string | null;
  createdAt: number;
  updatedAt: number;
}

const FINAL: ReadonlySet<OrderStatus> = new Set(["filled", "canceled", "rejected", "denied", "expired"]);
export const isFinal = (o: OrderView) => FINAL.has(o.status);

export interface OrdersView {
  /** Folds one record; returns the order it changed, if any. */
  apply(record: JournalRecord): OrderView | undefined;
  /** Every order kept, oldest first. */
  all(): IterableIterator<OrderView>;
  get(clientOrderId: string): OrderView | undefined;
  readonly size: number;
}

export function createOrdersView(maxOrders = 10_000): OrdersView {
  const orders = new Map<string, OrderView>();
  let finished = 0;

  const blank = (cid: string, record: JournalRecord, strategyId: string): OrderView => ({
    seq: record.seq,
    clientOrderId: cid,
    strategyId,
    symbol: "",
    side: null,
    type: null,
    qty: null,
    limitPrice: null,
    stopPrice: null,
    status: "submitted",
    filledQty: 0,
    avgFillPrice: null,
    reason: null,
    venueOrderId: null,
    createdAt: record.ts,
    updatedAt: record.ts,
  });
  const describe = (view: OrderView, order: OrderRequest) => {
    view.strategyId = order.strategyId;
    view.symbol = order.symbol;
    view.side = order.side;
    view.type = order.type;
    view.qty = order.sizing ? null : order.qty;
    view.limitPrice = order.limitPrice ?? null;
    view.stopPrice = order.stopPrice ?? null;
    view.createdAt = order.ts;
  };
  const upsert = (cid: string, record: JournalRecord, strategyId: string) => {
    let view = orders.get(cid);
    if (!view) {
      orders.set(cid, view = blank(cid, record, strategyId));
      forgetOld();
    }
    return view;
  };
  const finish = (view: OrderView, status: OrderStatus, reason: string | null) => {
    if (isFinal(view)) return;
    view.status = status;
    view.reason = reason;
    finished++;
  };
  const forgetOld = () => {
    if (orders.size <= maxOrders || finished === 0) return;
    for (const [cid, view] of orders) {
      if (!isFinal(view)) continue;
      orders.delete(cid);
      finished--;
      if (orders.size <= maxOrders || finished === 0) return;
    }
  };

  const onVenueEvent = (record: JournalRecord): OrderView | undefined => {
    const event = record.payload as OrderEvent;
    if (event.type === "OrderSubmitted") return undefined;
    // A modify's answer names an order; one refused for an order never seen makes no view.
    const modify = event.type === "OrderModified" || event.type === "OrderModifyRejected";
    if (modify && !orders.has(event.clientOrderId)) return undefined;
    const view = upsert(event.clientOrderId, record, event.strategyId);
    view.updatedAt = record.ts;
    switch (event.type) {
      case "OrderAccepted":
        view.venueOrderId = event.venueOrderId;
        if (view.status === "submitted") view.status = "accepted";
        break;
      case "OrderPartiallyFilled":
      case "OrderFilled": {
        const f = event.fill;
        if (view.symbol === "") view.symbol = f.symbol;
        view.side ??= f.side;
        view.venueOrderId ??= f.venueOrderId;
        const before = view.filledQty;
        const after = event.filledQty;
        const added = after - before;
        view.avgFillPrice = added > 0 && after > 0
          ? ((view.avgFillPrice ?? 0) * before + f.price * added) / after
          : view.avgFillPrice ?? f.price;
        view.filledQty = after;
        if (event.type === "OrderFilled") finish(view, "filled", null);
        else if (!isFinal(view)) view.status = "partially_filled";
        break;
      }
      case "OrderCanceled":
        finish(view, "canceled", event.reason);
        break;
      case "OrderRejected":
        finish(view, "rejected", event.reason);
        break;
      case "OrderDenied":
        finish(view, "denied", event.reason);
        break;
      case "OrderExpired":
        finish(view, "expired", null);
        break;
      case "OrderModified": {
        const c = event.changes;
        if (c.qty !== undefined) view.qty = c.qty;
        if (c.limitPrice !== undefined) view.limitPrice = c.limitPrice;
        if (c.stopPrice !== undefined) view.stopPrice = c.stopPrice;
        break;
      }
      case "OrderModifyRejected":
        break; // the order is as it was
    }
    return view;
  };

  return {
    apply(record) {
      if (record.stream.startsWith("venue:")) {
        if (record.type === "Command") {
          const { intent } = record.payload as { intent?: { kind: string; command?: { order?: OrderRequest } } };
          const order = intent?.kind === "submit" ? intent.command?.order : undefined;
          if (!order) return undefined;
          const view = upsert(order.clientOrderId, record, order.strategyId);
          describe(view, order);
          return view;
        }
        return record.type.startsWith("Order") ? onVenueEvent(record) : undefined;
      }
      if (record.stream === "risk" && record.type === "deny") {
        const payload = record.payload as { detail?: string; order?: OrderRequest };
        // "cid: reason" (the order itself is in the payload since the API; older journals have only the detail).
        const m = /^(\S+): ([\s\S]*)$/.exec(payload.detail ?? "");
        const cid = payload.order?.clientOrderId ?? m?.[1];
        if (!cid) return undefined;
        const view = upsert(cid, record, payload.order?.strategyId ?? strategyIdOf(cid));
        if (payload.order) describe(view, payload.order);
        view.updatedAt = record.ts;
        finish(view, "denied", m?.[2] ?? payload.detail ?? null);
        return view;
      }
      return undefined;
    },
    all: () => orders.values(),
    get: (cid) => orders.get(cid),
    get size() {
      return orders.size;
    },
  };
}
