/** Answers GetAdapterState like a venue adapter that is connected and reconciled. */
import type { Behaviour } from "../../../actors/runtime/mod.ts";

export default {
  accepts: ["GetAdapterState", "SubmitOrder", "CancelOrder", "CancelAll"],
  init: () => null,
  receive(state, msg, ctx) {
    if (msg.type === "GetAdapterState") ctx.reply({ type: "AdapterState", venue: "paper", phase: "ready" });
    return state;
  },
} satisfies Behaviour<{ type: "GetAdapterState" | "SubmitOrder" | "CancelOrder" | "CancelAll" }, null>;
