/**
 * The control endpoint's event tap: a host-thread mailbox (Host.listen) that actors tell what the WebSocket channels
 * push, so no channel polls the actors. Who sends what (configured in the live tree):
 *   venue adapter   VenueRecord for each bar and order event it emits (with its journal seq), Tick for each tick;
 *   portfolio       EquityUpdate after each bar (it is one of its equity subscribers);
 *   journal actor   Journaled after each append (risk decisions, control calls), AlertJournaled for each alert.
 * One message per event on top of the ones the trading path sends anyway; the listener only hands it to the channels,
 * which do nothing for a channel without subscribers.
 */
import type { Host } from "../runtime/mod.ts";
import type { Bar, Tick } from "../protocol/mod.ts";

export const GATEWAY_TAP = "$main/gateway";

export type TapMessage =
  | { readonly type: "VenueRecord"; readonly seq: number; readonly recordType: string; readonly payload: unknown }
  | { readonly type: "Tick"; readonly tick: Tick }
  | {
    readonly type: "EquityUpdate";
    readonly equity: number;
    readonly ts: number;
    readonly strategies?: Readonly<Record<string, number>>;
  }
  | { readonly type: "Journaled"; readonly streams: readonly string[] }
  | {
    readonly type: "AlertJournaled";
    readonly seq: number;
    readonly actor: string;
    readonly alert: {
      readonly level: "warn" | "error";
      readonly message: string;
      readonly fields?: Record<string, unknown>;
      readonly ts: number;
    };
  };

export interface TapHandlers {
  bar(bar: Bar, seq: number): void;
  orderEvent(type: string, seq: number): void;
  tick(tick: Tick): void;
  equity(update: Extract<TapMessage, { type: "EquityUpdate" }>): void;
  journaled(streams: readonly string[]): void;
  alert(alert: Extract<TapMessage, { type: "AlertJournaled" }>): void;
}

/** Listens at `path` (GATEWAY_TAP by default) and dispatches; returns the stop function. */
export function openTap(host: Host, handlers: TapHandlers, path = GATEWAY_TAP): () => void {
  return host.listen(path, (raw) => {
    const msg = raw as TapMessage;
    switch (msg.type) {
      case "VenueRecord":
        if (msg.recordType === "Bar") handlers.bar((msg.payload as { bar: Bar }).bar, msg.seq);
        else handlers.orderEvent(msg.recordType, msg.seq);
        return;
      case "Tick":
        return handlers.tick(msg.tick);
      case "EquityUpdate":
        return handlers.equity(msg);
      case "Journaled":
        return handlers.journaled(msg.streams);
      case "AlertJournaled":
        return handlers.alert(msg);
      default:
        // Another sender's message: ignored rather than thrown on the routing path.
        return;
    }
  });
}
