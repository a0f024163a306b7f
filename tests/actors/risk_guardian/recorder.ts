/** Records every order event it receives; answers GetEvents. */
import type { Behaviour } from "../../../actors/runtime/mod.ts";
import { ORDER_EVENT_TYPES, type OrderEvent } from "../../../actors/protocol/mod.ts";

type Msg = OrderEvent | { type: "GetEvents" };
export default {
  accepts: [...ORDER_EVENT_TYPES, "GetEvents"],
  init: () => [] as OrderEvent[],
  receive(events, msg, ctx) {
    if (msg.type === "GetEvents") ctx.reply({ type: "Events", events });
    else events.push(msg);
    return events;
  },
} satisfies Behaviour<Msg, OrderEvent[]>;
