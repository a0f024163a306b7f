/**
 * Executes a supervision tree over a host's actor driver: starts children in order, applies the pure
 * decisions of supervisor.ts when a child exits, escalates, and shuts down in reverse start order.
 * Both hosts use it; only the driver (how an actor is started and stopped) differs.
 */
import type { Clock } from "./clock.ts";
import { errorText } from "./errors.ts";
import type { Logger } from "./log.ts";
import { type ActorSpec, type ChildSpec, type SupervisorSpec, validateTree } from "./spec.ts";
import { decide, emptyHistory, type ExitReason, type RestartHistory } from "./supervisor.ts";

export interface ActorDriver {
  /** Starts (or restarts) an actor; rejects when its init fails. */
  startActor(spec: ActorSpec, path: string, restart: boolean): Promise<void>;
  /** Stops an actor in order (its stop hook, bounded by the spec's shutdownMs). */
  stopActor(path: string, why: "shutdown" | "restart" | "escalation"): Promise<void>;
  /** Drops a stopped actor for good (removed from the tree): its mailbox, its last snapshot, its counters. */
  forgetActor(path: string): void;
}

export type TreeEvent =
  | { readonly type: "started"; readonly path: string }
  | { readonly type: "crashed"; readonly path: string; readonly error: string }
  | { readonly type: "exited"; readonly path: string }
  | { readonly type: "restarted"; readonly path: string; readonly delayMs: number }
  | { readonly type: "escalated"; readonly path: string; readonly reason: string }
  /** The child exceeded its own restart intensity and is left down (its supervisor's onExceeded "quarantine"). */
  | { readonly type: "quarantined"; readonly path: string; readonly reason: string }
  | { readonly type: "stopped"; readonly path: string }
  /** A child added to, or removed from, a running supervisor (addChild / removeChild). */
  | { readonly type: "added"; readonly path: string }
  | { readonly type: "removed"; readonly path: string }
  | { readonly type: "fatal"; readonly error: string };

interface Node {
  readonly spec: ChildSpec;
  readonly path: string;
  readonly parent: SupervisorNode | undefined;
  running: boolean;
  /** Left down for good: never started again, also when its supervisor restarts. */
  quarantined: boolean;
}

interface SupervisorNode extends Node {
  /** Replaced when children are added or removed at runtime: the restart decisions read its children. */
  spec: SupervisorSpec;
  readonly children: Node[];
  readonly history: RestartHistory;
}

export interface Tree {
  start(root: ChildSpec): Promise<void>;
  /** The driver reports an actor's exit here. */
  childExited(path: string, reason: ExitReason, error?: unknown): void;
  shutdown(): Promise<void>;
  /** Resolves when no supervision work is pending. */
  settled(): Promise<void>;
  readonly pending: boolean;
  readonly fatal: Error | undefined;
  /** How often the child at `path` was restarted. */
  restarts(path: string): number;
  /** Actor paths in start order. */
  actorPaths(): string[];
  /**
   * Starts `spec` as the last child of the running supervisor at `parentPath` (after any supervision step in
   * progress). Rejects, leaving the tree as it was, when the parent is unknown or not running, the id is taken or
   * invalid, or the child cannot start.
   */
  addChild(parentPath: string, spec: ChildSpec): Promise<void>;
  /** Stops the child at `path` (its subtree in reverse start order) and removes it from its supervisor for good. */
  removeChild(path: string): Promise<void>;
}

