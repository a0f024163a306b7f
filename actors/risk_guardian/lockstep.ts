/**
 * The bar clock of a lockstep replay, as the risk guardian keeps it: a bar is done when every strategy it waits
 * for has acknowledged it (BarHandled), and the guardian then tells the bar's source (BarDone). It waits by
 * strategy id, not by count, so a strategy that crashed, restarts or was disabled is simply released: a late or
 * repeated acknowledgement (a restarted actor handling a redelivered bar again) can never complete another's bar.
 */

export interface PendingBar {
  /** Who sent the bar and waits for BarDone (the venue adapter). */
  readonly source: string;
  readonly symbol: string;
  readonly ts: number;
  /** Strategy ids whose acknowledgement is still missing. */
  readonly waiting: string[];
}

/** Pending bars by `${symbol}@${ts}` (a Map clones: part of the guardian's snapshot). */
export type BarAcks = Map<string, PendingBar>;

const keyOf = (symbol: string, ts: number) => `${symbol}@${ts}`;

/** Starts waiting for `waiting`; false when there is no one to wait for (the bar is done at once). */
export function awaitBar(acks: BarAcks, source: string, symbol: string, ts: number, waiting: string[]): boolean {
  if (waiting.length === 0) return false;
  acks.set(keyOf(symbol, ts), { source, symbol, ts, waiting });
  return true;
}

/** Records one acknowledgement; returns the bar when it was the last one missing. */
export function ackBar(acks: BarAcks, strategyId: string, symbol: string, ts: number): PendingBar | undefined {
  const key = keyOf(symbol, ts);
  const pending = acks.get(key);
  if (!pending) return undefined;
  const i = pending.waiting.indexOf(strategyId);
  if (i < 0) return undefined;
  pending.waiting.splice(i, 1);
  if (pending.waiting.length > 0) return undefined;
  acks.delete(key);
  return pending;
}

/** Stops waiting for a strategy on every pending bar; returns the bars that are now done, oldest first. */
export function releaseStrategy(acks: BarAcks, strategyId: string): PendingBar[] {
  const done: PendingBar[] = [];
  for (const [key, pending] of acks) {
    const i = pending.waiting.indexOf(strategyId);
    if (i < 0) continue;
    pending.waiting.splice(i, 1);
    if (pending.waiting.length === 0) {
      acks.delete(key);
      done.push(pending);
    }
  }
  return done;
}
