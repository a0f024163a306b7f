/**
 * An actor is a behaviour: plain functions over its own state. It knows nothing of Workers or threads;
 * where it runs is configuration (see spec.ts and the hosts).
 */
import type { Clock } from "./clock.ts";
import type { Logger } from "./log.ts";

/** Every message is a plain, structured-clone-safe object tagged by `type`. */
export interface Message {
  readonly type: string;
}

/** A typed address. Plain data: it crosses Worker boundaries as it is. */
export interface ActorRef<M extends Message = Message> {
  readonly path: string;
  /** Phantom field: carries the message type at compile time only. */
  readonly __messages?: M;
}

export function refOf<M extends Message>(path: string): ActorRef<M> {
  return { path };
}

/** Delivery metadata of one message. */
export interface Envelope<M extends Message = Message> {
  readonly to: string;
  readonly from?: string;
  /** Per-sender sequence number: FIFO holds per sender→receiver pair. */
  readonly seq: number;
  readonly corr?: string;
  /**
   * `msg.type`, copied by the in-process senders: the host reads it for every message, and the envelope has one
   * shape where messages have dozens (a megamorphic load each). Absent: read from `msg`.
   */
  readonly type?: string;
  readonly msg: M;
}

/** A message this actor sent could not be delivered; the sender learns it through `onUndeliverable`. */
export interface Undeliverable {
  readonly to: string;
  readonly messageType: string;
  readonly reason: "mailbox_full" | "no_such_actor" | "unknown_type" | "not_cloneable" | "stopped";
  readonly detail: string;
}

export interface TellOptions {
  readonly correlationId?: string;
}

export interface ActorContext<M extends Message = Message> {
  readonly self: ActorRef<M>;
  readonly path: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Seeded per actor path and run: the only randomness an actor may use. */
  readonly random: () => number;
  /** Sender of the message being handled, if it came from an actor (or an ask). */
  readonly sender: ActorRef | undefined;
  readonly correlationId: string | undefined;
  tell<T extends Message>(to: ActorRef<T> | string, msg: T, options?: TellOptions): void;
  /** Replies to the sender of the current message, keeping its correlation id. */
  reply<T extends Message>(msg: T): void;
  /** Sends `msg` to self after `delayMs` of clock time; a later schedule with the same key replaces it. */
  schedule(key: string, delayMs: number, msg: M): void;
  cancelSchedule(key: string): void;
  /** Stops this actor normally (a transient child is then not restarted). */
  stopSelf(): void;
}

export interface Behaviour<M extends Message = Message, S = unknown, C = unknown> {
  /** Every `type` this actor accepts; anything else is refused at its mailbox with a clear error. */
  readonly accepts: readonly M["type"][];
  /** Validates raw config; throws ConfigError naming the field. */
  parseConfig?(raw: unknown, actor: string): C;
  init(config: C, ctx: ActorContext<M>): S | Promise<S>;
  /** Keep it synchronous where possible: the in-process host is then a plain loop (no microtask per message). */
  receive(state: S, msg: M, ctx: ActorContext<M>): S | Promise<S>;
  /** A structured-clone-safe copy of the state, taken after handling messages (see `snapshotEvery`). */
  snapshot?(state: S): unknown;
  /** Rebuilds state from the last snapshot after a restart. */
  restore?(snapshot: unknown, config: C, ctx: ActorContext<M>): S | Promise<S>;
  onUndeliverable?(state: S, failure: Undeliverable, ctx: ActorContext<M>): S;
  /** Orderly shutdown: flush, close connections. Bounded by the spec's `shutdownMs`. */
  stop?(state: S, ctx: ActorContext<M>): void | Promise<void>;
}

// deno-lint-ignore no-explicit-any
export type AnyBehaviour = Behaviour<any, any, any>;

/**
 * `instanceof` rather than a `.then` probe: every actor's state has its own shape, and probing it for `then`
 * after every message made that property load megamorphic on the hottest path of the in-process host.
 */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}
