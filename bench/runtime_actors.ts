/** Behaviours used by the runtime benchmark. */
import type { Behaviour } from "../actors/runtime/mod.ts";

type SinkMsg = { type: "Item"; n: number } | { type: "Expect"; n: number };
/** Counts items; replies once it has seen the expected number. */
export const sink: Behaviour<SinkMsg, { seen: number; expect: number; replyTo?: string; corr?: string }> = {
  accepts: ["Item", "Expect"],
  init: () => ({ seen: 0, expect: -1 }),
  receive(state, msg, ctx) {
    if (msg.type === "Expect") {
      state.expect = msg.n;
      state.replyTo = ctx.sender?.path;
      state.corr = ctx.correlationId;
    } else {
      state.seen++;
    }
    if (state.expect >= 0 && state.seen >= state.expect && state.replyTo) {
      ctx.tell(state.replyTo, { type: "Done", seen: state.seen }, { correlationId: state.corr });
      state.expect = -1;
      state.seen = 0;
    }
    return state;
  },
};

type ProducerMsg = { type: "Blast"; to: string; n: number };
export const blaster: Behaviour<ProducerMsg, null> = {
  accepts: ["Blast"],
  init: () => null,
  receive(state, msg, ctx) {
    const item = { type: "Item", n: 0 };
    for (let i = 0; i < msg.n; i++) ctx.tell(msg.to, item);
    return state;
  },
};

type PingMsg =
  | { type: "Ping"; sentAt: number; replyTo: string }
  | { type: "Start"; peer: string; rounds: number }
  | { type: "Pong"; sentAt: number };
/** One-way latency: the sender stamps a shared high-resolution time, the receiver measures on arrival. */
export const pinger: Behaviour<
  PingMsg,
  { latencies: number[]; left: number; peer: string; asker?: string; corr?: string }
> = {
  accepts: ["Ping", "Start", "Pong"],
  init: () => ({ latencies: [], left: 0, peer: "" }),
  receive(state, msg, ctx) {
    const now = performance.timeOrigin + performance.now();
    switch (msg.type) {
      case "Start":
        state.left = msg.rounds;
        state.peer = msg.peer;
        state.asker = ctx.sender?.path;
        state.corr = ctx.correlationId;
        ctx.tell(msg.peer, { type: "Ping", sentAt: now, replyTo: ctx.path });
        return state;
      case "Ping":
        state.latencies.push(now - msg.sentAt);
        ctx.tell(msg.replyTo, { type: "Pong", sentAt: performance.timeOrigin + performance.now() });
        return state;
      case "Pong":
        state.latencies.push(now - msg.sentAt);
        if (--state.left > 0) {
          ctx.tell(state.peer, { type: "Ping", sentAt: performance.timeOrigin + performance.now(), replyTo: ctx.path });
        } else if (state.asker) {
          ctx.tell(state.asker, { type: "Latencies", latencies: state.latencies }, { correlationId: state.corr });
        }
        return state;
    }
  },
};
