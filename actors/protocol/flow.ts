/**
 * Flow control between a data source and the strategies. A replay runs in lockstep: the venue adapter sends
 * a bar downstream and waits for `BarDone` before it asks the feed for the next one, so every order a bar
 * caused reaches the venue before the next bar does. That makes a replayed paper run deterministic across
 * Workers and lets a restarted daemon replay its journal to the same result.
 */

/** Strategy supervisor → risk guardian: this strategy has handled the bar (its commands were sent before). */
export type BarHandled = {
  readonly type: "BarHandled";
  readonly strategyId: string;
  readonly symbol: string;
  readonly ts: number;
};

/** Risk guardian → the bar's source: every subscriber has handled the bar. */
export type BarDone = { readonly type: "BarDone"; readonly symbol: string; readonly ts: number };

/** Adapter → replay feed: send the first bar after `afterTs` (−Infinity: from the start). */
export type RequestBar = { readonly type: "RequestBar"; readonly afterTs: number; readonly replyTo: string };

/**
 * Strategy supervisor → risk guardian: this strategy has handled a tick (live). Ticks are not in the bar lockstep:
 * the acknowledgement only tells the guardian the strategy keeps up, so it sends the next tick instead of holding
 * the newest back (risk_guardian/tick_flow.ts).
 */
export type TickHandled = { readonly type: "TickHandled"; readonly strategyId: string; readonly symbol: string };
