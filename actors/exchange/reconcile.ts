/**
 * Reconciliation as a pure diff: what the adapter has journaled about an order vs the venue's report of it →
 * the events still to emit. Polling, restarts and reconnects all go through it, so "an event the venue has
 * that the journal lacks" is handled by one function. Event ids are derived from the order and fill, so a
 * repeated diff (after a crash between journal and emit) appends nothing twice.
 */
import type { OrderEvent } from "../protocol/mod.ts";
import type { OrderReport } from "./venue.ts";

/** What the journal says about one order. */
export interface TrackedOrder {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  accepted: boolean;
  final: boolean;
  filledQty: number;
  readonly fillIds: Set<string>;
}

export interface KeyedEvent {
  readonly eventId: string;
  readonly event: OrderEvent;
}

export function newTracked(clientOrderId: string, strategyId: string, symbol: string): TrackedOrder {
  return { clientOrderId, strategyId, symbol, accepted: false, final: false, filledQty: 0, fillIds: new Set() };
}

export const eventIds = {
  accepted: (venue: string, cid: string) => `${venue}:${cid}:acc`,
  fill: (venue: string, cid: string, fillId: string) => `${venue}:${cid}:fill:${fillId}`,
  final: (venue: string, cid: string) => `${venue}:${cid}:end`,
  /** The outcome of one modify (OrderModified or OrderModifyRejected), by its id. */
  modify: (venue: string, modifyId: string) => `${venue}:mod:${modifyId}`,
};

/** Events that bring `tracked` up to `report`, in lifecycle order (accepted, fills, terminal). */
export function diffOrder(venue: string, tracked: TrackedOrder, report: OrderReport): KeyedEvent[] {
  if (tracked.final) return [];
  const out: KeyedEvent[] = [];
  const { clientOrderId, strategyId } = tracked;
  if (report.status === "rejected") {
    if (report.fills.length === 0) {
      out.push({
        eventId: eventIds.final(venue, clientOrderId),
        event: {
          type: "OrderRejected",
          clientOrderId,
          strategyId,
          reason: report.reason ?? "rejected by the venue",
          ts: report.ts,
        },
      });
      return out;
    }
  }
  if (!tracked.accepted) {
    out.push({
      eventId: eventIds.accepted(venue, clientOrderId),
      event: { type: "OrderAccepted", clientOrderId, venueOrderId: report.venueOrderId, strategyId, ts: report.ts },
    });
  }
  const fresh = report.fills.filter((f) => !tracked.fillIds.has(f.fillId));
  let cum = tracked.filledQty;
  for (let i = 0; i < fresh.length; i++) {
    const fill = fresh[i];
    cum += fill.qty;
    const last = i === fresh.length - 1 && report.status === "filled";
    out.push({
      eventId: eventIds.fill(venue, clientOrderId, fill.fillId),
      event: last ? { type: "OrderFilled", clientOrderId, strategyId, fill, filledQty: cum } : {
        type: "OrderPartiallyFilled",
        clientOrderId,
        strategyId,
        fill,
        filledQty: cum,
        leavesQty: Math.max(0, report.qty - cum),
      },
    });
  }
  if (report.status === "canceled" || report.status === "rejected") {
    out.push({
      eventId: eventIds.final(venue, clientOrderId),
      event: { type: "OrderCanceled", clientOrderId, strategyId, reason: report.reason ?? "canceled", ts: report.ts },
    });
  } else if (report.status === "expired") {
    out.push({
      eventId: eventIds.final(venue, clientOrderId),
      event: { type: "OrderExpired", clientOrderId, strategyId, ts: report.ts },
    });
  }
  return out;
}

/** Folds an emitted (or replayed) event into the tracked view. */
export function applyEvent(tracked: TrackedOrder, event: OrderEvent): void {
  switch (event.type) {
    case "OrderSubmitted":
      return;
    case "OrderAccepted":
      tracked.accepted = true;
      return;
    case "OrderPartiallyFilled":
    case "OrderFilled":
      tracked.accepted = true;
      tracked.fillIds.add(event.fill.fillId);
      tracked.filledQty = event.filledQty;
      if (event.type === "OrderFilled") tracked.final = true;
      return;
    case "OrderRejected":
    case "OrderDenied":
    case "OrderCanceled":
    case "OrderExpired":
      tracked.final = true;
      return;
    case "OrderModified":
    case "OrderModifyRejected":
      return; // the order stays open (a modify's outcome is journaled under its own id)
  }
}

/**
 * `${strategyId}-${n}` (or `-kill-n`, `-sl`, `-tp` suffixes; `-sl2`, `-tp3`: the risk guardian's resized exits)
 * → strategyId, for orders only the venue knows.
 */
export function strategyIdOf(clientOrderId: string): string {
  return clientOrderId.replace(/(-kill-\d+)?-\d+(-(?:sl|tp)\d*)?$/, "");
}
