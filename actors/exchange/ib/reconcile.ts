/**
 * IB's view of our orders, kept from what TWS pushes (openOrder, orderStatus, execDetails, commissionReport, errors)
 * and refreshed in full after every (re)connect from reqOpenOrders + reqExecutions: the reports reconciliation and
 * polling compare with the journal. TWS pushes, so polling reads memory, not the network.
 *
 * Rules:
 * - an order is found by its orderRef (our client order id); IB order ids map back to it;
 * - a fill is reported once its commission report has arrived (the fill then carries IB's real commission), or
 *   after `commissionWaitMs` without one (commission 0, logged); "Filled" is reported only when every fill is;
 * - an order the journal placed (its ids are journaled) that a full sync no longer finds open, with fewer fills
 *   than its quantity, was cancelled or expired while we were away (reqOpenOrders lists live orders only): it is
 *   reported cancelled, never sent again. That includes an order whose placeOrder was lost with the socket:
 *   duplicate safety over liveness;
 * - executions only reach back to the start of IB's trading day (reqExecutions): fills older than that and missed
 *   while away are not recovered (the position from reqPositions shows them; a mismatch is logged).
 */
import type { OrderSide } from "../../protocol/mod.ts";
import { strategyIdOf } from "../reconcile.ts";
import type { OrderReport } from "../venue.ts";
import { type ExecRecord, toFill, toStatus } from "./mapping.ts";

export interface BookOrder {
  readonly ref: string;
  orderId: number;
  permId: number;
  symbol: string;
  side: OrderSide;
  qty: number;
  /** IB's status string. */
  status: string;
  /** Set when IB refused the order (an error code tied to its id). */
  rejected?: string;
  ts: number;
}

/** What the id journal says was placed: enough to report an order IB no longer lists. */
export interface PlacedOrder {
  readonly ref: string;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
}

export interface Book {
  readonly orders: Map<string, BookOrder>;
  readonly refById: Map<number, string>;
  readonly execs: Map<string, ExecRecord>;
  /** Commission reports that came before their execution (not seen from TWS, but cheap to allow). */
  readonly commissions: Map<string, { commission: number; currency: string }>;
  /** Refs whose state changed since the last `takeChanged` (pushed updates for orders the adapter does not poll). */
  readonly changed: Set<string>;
  /** A full sync (reqOpenOrders + reqExecutions) has completed on this connection. */
  synced: boolean;
}

/** Status of an order a full sync no longer found open (cancelled or expired while we were away). */
export const GONE = "Gone";

export const newBook = (): Book => ({
  orders: new Map(),
  refById: new Map(),
  execs: new Map(),
  commissions: new Map(),
  changed: new Set(),
  synced: false,
});

/** After a full sync that started at `since`: open orders it did not mention are gone. */
export function markGone(book: Book, since: number): void {
  for (const o of book.orders.values()) {
    if (o.rejected || o.ts >= since || toStatus(o.status) !== "open") continue;
    o.status = GONE;
    book.changed.add(o.ref);
  }
  book.synced = true;
}

export function upsertOrder(book: Book, o: BookOrder): BookOrder {
  const known = book.orders.get(o.ref);
  const merged = known ? Object.assign(known, { ...o, rejected: known.rejected ?? o.rejected }) : o;
  book.orders.set(o.ref, merged);
  book.refById.set(o.orderId, o.ref);
  book.changed.add(o.ref);
  return merged;
}

export function setStatus(book: Book, orderId: number, status: string, ts: number): void {
  const ref = book.refById.get(orderId);
  const o = ref === undefined ? undefined : book.orders.get(ref);
  if (!o) return;
  o.status = status;
  o.ts = ts;
  book.changed.add(o.ref);
}

export function addExec(book: Book, e: ExecRecord): void {
  const early = book.commissions.get(e.execId);
  const known = book.execs.get(e.execId);
  book.execs.set(e.execId, { ...e, ...(known?.commission !== undefined ? { commission: known.commission } : {}) });
  if (early) setCommission(book, e.execId, early.commission, early.currency);
  book.changed.add(e.ref);
}

export function setCommission(book: Book, execId: string, commission: number, currency: string): void {
  const e = book.execs.get(execId);
  if (!e) {
    book.commissions.set(execId, { commission, currency });
    return;
  }
  e.commission = commission;
  e.commissionCurrency = currency;
  book.commissions.delete(execId);
  book.changed.add(e.ref);
}

/** A refusal tied to an order id (the order may not be in the book yet: TWS refuses before any openOrder). */
export function reject(book: Book, placed: PlacedOrder, reason: string, ts: number): void {
  const o = book.orders.get(placed.ref) ??
    upsertOrder(book, { ...placed, permId: 0, status: "Inactive", ts });
  o.rejected = reason;
  o.ts = ts;
  book.changed.add(o.ref);
}

export interface ReportOptions {
  readonly venue: string;
  readonly now: number;
  readonly commissionWaitMs: number;
  /** Called once per fill given up on (reported without a commission report). */
  readonly onMissingCommission?: (e: ExecRecord) => void;
}

/** The report of `ref`, or undefined when neither IB nor the id journal knows it. */
export function reportOf(
  book: Book,
  ref: string,
  placed: PlacedOrder | undefined,
  opts: ReportOptions,
): OrderReport | undefined {
  const o = book.orders.get(ref);
  const execs = [...book.execs.values()].filter((e) => e.ref === ref).sort((a, b) =>
    a.ts - b.ts || a.execId.localeCompare(b.execId)
  );
  if (!o && !placed && execs.length === 0) return undefined;
  const ready = execs.filter((e) => {
    if (e.commission !== undefined) return true;
    if (opts.now - e.ts < opts.commissionWaitMs) return false;
    // Given up on: reported from now on with commission 0 (a late report can no longer change a journaled fill).
    e.commission = 0;
    e.commissionCurrency = "";
    opts.onMissingCommission?.(e);
    return true;
  });
  const qty = o?.qty ?? placed?.qty ?? execs.reduce((s, e) => s + e.shares, 0);
  const filled = ready.reduce((s, e) => s + e.shares, 0);
  const orderId = o?.orderId ?? placed?.orderId ?? execs[0]?.orderId ?? 0;
  let status: OrderReport["status"];
  let reason: string | undefined;
  if (o?.rejected && ready.length === 0) {
    status = "rejected";
    reason = o.rejected;
  } else if (filled >= qty - 1e-9 && qty > 0) {
    status = "filled";
  } else if ((o?.status === GONE || (!o && book.synced)) && execs.length === ready.length) {
    status = "canceled";
    reason = "no longer open at IB after reconnect (cancelled or expired while away)";
  } else if (o) {
    const s = toStatus(o.status);
    // "Filled" with fills still waiting for their commission stays open until they are all known.
    status = s === "filled" ? "open" : s;
    if (status === "canceled") reason = "cancelled at IB";
  } else {
    status = "open";
  }
  const symbol = o?.symbol ?? placed?.symbol ?? execs[0]?.symbol ?? "";
  const side = o?.side ?? placed?.side ?? execs[0]?.side ?? "buy";
  const venueOrderId = String(o?.permId || orderId);
  return {
    clientOrderId: ref,
    venueOrderId,
    strategyId: strategyIdOf(ref),
    symbol,
    side,
    qty,
    status,
    fills: ready.map((e) => toFill(opts.venue, venueOrderId, e)),
    ...(reason ? { reason } : {}),
    ts: Math.max(o?.ts ?? 0, ...ready.map((e) => e.ts)),
  };
}
