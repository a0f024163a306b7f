/**
 * The control API's read model of the journal: orders, trades (fills), alerts, the last bar per symbol and the
 * equity curves, folded from the journal's records in seq order and caught up on demand (`sync`: only the records
 * appended since, a page at a time, one catch-up at a time however many callers wait). Reads never touch an actor.
 * Bounded: the newest `maxTrades` trades and `maxAlerts` alerts are kept (older pages come back empty); orders as
 * orders_view.ts says.
 */
import type { Bar, Fill } from "../protocol/mod.ts";
import type { Journal, JournalRecord } from "../../storage/journal/types.ts";
import { createEquityView, type EquityView, type Statistics } from "./views/equity_view.ts";
import { createOrdersView, type OrdersView, type OrderView } from "./views/orders_view.ts";

export interface TradeView extends Fill {
  readonly seq: number;
}

export interface AlertView {
  readonly seq: number;
  readonly level: "warn" | "error";
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly ts: number;
}

export interface JournalView {
  /** Catches up with the journal; resolves when every record appended before the call is folded in. */
  sync(): Promise<void>;
  readonly orders: OrdersView;
  readonly equity: EquityView;
  /** Oldest first. */
  trades(): readonly TradeView[];
  alerts(): readonly AlertView[];
  lastBar(symbol: string): Bar | undefined;
  /** The last seq folded in. */
  readonly seq: number;
  /** Called for each order a sync changed, in journal order. */
  onOrder(listener: (order: OrderView) => void): () => void;
}

export interface JournalViewOptions {
  readonly pageSize?: number;
  readonly maxTrades?: number;
  readonly maxAlerts?: number;
  readonly maxOrders?: number;
  /** The backtest report's statistics (performance); without it, performance has no `stats`. */
  readonly statistics?: Statistics;
}

const FILLS = new Set(["OrderFilled", "OrderPartiallyFilled"]);

/** "alert:<actor path>:<ts>:<n>" (journal_actor.ts) → the actor path. */
const alertActor = (eventId: string) => /^alert:(.*):-?\d+:\d+$/.exec(eventId)?.[1] ?? "";

export function createJournalView(journal: Journal, options: JournalViewOptions = {}): JournalView {
  const pageSize = options.pageSize ?? 2_000;
  const maxTrades = options.maxTrades ?? 100_000;
  const maxAlerts = options.maxAlerts ?? 10_000;
  const orders = createOrdersView(options.maxOrders);
  const equity = createEquityView(options.statistics);
  let trades: TradeView[] = [];
  let alerts: AlertView[] = [];
  const bars = new Map<string, Bar>();
  const listeners = new Set<(order: OrderView) => void>();
  let seq = 0;
  let running: Promise<void> | undefined;
  let pending: Promise<void> | undefined;

  // Lists are trimmed in chunks, not per record: one copy per tenth of the bound.
  const trimmed = <T>(list: T[], max: number) => (list.length > max * 1.1 ? list.slice(list.length - max) : list);

  const fold = (r: JournalRecord) => {
    if (r.stream === "alerts") {
      const a = r.payload as { level?: string; message?: string; fields?: Record<string, unknown>; ts?: number };
      alerts.push({
        seq: r.seq,
        level: a.level === "error" ? "error" : "warn",
        message: String(a.message ?? ""),
        fields: a.fields ?? {},
        actor: alertActor(r.eventId),
        ts: r.ts,
      });
      return;
    }
    if (r.stream.startsWith("venue:")) {
      if (r.type === "Bar") {
        const bar = (r.payload as { bar: Bar }).bar;
        bars.set(bar.symbol, bar);
        equity.bar(bar);
        return;
      }
      if (FILLS.has(r.type)) {
        const fill = (r.payload as { fill: Fill }).fill;
        trades.push({ ...fill, seq: r.seq });
        equity.fill(fill);
      }
    }
    const changed = orders.apply(r);
    if (changed) { for (const listener of listeners) listener(changed); }
  };

  const catchUp = async () => {
    for (;;) {
      const page = await journal.read({ fromSeq: seq + 1, limit: pageSize });
      for (const r of page) {
        fold(r);
        seq = r.seq;
      }
      trades = trimmed(trades, maxTrades);
      alerts = trimmed(alerts, maxAlerts);
      if (page.length < pageSize) return;
    }
  };

  // One catch-up at a time; callers arriving meanwhile share the next one (what they wait for may be appended after
  // the running one read its last page).
  const sync = (): Promise<void> => {
    if (!running) return running = catchUp().finally(() => (running = undefined));
    return pending ??= running.catch(() => {}).then(() => {
      pending = undefined;
      return sync();
    });
  };

  return {
    sync,
    orders,
    equity,
    trades: () => trades,
    alerts: () => alerts,
    lastBar: (symbol) => bars.get(symbol),
    get seq() {
      return seq;
    },
    onOrder(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
