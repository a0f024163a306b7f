/** Test actor standing in for strategies, the journal and a bar source: records what it gets, forwards on request. */
import type { Behaviour, Message } from "../../../actors/runtime/mod.ts";
import { ORDER_EVENT_TYPES } from "../../../actors/protocol/mod.ts";

type Forward = { type: "Forward"; to: string; msg: Message };

export const sink: Behaviour<Message, Message[], unknown> = {
  accepts: [...ORDER_EVENT_TYPES, "Bar", "BarDone", "Append", "Alert", "Forward", "Reconfigure", "GetEvents"],
  init: () => [],
  receive(events, msg, ctx) {
    if (msg.type === "GetEvents") ctx.reply({ type: "Events", events });
    else if (msg.type === "Forward") ctx.tell((msg as Forward).to, (msg as Forward).msg);
    else events.push(msg);
    return events;
  },
};

export default sink;
