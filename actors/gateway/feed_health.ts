/**
 * Is the market data fresh? A bar is due one bar interval after the last one; the feed is stale once a bar is
 * overdue by more than the grace. How "the last one" is measured depends on the feed:
 *   unpaced  a replay at max speed: bars come as fast as they are handled, always fresh;
 *   paced    a replay at a speed: bars arrive `interval` of wall time apart (timeframe / speed), measured by
 *            when the adapter received the last bar;
 *   live     bars carry real time: per symbol, the last bar closed at open time + timeframe, and the next one
 *            closes a timeframe later (a feed that only delivers old bars, e.g. stuck backfilling, is stale too).
 * Before the first bar the feed gets a startup grace; a replay that has ended is not stale (nothing is due).
 * "since" is the last moment the feed was known fresh: the last bar (its receipt or its close), or the start.
 */
import { assertNever } from "../runtime/mod.ts";
import type { BarsSeen } from "./snapshot.ts";

export type FeedPolicy =
  | { readonly kind: "unpaced" }
  | { readonly kind: "paced"; readonly intervalMs: number; readonly graceMs: number; readonly startupGraceMs: number }
  | {
    readonly kind: "live";
    readonly intervalMs: number;
    readonly graceMs: number;
    readonly startupGraceMs: number;
    readonly symbols: readonly string[];
  };

export interface FeedHealth {
  readonly state: "fresh" | "unpaced" | "awaiting first bar" | "ended" | "stale";
  /** One entry per stale stream (a symbol for live feeds). */
  readonly stale: readonly { readonly symbol?: string; readonly since: number }[];
}

export interface FeedObservation {
  readonly bars: BarsSeen;
  /** When the adapter (re)started: the startup grace runs from here. */
  readonly startedAt: number;
  /** The feed stopped normally (a replay's last bar). */
  readonly ended: boolean;
}

export function assessFeed(policy: FeedPolicy, seen: FeedObservation, now: number): FeedHealth {
  if (seen.ended) return { state: "ended", stale: [] };
  switch (policy.kind) {
    case "unpaced":
      return { state: "unpaced", stale: [] };
    case "paced": {
      const arrivals = Object.values(seen.bars).map((b) => b.at);
      if (arrivals.length === 0) return awaiting(policy.startupGraceMs, seen.startedAt, now, undefined);
      const last = Math.max(...arrivals);
      const overdue = now - last > policy.intervalMs + policy.graceMs;
      return overdue ? { state: "stale", stale: [{ since: last }] } : { state: "fresh", stale: [] };
    }
    case "live": {
      const stale: { symbol?: string; since: number }[] = [];
      let awaitingAny = false;
      for (const symbol of policy.symbols) {
        const bar = seen.bars[symbol];
        if (!bar) {
          const a = awaiting(policy.startupGraceMs, seen.startedAt, now, symbol);
          stale.push(...a.stale);
          awaitingAny ||= a.state === "awaiting first bar";
          continue;
        }
        const closedAt = bar.ts + policy.intervalMs;
        if (now - closedAt > policy.intervalMs + policy.graceMs) stale.push({ symbol, since: closedAt });
      }
      if (stale.length > 0) return { state: "stale", stale };
      return { state: awaitingAny ? "awaiting first bar" : "fresh", stale: [] };
    }
    default:
      return assertNever(policy);
  }
}

function awaiting(graceMs: number, startedAt: number, now: number, symbol: string | undefined): FeedHealth {
  if (now - startedAt <= graceMs) return { state: "awaiting first bar", stale: [] };
  return { state: "stale", stale: [{ ...(symbol !== undefined ? { symbol } : {}), since: startedAt }] };
}
