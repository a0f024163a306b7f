/**
 * IB order ids, kept in the journal (stream `ib-ids:<venue>`): every id is journaled with the order it belongs to
 * before TWS sees it, and the next id is max(TWS's nextValidId, highest journaled + 1). A restart, a reconnect,
 * or a TWS that says a lower nextValidId (another session, a reset) never makes us reuse one; and an order IB no
 * longer lists is still known by its ref, symbol, side and quantity (see reconcile.ts).
 */
import { openJournal } from "../../../storage/journal/open.ts";
import type { Journal } from "../../../storage/journal/types.ts";
import type { PlacedOrder } from "./reconcile.ts";

export interface IdStore {
  /** Called with every nextValidId TWS sends. */
  floor(nextValidId: number): void;
  /** Journals the orders (in order) with fresh ids; returns them with their ids. */
  reserve(orders: readonly Omit<PlacedOrder, "orderId">[], ts: number): Promise<PlacedOrder[]>;
  placed(ref: string): PlacedOrder | undefined;
  /** Every order journaled so far (reconciliation asks about all of them once after a restart). */
  all(): Iterable<PlacedOrder>;
  readonly next: number;
  close(): Promise<void>;
}

export async function openIdStore(db: string, venue: string): Promise<IdStore> {
  const journal: Journal = await openJournal(db);
  const stream = `ib-ids:${venue}`;
  const byRef = new Map<string, PlacedOrder>();
  let next = 1;
  for (const r of await journal.read({ stream })) {
    for (const p of (r.payload as { orders: PlacedOrder[] }).orders) {
      byRef.set(p.ref, p);
      next = Math.max(next, p.orderId + 1);
    }
  }
  return {
    floor(nextValidId) {
      next = Math.max(next, nextValidId);
    },
    async reserve(orders, ts) {
      const first = next;
      const out = orders.map((o, i) => ({ ...o, orderId: first + i }));
      next = first + orders.length;
      await journal.append([{
        eventId: `${venue}:ibid:${first}`,
        stream,
        type: "IbOrderIds",
        ts,
        payload: { orders: out },
      }]);
      for (const p of out) byRef.set(p.ref, p);
      return out;
    },
    placed: (ref) => byRef.get(ref),
    all: () => byRef.values(),
    get next() {
      return next;
    },
    close: () => journal.close(),
  };
}
