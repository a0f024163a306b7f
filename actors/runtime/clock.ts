/**
 * Time is injected. Only this file and the hosts call `Date.now()` or `setTimeout`, so a backtest on the
 * simulated clock is deterministic and a live run uses the wall clock through the same interface.
 */
import { ClockError } from "./errors.ts";

export type TimerHandle = number;

export interface Clock {
  readonly kind: "live" | "simulated";
  now(): number;
  /** Calls `fire` once at or after `atMs` (clock time). */
  setTimer(atMs: number, fire: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export function liveClock(): Clock {
  const timers = new Map<TimerHandle, ReturnType<typeof setTimeout>>();
  let next = 1;
  return {
    kind: "live",
    now: () => Date.now(),
    setTimer(atMs, fire) {
      const handle = next++;
      const id = setTimeout(() => {
        timers.delete(handle);
        fire();
      }, Math.max(0, atMs - Date.now()));
      timers.set(handle, id);
      return handle;
    },
    clearTimer(handle) {
      const id = timers.get(handle);
      if (id !== undefined) clearTimeout(id);
      timers.delete(handle);
    },
  };
}

export interface SimulatedClock extends Clock {
  readonly kind: "simulated";
  /** Moves time forward to `toMs`, firing due timers in time order (ties in creation order). */
  advanceTo(toMs: number): void;
  /** Time of the earliest pending timer, or undefined. */
  nextTimerAt(): number | undefined;
}

interface PendingTimer {
  readonly at: number;
  readonly handle: TimerHandle;
  readonly fire: () => void;
}

export function simulatedClock(startMs = 0): SimulatedClock {
  let now = startMs;
  let next = 1;
  // Kept sorted by (at, handle); few timers are pending at once in practice, so insertion sort is enough.
  const pending: PendingTimer[] = [];
  return {
    kind: "simulated",
    now: () => now,
    setTimer(atMs, fire) {
      const timer = { at: Math.max(atMs, now), handle: next++, fire };
      let i = pending.length;
      while (i > 0 && pending[i - 1].at > timer.at) i--;
      pending.splice(i, 0, timer);
      return timer.handle;
    },
    clearTimer(handle) {
      const i = pending.findIndex((t) => t.handle === handle);
      if (i >= 0) pending.splice(i, 1);
    },
    advanceTo(toMs) {
      if (!Number.isFinite(toMs)) throw new ClockError(`cannot advance the simulated clock to ${toMs}`);
      if (toMs < now) {
        throw new ClockError(
          `the simulated clock cannot go backwards: now ${new Date(now).toISOString()}, asked ${
            new Date(toMs).toISOString()
          }`,
        );
      }
      while (pending.length > 0 && pending[0].at <= toMs) {
        const timer = pending.shift()!;
        now = timer.at;
        timer.fire();
      }
      now = toMs;
    },
    nextTimerAt: () => pending[0]?.at,
  };
}
