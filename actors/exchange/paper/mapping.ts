/**
 * The paper venue's storage format and its event → report mapping. The matching engine's state holds Maps,
 * NaN (an order sized at its first fill) and Infinity (no expiry), none of which JSON keeps: the replacer and
 * reviver below tag them, so the state round-trips exactly.
 */
import type { OrderEvent, OrderRequest } from "../../protocol/mod.ts";
import type { SimState } from "../sim/matching.ts";
import type { OrderReport } from "../venue.ts";

export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof Map) return { $map: [...v.entries()] };
    if (typeof v === "number" && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  });
}

export function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      if ("$map" in v) return new Map(v.$map);
      if ("$num" in v) return Number(v.$num);
    }
    return v;
  }) as T;
}

/** What a venue file kept before the input log (one row, rewritten whole): read once, to migrate it. */
export interface LegacyBook {
  readonly sim: SimState;
  readonly reports: Map<string, OrderReport>;
}

export function newReport(order: OrderRequest, venueOrderId: string, ts: number): OrderReport {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId,
    strategyId: order.strategyId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    status: "open",
    fills: [],
    ts,
  };
}

/** Folds one matching-engine event into the order's report. */
export function applyToReport(report: OrderReport, event: OrderEvent): OrderReport {
  switch (event.type) {
    case "OrderSubmitted":
    case "OrderDenied":
      return report;
    case "OrderAccepted":
      return { ...report, venueOrderId: event.venueOrderId, ts: event.ts };
    case "OrderRejected":
      return { ...report, status: "rejected", reason: event.reason, ts: event.ts };
    case "OrderPartiallyFilled":
      return {
        ...report,
        qty: event.filledQty + event.leavesQty,
        fills: [...report.fills, event.fill],
        ts: event.fill.ts,
      };
    case "OrderFilled":
      return {
        ...report,
        qty: event.filledQty,
        status: "filled",
        fills: [...report.fills, event.fill],
        ts: event.fill.ts,
      };
    case "OrderCanceled":
      return { ...report, status: "canceled", reason: event.reason, ts: event.ts };
    case "OrderExpired":
      return { ...report, status: "expired", ts: event.ts };
    case "OrderModified":
      return event.changes.qty !== undefined ? { ...report, qty: event.changes.qty, ts: event.ts } : report;
    case "OrderModifyRejected":
      return report;
  }
}
