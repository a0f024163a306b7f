/** What every host offers, so the same tests and the same system code run on any of them. */
import type { ActorRef, Message } from "./behaviour.ts";
import type { ChildSpec } from "./spec.ts";
import type { TreeEvent } from "./tree.ts";

/** A message literal with any fields (ask's request type is checked by the receiving actor). */
export type OpenMessage = Message & { readonly [field: string]: unknown };

export interface ActorStats {
  readonly path: string;
  readonly running: boolean;
  /** Messages waiting (backpressure indicator). */
  readonly depth: number;
  readonly maxDepth: number;
  readonly processed: number;
  /** Dropped by keep-newest conflation. */
  readonly conflated: number;
  /** Refused because the mailbox was full (the sender was told). */
  readonly rejected: number;
  readonly restarts: number;
}

export interface Host {
  readonly kind: "in_process" | "worker";
  /** Loads every module, validates configs and starts the tree in order; rejects naming the failing actor. */
  start(root: ChildSpec): Promise<void>;
  /** Sends from outside any actor. Throws a typed error when the message cannot be accepted. */
  tell<M extends Message>(to: ActorRef<M> | string, msg: M): void;
  /** Request/reply with a mandatory timeout; rejects with AskTimeoutError naming the actor. */
  ask<R extends Message = Message>(to: ActorRef | string, msg: OpenMessage, timeoutMs: number): Promise<R>;
  /** Resolves when every mailbox is empty and no supervision step is pending. */
  idle(): Promise<void>;
  /** Orderly shutdown in reverse start order. */
  stop(): Promise<void>;
  /**
   * Starts a child under a running supervisor while the rest of the tree runs (e.g. a strategy added by an
   * operator); rejects, changing nothing, when it cannot start. See Tree.addChild.
   */
  addChild(parentPath: string, spec: ChildSpec): Promise<void>;
  /** Stops a child in order and removes it for good: its mailbox and snapshot go; later sends to it fail. */
  removeChild(path: string): Promise<void>;
  stats(): ActorStats[];
  /** Lifecycle events (started, crashed, restarted, escalated, stopped, fatal). */
  subscribe(listener: (event: TreeEvent) => void): () => void;
  /**
   * A mailbox on the host's own thread at `path` (which starts with "$main/"): what actors tell it is handed to
   * `listener` as it is routed, with no actor turn in between. Meant for taps (the control endpoint's WebSocket
   * channels): keep the listener cheap, it runs on the routing path. Messages while nobody listens are dropped.
   */
  listen(path: string, listener: (msg: Message) => void): () => void;
  /** The last snapshot of an actor, if it takes them. */
  lastSnapshot(path: string): unknown;
  readonly fatal: Error | undefined;
}

/** Paths of host-thread mailboxes (`Host.listen`). */
export const MAIN_PREFIX = "$main/";

const fans = new WeakMap<Map<string, (msg: Message) => void>, Map<string, Set<(msg: Message) => void>>>();

/** Registers a host-thread listener in `endpoints` (the map the host routes "$…" paths through); several may share a path. */
export function listenAt(
  endpoints: Map<string, (msg: Message) => void>,
  path: string,
  listener: (msg: Message) => void,
): () => void {
  if (!path.startsWith(MAIN_PREFIX) || path.length === MAIN_PREFIX.length) {
    throw new Error(`a host-thread mailbox path must start with "${MAIN_PREFIX}", got ${JSON.stringify(path)}`);
  }
  let byPath = fans.get(endpoints);
  if (!byPath) fans.set(endpoints, byPath = new Map());
  let set = byPath.get(path);
  if (!set) {
    const listeners = set = new Set();
    byPath.set(path, set);
    endpoints.set(path, (msg) => {
      for (const l of listeners) l(msg);
    });
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && byPath.get(path) === set) {
      byPath.delete(path);
      endpoints.delete(path);
    }
  };
}

/** The counters both hosts keep per actor; `depth` is host-specific (the Worker host counts in-flight too). */
export interface StatsCounters {
  readonly path: string;
  readonly running: boolean;
  readonly maxDepth: number;
  readonly processed: number;
  readonly conflated: number;
  readonly rejected: number;
}

export function statsOf(counters: StatsCounters, depth: number, restarts: number): ActorStats {
  const { path, running, maxDepth, processed, conflated, rejected } = counters;
  return { path, running, depth, maxDepth, processed, conflated, rejected, restarts };
}
