/**
 * How the Worker host reaches actors that run in another process: the link (redis_link.ts) carries their mailboxes
 * and reports their lifecycle. Types only, so the host does not load a Redis client unless a link is given.
 */
import type { Envelope } from "./behaviour.ts";
import type { ActorSpec } from "./spec.ts";

/** What the host gives the link: where inbound messages go, and where a remote actor's exit is reported. */
export interface LinkSink {
  route(env: Envelope): void;
  exited(path: string, reason: "normal" | "crash", error?: Error): void;
}

export interface RemoteLinkStats {
  readonly path: string;
  readonly running: boolean;
  readonly holder: string | undefined;
  /** Messages sent to its mailbox stream by this link. */
  readonly sent: number;
  /** Mailbox entries not yet handled (not read, or read and not committed), as of the last lease check. */
  readonly depth: number;
  readonly maxDepth: number;
  /** Mailbox entries handled and committed, as of the last lease check. */
  readonly processed: number;
}

export interface RemoteLink {
  /** Does the actor at `path` run on the bus rather than in a Worker here? */
  hosts(path: string): boolean;
  bind(sink: LinkSink): void;
  /** Resolves when a remote process has started it (restored from its committed snapshot when `restart`). */
  start(spec: ActorSpec, path: string, restart: boolean): Promise<void>;
  /** Asks the remote process to run its stop hook; resolves when it did or after `timeoutMs`. */
  stop(path: string, timeoutMs: number): Promise<void>;
  forget(path: string): void;
  send(env: Envelope): void;
  stats(): RemoteLinkStats[];
  close(): Promise<void>;
}

/** Starts the error of a remote actor declared dead because its lease expired (its process died or hung). */
export const REMOTE_LOST = "remote actor lost";
