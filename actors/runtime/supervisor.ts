/**
 * Supervision decisions as a pure function, shared by every host: given a child's exit, what to stop,
 * what to restart (and when), or whether to give up and escalate.
 */
import { DEFAULT_BACKOFF, DEFAULT_INTENSITY, type SupervisorSpec } from "./spec.ts";

export type ExitReason = "normal" | "crash";

export type SupervisionDecision =
  /** Nothing to do (a temporary child, or a transient one that ended normally). */
  | { readonly kind: "ignore"; readonly removeChild: boolean }
  /** Stop `stop` (in this order: reverse start order), then after `delayMs` start `start` (start order). */
  | {
    readonly kind: "restart";
    readonly stop: readonly string[];
    readonly start: readonly string[];
    readonly delayMs: number;
  }
  /** Restart intensity exceeded: stop every child and fail this supervisor. */
  | { readonly kind: "escalate"; readonly reason: string }
  /** The child's own restart intensity exceeded (onExceeded "quarantine"): leave it down, nothing else. */
  | { readonly kind: "quarantine"; readonly reason: string };

/** Restart times kept per supervisor (the sliding window of its intensity), and per child when it quarantines. */
export interface RestartHistory {
  readonly times: number[];
  readonly byChild: Map<string, number[]>;
}

export const emptyHistory = (): RestartHistory => ({ times: [], byChild: new Map() });

export function decide(
  spec: SupervisorSpec,
  history: RestartHistory,
  childId: string,
  reason: ExitReason,
  now: number,
): SupervisionDecision {
  const index = spec.children.findIndex((c) => c.id === childId);
  if (index < 0) return { kind: "ignore", removeChild: false };
  const restart = spec.children[index].restart ?? "permanent";
  if (restart === "temporary") return { kind: "ignore", removeChild: true };
  if (restart === "transient" && reason === "normal") return { kind: "ignore", removeChild: true };

  const intensity = spec.intensity ?? DEFAULT_INTENSITY;
  const quarantine = spec.onExceeded === "quarantine";
  let times = history.times;
  if (quarantine) {
    times = history.byChild.get(childId) ?? [];
    history.byChild.set(childId, times);
  }
  const recent = times.filter((t) => now - t < intensity.withinMs);
  recent.push(now);
  times.splice(0, times.length, ...recent);
  if (recent.length > intensity.maxRestarts) {
    const reason =
      `${recent.length} restarts within ${intensity.withinMs} ms exceed the limit of ${intensity.maxRestarts}`;
    return quarantine ? { kind: "quarantine", reason } : { kind: "escalate", reason };
  }

  const backoff = spec.backoff ?? DEFAULT_BACKOFF;
  const delayMs = Math.min(backoff.maxMs, backoff.minMs * Math.pow(backoff.factor, recent.length - 1));
  const ids = spec.children.map((c) => c.id);
  const affected = spec.strategy === "one_for_one"
    ? [childId]
    : spec.strategy === "one_for_all"
    ? ids
    : ids.slice(index); // rest_for_one: the child and every child started after it
  return { kind: "restart", stop: [...affected].reverse(), start: affected, delayMs };
}
