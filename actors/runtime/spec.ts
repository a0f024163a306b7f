/** The supervision tree as data, in the OTP style. Both hosts run the same specs. */

/** permanent: always restarted; transient: restarted only after a crash; temporary: never restarted. */
export type RestartType = "permanent" | "transient" | "temporary";
export type SupervisionStrategy = "one_for_one" | "one_for_all" | "rest_for_one";

export interface MailboxSpec {
  readonly capacity: number;
  /** reject: the sender learns (commands, order events); keep-newest: drop the oldest conflatable message. */
  readonly overflow: "reject" | "keep-newest";
  /** With keep-newest: the message types that may be dropped (default: all). Others are rejected instead. */
  readonly conflate?: readonly string[];
}

/** Per-actor sandbox in the Worker host (Deno worker permissions); ignored in-process. */
export interface WorkerPermissions {
  readonly net?: boolean | readonly string[];
  readonly read?: boolean | readonly string[];
  readonly write?: boolean | readonly string[];
  readonly env?: boolean | readonly string[];
  readonly run?: boolean;
  readonly ffi?: boolean;
  readonly sys?: boolean;
  readonly import?: boolean | readonly string[];
}

export interface ActorSpec {
  readonly kind: "actor";
  readonly id: string;
  /** Module URL (absolute, e.g. `new URL("./x.ts", import.meta.url).href`) and its export holding the behaviour. */
  readonly module: string;
  readonly export?: string;
  readonly config?: unknown;
  readonly restart?: RestartType;
  readonly mailbox?: MailboxSpec;
  readonly permissions?: WorkerPermissions;
  /** Take a snapshot after every N handled messages (0: never). Default 1 when the behaviour has `snapshot`. */
  readonly snapshotEvery?: number;
  readonly shutdownMs?: number;
}

export interface SupervisorSpec {
  readonly kind: "supervisor";
  readonly id: string;
  readonly strategy: SupervisionStrategy;
  /** More than `maxRestarts` within `withinMs` → stop all children and escalate to the parent (see `onExceeded`). */
  readonly intensity?: { readonly maxRestarts: number; readonly withinMs: number };
  /**
   * What exceeding `intensity` costs. "escalate" (default, OTP): the restarts of all children count together, and
   * too many stop every child and fail this supervisor. "quarantine": each child's restarts count apart, and a
   * child over the limit is left down (a "quarantined" event) while its siblings and this supervisor go on; it
   * stays down for the life of the tree, also when this supervisor is restarted. For children that fail alone
   * (strategies), so one poison child cannot take the others down. Needs one_for_one.
   */
  readonly onExceeded?: "escalate" | "quarantine";
  /** Delay before a restart: min(maxMs, minMs × factor^(recent restarts − 1)). */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number; readonly factor: number };
  readonly restart?: RestartType;
  readonly children: readonly ChildSpec[];
}

export type ChildSpec = ActorSpec | SupervisorSpec;

export const DEFAULT_MAILBOX: MailboxSpec = { capacity: 100_000, overflow: "reject" };
export const DEFAULT_INTENSITY = { maxRestarts: 3, withinMs: 5_000 } as const;
export const DEFAULT_BACKOFF = { minMs: 0, maxMs: 0, factor: 2 } as const;
export const DEFAULT_SHUTDOWN_MS = 5_000;

/** Checks a tree before anything starts: unique ids among siblings, sane numbers. Throws naming the node. */
export function validateTree(spec: ChildSpec, parentPath = ""): void {
  const path = parentPath ? `${parentPath}/${spec.id}` : spec.id;
  if (!/^[A-Za-z0-9_.:-]+$/.test(spec.id)) {
    throw new Error(`${path}: child id must match [A-Za-z0-9_.:-]+`);
  }
  if (spec.kind === "actor") {
    if (typeof spec.module !== "string" || spec.module.length === 0) throw new Error(`${path}: module is required`);
    if (spec.mailbox && !(spec.mailbox.capacity >= 1)) throw new Error(`${path}: mailbox.capacity must be ≥ 1`);
    return;
  }
  const seen = new Set<string>();
  for (const child of spec.children) {
    if (seen.has(child.id)) throw new Error(`${path}: duplicate child id "${child.id}"`);
    seen.add(child.id);
    validateTree(child, path);
  }
  const intensity = spec.intensity ?? DEFAULT_INTENSITY;
  if (!(intensity.maxRestarts >= 0) || !(intensity.withinMs > 0)) {
    throw new Error(`${path}: intensity needs maxRestarts ≥ 0 and withinMs > 0`);
  }
  const exceeded = spec.onExceeded ?? "escalate";
  if (exceeded !== "escalate" && exceeded !== "quarantine") {
    throw new Error(`${path}: onExceeded must be "escalate" or "quarantine", got ${JSON.stringify(exceeded)}`);
  }
  if (exceeded === "quarantine" && spec.strategy !== "one_for_one") {
    throw new Error(`${path}: onExceeded "quarantine" needs one_for_one (${spec.strategy} restarts siblings together)`);
  }
}
