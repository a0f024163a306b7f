/** Bounded-mailbox admission, shared by both hosts: reject (the sender learns) or keep the newest. */
import type { Envelope } from "./behaviour.ts";
import type { Queue } from "./queue.ts";
import type { MailboxSpec } from "./spec.ts";

export interface MailboxPolicy {
  readonly capacity: number;
  readonly keepNewest: boolean;
  /** Types that keep-newest may drop; undefined = all. */
  readonly conflate: ReadonlySet<string> | undefined;
}

export function mailboxPolicy(spec: MailboxSpec): MailboxPolicy {
  return {
    capacity: spec.capacity,
    keepNewest: spec.overflow === "keep-newest",
    conflate: spec.conflate ? new Set(spec.conflate) : undefined,
  };
}

export type Admission = "accepted" | "conflated" | "rejected";

/**
 * Makes room for `env` when the mailbox is at capacity (`depth` may count messages in flight elsewhere).
 * Commands are never dropped silently: only conflatable types are dropped, and only for a newer message.
 */
export function admit<T>(
  policy: MailboxPolicy,
  queue: Queue<T>,
  depth: number,
  env: Envelope,
  typeOf: (item: T) => string,
): Admission {
  if (depth < policy.capacity) return "accepted";
  const conflatable = (type: string) => policy.keepNewest && (!policy.conflate || policy.conflate.has(type));
  if (conflatable(env.msg.type) && queue.removeFirst((item) => conflatable(typeOf(item)))) return "conflated";
  return "rejected";
}
