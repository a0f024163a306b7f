/**
 * Ticks from the venue adapters to the strategies, as the risk guardian routes them (live only; backtests deliver
 * ticks themselves). Ticks are not part of the bar lockstep: nothing waits for them, and a strategy that handles
 * them slower than they come must cost only itself, bounded. So each strategy has at most one batch of ticks in
 * flight (at most one tick per symbol); while it has, newer ticks are held back, only the newest per symbol
 * (conflated), and go out when it acknowledges the batch (TickHandled). Memory is one tick per strategy and
 * symbol; the strategy's mailbox holds at most one tick per symbol.
 *
 * An acknowledgement can be lost (the strategy's actor crashed or was replaced while the tick was in flight): a
 * batch unanswered for `LOST_AFTER_MS` counts as lost, and the guardian forgets it on the lifecycle messages too.
 *
 * Plain data in the guardian's state (its snapshot); functions over it, like lockstep.ts.
 */
import type { Tick } from "../protocol/mod.ts";

/** An unacknowledged batch older than this (guardian clock) is taken as lost. */
export const LOST_AFTER_MS = 10_000;

export interface TickFlow {
  /** Strategy id → ticks sent and not yet acknowledged, and when the batch went out. */
  readonly inFlight: Record<string, { n: number; since: number }>;
  /** Strategy id → symbol → the newest tick held back while it was behind. */
  readonly held: Record<string, Record<string, Tick>>;
  /** Ticks sent, and ticks replaced by a newer one before they were sent (for /metrics and tests). */
  sent: number;
  conflated: number;
}

export const createTickFlow = (): TickFlow => ({ inFlight: {}, held: {}, sent: 0, conflated: 0 });

/** A tick for one strategy: sent at once if it is not behind, else held (replacing an older one of the symbol). */
export function offer(flow: TickFlow, strategyId: string, tick: Tick, now: number, send: (tick: Tick) => void): void {
  const busy = flow.inFlight[strategyId];
  if (busy !== undefined && now - busy.since < LOST_AFTER_MS) {
    const held = flow.held[strategyId] ??= {};
    if (held[tick.symbol] !== undefined) flow.conflated++;
    held[tick.symbol] = tick;
    return;
  }
  // Not behind, or its last batch is lost: what was held is older than this tick's symbol, or of other symbols.
  const held = flow.held[strategyId];
  delete flow.held[strategyId];
  if (held?.[tick.symbol] !== undefined) flow.conflated++;
  const batch = held ? Object.values(held).filter((t) => t.symbol !== tick.symbol) : [];
  batch.push(tick);
  flow.inFlight[strategyId] = { n: batch.length, since: now };
  flow.sent += batch.length;
  for (const t of batch) send(t);
}

/** The strategy handled one tick; when its batch is done, what was held back goes out as the next batch. */
export function handled(flow: TickFlow, strategyId: string, now: number, send: (tick: Tick) => void): void {
  const busy = flow.inFlight[strategyId];
  if (busy === undefined) return; // a late answer to a batch taken as lost
  if (--busy.n > 0) return;
  delete flow.inFlight[strategyId];
  const held = flow.held[strategyId];
  if (held === undefined) return;
  delete flow.held[strategyId];
  const batch = Object.values(held);
  flow.inFlight[strategyId] = { n: batch.length, since: now };
  flow.sent += batch.length;
  for (const t of batch) send(t);
}

/** The strategy's actor went away (crashed, quarantined, removed): its batch will not be answered. */
export function forget(flow: TickFlow, strategyId: string): void {
  delete flow.inFlight[strategyId];
  delete flow.held[strategyId];
}