export function createTree(
  driver: ActorDriver,
  clock: Clock,
  log: Logger,
  onEvent: (event: TreeEvent) => void,
): Tree {
  const restartCounts = new Map<string, number>();
  const nodes = new Map<string, Node>();
  let root: Node | undefined;
  let chain: Promise<void> = Promise.resolve();
  let pendingOps = 0;
  let fatal: Error | undefined;
  let shuttingDown = false;

  // Supervision work is serialised: a second crash during a restart waits for the first to finish.
  function enqueue(op: () => Promise<void>): Promise<void> {
    pendingOps++;
    chain = chain.then(op).catch((err) => {
      log.error("supervision step failed", { error: errorText(err) });
    }).finally(() => pendingOps--);
    return chain;
  }

  function build(spec: ChildSpec, parent: SupervisorNode | undefined): Node {
    const path = parent ? `${parent.path}/${spec.id}` : spec.id;
    const node: Node = spec.kind === "actor" ? { spec, path, parent, running: false, quarantined: false } : ({
      spec,
      path,
      parent,
      running: false,
      quarantined: false,
      children: [],
      history: emptyHistory(),
    } as SupervisorNode);
    nodes.set(path, node);
    if (spec.kind === "supervisor") {
      for (const child of spec.children) (node as SupervisorNode).children.push(build(child, node as SupervisorNode));
    }
    return node;
  }

  async function startNode(node: Node, restart: boolean): Promise<void> {
    if (node.spec.kind === "actor") {
      await driver.startActor(node.spec, node.path, restart);
      node.running = true;
      onEvent({ type: "started", path: node.path });
      return;
    }
    const sup = node as SupervisorNode;
    sup.history.times.length = 0;
    sup.history.byChild.clear();
    node.running = true;
    for (const child of sup.children) {
      if (shuttingDown || !node.running) return;
      if (child.quarantined) continue;
      await startNode(child, restart);
    }
    onEvent({ type: "started", path: node.path });
  }

  async function stopNode(node: Node, why: "shutdown" | "restart" | "escalation"): Promise<void> {
    if (!node.running) return;
    node.running = false;
    if (node.spec.kind === "actor") {
      await driver.stopActor(node.path, why);
    } else {
      const children = (node as SupervisorNode).children;
      for (let i = children.length - 1; i >= 0; i--) await stopNode(children[i], why);
    }
    onEvent({ type: "stopped", path: node.path });
  }

  async function handleExit(node: Node, reason: ExitReason, error?: unknown): Promise<void> {
    if (shuttingDown) return;
    const parent = node.parent;
    if (!parent) {
      fail(new Error(`root ${node.path} ${reason === "crash" ? `failed: ${errorText(error)}` : "exited"}`));
      return;
    }
    if (!parent.running) return; // the parent is itself being stopped or restarted
    const id = node.spec.id;
    const decision = decide(parent.spec, parent.history, id, reason, clock.now());
    switch (decision.kind) {
      case "ignore":
        return;
      case "quarantine":
        // The child has already exited (crash or end): leaving it down is all there is to do.
        node.quarantined = true;
        log.error("restart intensity of a child exceeded; quarantining it", {
          child: node.path,
          reason: decision.reason,
        });
        onEvent({ type: "quarantined", path: node.path, reason: decision.reason });
        return;
      case "escalate": {
        log.error("restart intensity exceeded; escalating", { supervisor: parent.path, reason: decision.reason });
        onEvent({ type: "escalated", path: parent.path, reason: decision.reason });
        await stopNode(parent, "escalation");
        const cause = error === undefined ? "" : `; last failure in ${node.path}: ${errorText(error)}`;
        await handleExit(parent, "crash", new Error(`${parent.path}: ${decision.reason}${cause}`));
        return;
      }
      case "restart": {
        const byId = new Map(parent.children.map((c) => [c.spec.id, c]));
        for (const childId of decision.stop) await stopNode(byId.get(childId)!, "restart");
        if (decision.delayMs > 0) {
          await new Promise<void>((resolve) => clock.setTimer(clock.now() + decision.delayMs, resolve));
        }
        for (const childId of decision.start) {
          if (shuttingDown || !parent.running) return;
          const child = byId.get(childId)!;
          try {
            await startNode(child, true);
            restartCounts.set(child.path, (restartCounts.get(child.path) ?? 0) + 1);
            onEvent({ type: "restarted", path: child.path, delayMs: decision.delayMs });
          } catch (err) {
            // A child that cannot start counts as another crash: intensity ends an init loop.
            log.error("restart failed", { child: child.path, error: errorText(err) });
            onEvent({ type: "crashed", path: child.path, error: errorText(err) });
            await handleExit(child, "crash", err);
            return;
          }
        }
        return;
      }
    }
  }

  function fail(error: Error) {
    if (fatal) return;
    fatal = error;
    log.error("supervision tree failed", { error: error.message });
    onEvent({ type: "fatal", error: error.message });
  }

  function forget(node: Node): void {
    nodes.delete(node.path);
    restartCounts.delete(node.path);
    if (node.spec.kind === "actor") driver.forgetActor(node.path);
    else for (const child of (node as SupervisorNode).children) forget(child);
  }

  function supervisorAt(path: string): SupervisorNode {
    const node = nodes.get(path);
    if (!node || node.spec.kind !== "supervisor") throw new Error(`${path}: no such supervisor`);
    if (!node.running || shuttingDown) throw new Error(`${path}: the supervisor is not running`);
    return node as SupervisorNode;
  }

  async function addChild(parentPath: string, spec: ChildSpec): Promise<void> {
    const parent = supervisorAt(parentPath);
    validateTree(spec, parentPath);
    if (parent.children.some((c) => c.spec.id === spec.id)) {
      throw new Error(`${parentPath}: duplicate child id "${spec.id}"`);
    }
    const node = build(spec, parent);
    try {
      await startNode(node, false);
    } catch (err) {
      await stopNode(node, "shutdown").catch(() => {});
      forget(node);
      throw err;
    }
    parent.children.push(node);
    parent.spec = { ...parent.spec, children: [...parent.spec.children, spec] };
    onEvent({ type: "added", path: node.path });
  }

  async function removeChild(path: string): Promise<void> {
    const node = nodes.get(path);
    const parent = node?.parent;
    if (!node || !parent) throw new Error(`${path}: no such child${node ? " (the root cannot be removed)" : ""}`);
    // Detached first: an exit reported while it stops is not a crash to restart.
    parent.children.splice(parent.children.indexOf(node), 1);
    parent.spec = { ...parent.spec, children: parent.spec.children.filter((c) => c.id !== node.spec.id) };
    parent.history.byChild.delete(node.spec.id);
    try {
      await stopNode(node, "shutdown");
    } finally {
      forget(node);
      onEvent({ type: "removed", path });
    }
  }

  /** Runs `op` in turn with supervision steps; its own failure goes to the caller, not to the log. */
  function serialised(op: () => Promise<void>): Promise<void> {
    let outcome: { ok: true } | { ok: false; error: unknown } = { ok: true };
    return enqueue(async () => {
      try {
        await op();
      } catch (error) {
        outcome = { ok: false, error };
      }
    }).then(() => {
      if (!outcome.ok) throw outcome.error;
    });
  }

  return {
    addChild: (parentPath, spec) => serialised(() => addChild(parentPath, spec)),
    removeChild: (path) => serialised(() => removeChild(path)),
    async start(spec) {
      root = build(spec, undefined);
      try {
        await startNode(root, false);
      } catch (err) {
        await stopNode(root, "shutdown").catch(() => {});
        throw err;
      }
    },
    childExited(path, reason, error) {
      const node = nodes.get(path);
      if (!node || !node.running) return;
      node.running = false;
      if (reason === "crash") {
        log.error("actor crashed", { child: path, error: errorText(error) });
        onEvent({ type: "crashed", path, error: errorText(error) });
      } else {
        onEvent({ type: "exited", path });
      }
      void enqueue(() => handleExit(node, reason, error));
    },
    async shutdown() {
      await chain;
      shuttingDown = true;
      if (root) await stopNode(root, "shutdown");
    },
    settled: () => chain,
    get pending() {
      return pendingOps > 0;
    },
    get fatal() {
      return fatal;
    },
    restarts: (path) => restartCounts.get(path) ?? 0,
    actorPaths() {
      return [...nodes.values()].filter((n) => n.spec.kind === "actor").map((n) => n.path);
    },
  };
}
