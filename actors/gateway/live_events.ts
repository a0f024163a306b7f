/**
 * Turns the tap's events into channel messages: bars and ticks to /ws/market/{symbol}, equity updates to
 * /ws/performance, alerts to /ws/alerts; order events and risk decisions make the journal's read model catch up, and
 * each order it changes goes to /ws/orders; fills and bars mark positions dirty, and /ws/positions gets the
 * portfolio's positions once per `positionsDelayMs` at most, only when they changed. Nothing is read for a channel
 * nobody subscribes to.
 */
import type { Channels } from "./channels.ts";
import type { JournalView } from "./journal_view.ts";
import type { TapHandlers } from "./tap.ts";

export interface LiveEventsOptions {
  readonly channels: Channels;
  readonly view: JournalView | undefined;
  /** The positions document (asks the portfolio). */
  readonly positions: () => Promise<Record<string, unknown>>;
  readonly positionsDelayMs: number;
  /** Where a failed read is reported (it is retried with the next event). */
  readonly warn: (msg: string, err: unknown) => void;
}

export interface LiveEvents extends TapHandlers {
  close(): void;
}

const FILL_EVENTS = new Set(["OrderFilled", "OrderPartiallyFilled"]);

export function liveEvents(options: LiveEventsOptions): LiveEvents {
  const { channels, view } = options;
  const stopOrders = view?.onOrder((order) => channels.publish("orders", "", { type: "order", order }));

  const catchUp = () => {
    if (view && channels.has("orders")) view.sync().catch((err) => options.warn("journal read failed", err));
  };

  // Positions: one read in flight, at most one more queued behind it, none while nobody listens.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = false;
  let dirty = false;
  let last = "";
  const refresh = async () => {
    timer = undefined;
    busy = true;
    dirty = false;
    try {
      const doc = await options.positions();
      const text = JSON.stringify(doc);
      if (text !== last) {
        last = text;
        channels.publish("positions", "", { type: "positions", ...doc });
      }
    } catch (err) {
      options.warn("positions read failed", err);
    } finally {
      busy = false;
      if (dirty) schedule();
    }
  };
  const schedule = () => {
    if (!channels.has("positions")) return;
    if (timer !== undefined || busy) {
      dirty = true;
      return;
    }
    timer = setTimeout(() => void refresh(), options.positionsDelayMs);
  };

  return {
    bar(bar, seq) {
      channels.publish("market", bar.symbol, { type: "bar", symbol: bar.symbol, seq, bar });
      schedule();
    },
    tick(tick) {
      channels.publish("market", tick.symbol, { type: "tick", symbol: tick.symbol, tick });
    },
    orderEvent(type) {
      catchUp();
      if (FILL_EVENTS.has(type)) schedule();
    },
    journaled(streams) {
      if (streams.includes("risk")) catchUp();
    },
    equity(update) {
      channels.publish("performance", "", {
        type: "equity",
        ts: update.ts,
        equity: update.equity,
        strategies: update.strategies ?? {},
      });
    },
    alert(a) {
      channels.publish("alerts", "", {
        type: "alert",
        seq: a.seq,
        level: a.alert.level,
        message: a.alert.message,
        fields: a.alert.fields ?? {},
        actor: a.actor,
        ts: a.alert.ts,
      });
    },
    close() {
      stopOrders?.();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
