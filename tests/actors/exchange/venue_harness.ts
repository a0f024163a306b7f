/** The part of a venue harness every host-based venue shares: an exchange actor and a recorder in one tree. */
import type { ChildSpec, Host, Message } from "../../../actors/runtime/mod.ts";
import type { OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import { barAt, type VenueHarness } from "./venue_contract.ts";

export const RECORDER = new URL("../../live/fixtures/recorder.ts", import.meta.url).href;

export interface HostedVenue {
  readonly host: Host;
  readonly venue: string;
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
  /** Bar-driven venues get a bar per step. */
  readonly bars: boolean;
  readonly cleanup?: () => Promise<void>;
}

export async function startTree(host: Host, exchange: ChildSpec): Promise<void> {
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [{ kind: "actor", id: "risk", module: RECORDER }, exchange],
  });
}

export function hosted(v: HostedVenue, extra: Partial<VenueHarness> = {}): VenueHarness & { nextTs(): number } {
  let ts = Date.UTC(2026, 0, 5, 15);
  const nextTs = () => (ts += 60_000);
  return {
    venue: v.venue,
    symbol: v.symbol,
    price: v.price,
    qty: v.qty,
    nextTs,
    submit: (order: OrderRequest) => v.host.tell("t/exchange", { type: "SubmitOrder", order, replyTo: "t/risk" }),
    cancel: (clientOrderId, strategyId) =>
      v.host.tell("t/exchange", { type: "CancelOrder", clientOrderId, strategyId, replyTo: "t/risk" }),
    async step() {
      if (v.bars) v.host.tell("t/exchange", { type: "Bar", bar: barAt(v.symbol, nextTs(), v.price) });
      if (v.host.kind === "in_process") await v.host.idle();
    },
    async events() {
      const reply = await v.host.ask<Message & { events: Message[] }>("t/risk", { type: "GetEvents" }, 5_000);
      return reply.events.filter((m) => m.type.startsWith("Order")) as unknown as OrderEvent[];
    },
    async close() {
      await v.host.stop();
      await v.cleanup?.();
    },
    ...extra,
  };
}
