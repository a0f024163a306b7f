/** Sits between the risk guardian and the exchange: records every command, then forwards it unchanged (if told where). */
import type { Behaviour } from "../../../actors/runtime/mod.ts";
import type { ExchangeMessage } from "../../../actors/protocol/mod.ts";

type Msg = ExchangeMessage | { type: "GetTapped" };
interface State {
  readonly target?: string;
  readonly seen: ExchangeMessage[];
}
export default {
  accepts: ["SubmitOrder", "CancelOrder", "ModifyOrder", "CancelAll", "GetTapped"],
  init: (config) => ({ target: (config as { target?: string } | undefined)?.target, seen: [] }),
  receive(state, msg, ctx) {
    if (msg.type === "GetTapped") {
      ctx.reply({ type: "Tapped", seen: state.seen });
      return state;
    }
    state.seen.push(msg);
    // replyTo is kept: the exchange answers the guardian, as if the tap were not there.
    if (state.target) ctx.tell(state.target, msg);
    return state;
  },
} satisfies Behaviour<Msg, State>;
