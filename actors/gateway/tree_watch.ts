/**
 * Follows the supervision tree's lifecycle events for health: which actors crashed and are not running again yet
 * (restarting right now), when each actor last started, and which exited normally (a replay feed at its end).
 */
import type { Host, TreeEvent } from "../runtime/mod.ts";

export interface TreeWatch {
  /** Paths that crashed and have not started again. */
  restarting(): string[];
  lastStart(path: string): number | undefined;
  exited(path: string): boolean;
  close(): void;
}

export function watchTree(host: Host, now: () => number): TreeWatch {
  const restarting = new Set<string>();
  const started = new Map<string, number>();
  const exited = new Set<string>();
  const unsubscribe = host.subscribe((event: TreeEvent) => {
    // Only the lifecycle steps that change what health reports; the others (escalated, fatal) show elsewhere.
    switch (event.type) {
      case "crashed":
        restarting.add(event.path);
        return;
      case "started":
      case "restarted":
        restarting.delete(event.path);
        exited.delete(event.path);
        started.set(event.path, now());
        return;
      case "exited":
        exited.add(event.path);
        return;
      case "removed":
        // Taken out of the tree on purpose (a strategy removed while running): nothing left to report.
        restarting.delete(event.path);
        exited.delete(event.path);
        started.delete(event.path);
        return;
      default:
        return;
    }
  });
  return {
    restarting: () => [...restarting],
    lastStart: (path) => started.get(path),
    exited: (path) => exited.has(path),
    close: unsubscribe,
  };
}
