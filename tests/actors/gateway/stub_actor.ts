/**
 * A configurable stand-in for any actor the control endpoint talks to: it answers each request type with the reply
 * its config (or a later `Set`) gives, counts the requests, records what else it was sent, crashes on `Crash`, stops normally on `Stop`, and keeps the events of
 * `Append` (a journal). Tests read what it received with `GetReceived`.
 */
import type { Behaviour } from "../../../actors/runtime/mod.ts";

type StubMessage = { readonly type: string; readonly [field: string]: unknown };

interface StubState {
  readonly replies: Record<string, Record<string, unknown>>;
  readonly received: StubMessage[];
  readonly appended: unknown[];
  readonly asked: Record<string, number>;
}

const REQUESTS = ["GetAdapterState", "GetRiskState", "GetPortfolio"];

export default {
  accepts: [
    ...REQUESTS,
    "SubmitOrder",
    "CancelOrder",
    "CancelAll",
    "KillSwitch",
    "SetTradingState",
    "Append",
    "Alert",
    "Set",
    "Crash",
    "Stop",
    "GetReceived",
  ],
  init: (config) => ({
    replies: { ...((config as { replies?: Record<string, Record<string, unknown>> })?.replies ?? {}) },
    received: [],
    appended: [],
    asked: {},
  }),
  receive(state, msg, ctx) {
    switch (msg.type) {
      case "Set":
        state.replies[msg.for as string] = msg.reply as Record<string, unknown>;
        return state;
      case "Crash":
        throw new Error("stub crashed on request");
      case "Stop":
        ctx.stopSelf();
        return state;
      case "GetReceived":
        ctx.reply({ type: "Received", messages: state.received, appended: state.appended, asked: state.asked });
        return state;
      case "Append":
        state.appended.push(...(msg.events as unknown[]));
        state.received.push(msg);
        return state;
      default: {
        const reply = state.replies[msg.type];
        if (REQUESTS.includes(msg.type)) {
          state.asked[msg.type] = (state.asked[msg.type] ?? 0) + 1;
          ctx.reply({ type: msg.type.slice(3), ...(reply ?? {}) });
        } else state.received.push(msg);
        return state;
      }
    }
  },
} satisfies Behaviour<StubMessage, StubState>;
