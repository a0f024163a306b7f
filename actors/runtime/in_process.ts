/**
 * The in-process host: every actor in one thread, deterministic. Mailboxes are drained by a plain loop
 * (no promise or microtask per message) in FIFO order of readiness, so a backtest on the simulated clock
 * gives the same bytes on every run.
 */
import type { ActorRef, Envelope, Message, Undeliverable } from "./behaviour.ts";
import { type Cell, createCell, loadBehaviour, undeliverableMessage } from "./cell.ts";
import { type Clock, liveClock } from "./clock.ts";
import {
  AskTimeoutError,
  MailboxFullError,
  MessageNotCloneableError,
  NoSuchActorError,
  UnknownMessageError,
} from "./errors.ts";
import { type ActorStats, type Host, listenAt, type OpenMessage, statsOf } from "./host.ts";
import { createLogger, levelFromEnv, type LogLevel, type LogSink, stderrSink } from "./log.ts";
import { admit, type MailboxPolicy, mailboxPolicy } from "./mailbox.ts";
import { Queue } from "./queue.ts";
import { type ActorSpec, type ChildSpec, DEFAULT_MAILBOX, DEFAULT_SHUTDOWN_MS, validateTree } from "./spec.ts";
import { createTree, type Tree, type TreeEvent } from "./tree.ts";

export interface InProcessOptions {
  readonly clock?: Clock;
  readonly logSink?: LogSink;
  readonly logLevel?: LogLevel;
  readonly seed?: number;
  /** Check that every message survives structuredClone, as it must to cross a Worker (default true). */
  readonly strictMessages?: boolean;
  /** Drain automatically after outside tells and timers (default: on with a live clock). */
  readonly autoDrain?: boolean;
  /** Snapshots to restore from at start (crash recovery), by actor path. */
  readonly snapshots?: ReadonlyMap<string, unknown>;
  readonly onSnapshot?: (path: string, snapshot: unknown) => void;
}

export interface InProcessHost extends Host {
  readonly kind: "in_process";
  readonly clock: Clock;
  /** Runs the ready actors until every mailbox is empty (or an async receive is in flight). */
  drain(): number;
  /** True while an async receive or a supervision step is pending. */
  readonly busy: boolean;
  /**
   * A sender bound to one actor, for a driver that posts millions of messages (the backtest loop): it skips
   * the path lookup of `tell` but applies the same checks and overflow policy. Throws like `tell`.
   */
  senderTo<M extends Message>(to: ActorRef<M> | string): (msg: M) => void;
}

interface Slot {
  readonly path: string;
  readonly spec: ActorSpec;
  readonly mailbox: Queue<Envelope>;
  readonly policy: MailboxPolicy;
  cell: Cell | undefined;
  running: boolean;
  inReady: boolean;
  awaiting: boolean;
  maxDepth: number;
  processed: number;
  conflated: number;
  rejected: number;
  snapshot: unknown;
  hostSeq: number;
  /** The last type this cell accepted: most messages repeat it, which skips the Set lookup (reset with the cell). */
  accepted: string;
}

const typeOfEnvelope = (env: Envelope) => env.msg.type;
const ASK_PREFIX = "$ask/";
const DOLLAR = 36;
/** Messages an actor handles before yielding its turn, so one busy actor cannot starve the others. */
const THROUGHPUT = 256;

export function createInProcessHost(options: InProcessOptions = {}): InProcessHost {
  const clock = options.clock ?? liveClock();
  const logSink = options.logSink ?? stderrSink();
  const logLevel = options.logLevel ?? levelFromEnv();
  const seed = options.seed ?? 0;
  const strict = options.strictMessages ?? true;
  const autoDrain = options.autoDrain ?? clock.kind === "live";
  const log = createLogger(logSink, "host", clock.now, logLevel);
  const slots = new Map<string, Slot>();
  const ready = new Queue<Slot>(64);
  const asks = new Map<string, (msg: Message) => void>();
  const listeners = new Set<(event: TreeEvent) => void>();
  let askSeq = 0;
  let outsideSeq = 0;
  let draining = false;
  let drainScheduled = false;
  let awaitingCount = 0;
  /** Bumped when a slot is removed: senders' cached slots are then stale. */
  let slotsVersion = 0;
  let idleWaiters: (() => void)[] = [];

  const emit = (event: TreeEvent) => {
    for (const listener of listeners) listener(event);
  };

  const tree: Tree = createTree(
    {
      startActor,
      stopActor,
      forgetActor: (path) => {
        slotsVersion++;
        return slots.delete(path);
      },
    },
    clock,
    log,
    emit,
  );

  async function startActor(spec: ActorSpec, path: string, restart: boolean): Promise<void> {
    let slot = slots.get(path);
    if (!slot) {
      slot = {
        path,
        spec,
        mailbox: new Queue<Envelope>(),
        policy: mailboxPolicy(spec.mailbox ?? DEFAULT_MAILBOX),
        cell: undefined,
        running: false,
        inReady: false,
        awaiting: false,
        maxDepth: 0,
        processed: 0,
        conflated: 0,
        rejected: 0,
        snapshot: options.snapshots?.get(path),
        hostSeq: 0,
        accepted: "",
      };
      slots.set(path, slot);
    }
    const behaviour = await loadBehaviour(path, spec);
    const target = slot;
    const cell = createCell(path, spec, behaviour, {
      clock,
      logSink,
      logLevel,
      seed,
      send: cachedRoute(),
      exited: (reason, error) => {
        target.running = false;
        tree.childExited(path, reason, error);
      },
      snapshotTaken: (snapshot) => {
        target.snapshot = snapshot;
        options.onSnapshot?.(path, snapshot);
      },
    });
    // Messages queued while the actor was down stay in its mailbox: a restart loses no command.
    void restart;
    await cell.start(slot.snapshot);
    slot.cell = cell;
    slot.accepted = "";
    slot.running = true;
    if (slot.mailbox.size > 0) makeReady(slot);
    scheduleDrain();
  }

  async function stopActor(path: string): Promise<void> {
    const slot = slots.get(path);
    if (!slot?.cell) return;
    slot.running = false;
    const cell = slot.cell;
    const timeoutMs = slot.spec.shutdownMs ?? DEFAULT_SHUTDOWN_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        cell.stop(),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            log.warn("stop hook timed out", { child: path, timeoutMs });
            resolve();
          }, timeoutMs);
        }),
      ]);
    } catch (err) {
      log.error("stop hook failed", { child: path, error: String(err) });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  function makeReady(slot: Slot) {
    if (!slot.inReady) {
      slot.inReady = true;
      ready.push(slot);
    }
  }

  function scheduleDrain() {
    if (!autoDrain || drainScheduled || draining) return;
    drainScheduled = true;
    queueMicrotask(() => {
      drainScheduled = false;
      drain();
    });
  }

  function notifySender(env: Envelope, failure: Undeliverable) {
    if (env.from === undefined || env.from.startsWith(ASK_PREFIX)) return;
    route({ to: env.from, seq: 0, msg: undeliverableMessage(failure) });
  }

  /**
   * One sender's route: it remembers the slots of the last two paths it sent to (an actor mostly tells the same one
   * or two peers), which saves the path lookup per message. `slotsVersion` changes when a slot goes away.
   */
  function cachedRoute(): (env: Envelope) => void {
    let path1 = "", path2 = "";
    let slot1: Slot | undefined, slot2: Slot | undefined;
    let version = -1;
    return (env) => {
      const to = env.to;
      if (version === slotsVersion) {
        if (to === path1) return void routeTo(slot1!, env);
        if (to === path2) return void routeTo(slot2!, env);
      } else {
        version = slotsVersion;
        path1 = path2 = "";
      }
      if (to.charCodeAt(0) !== DOLLAR) {
        const slot = slots.get(to);
        if (slot) {
          path2 = path1;
          slot2 = slot1;
          path1 = to;
          slot1 = slot;
          return void routeTo(slot, env);
        }
      }
      route(env);
    };
  }

  /** Delivers an envelope into a mailbox. Returns the failure, if any, for outside callers to throw. */
  function route(env: Envelope): Error | undefined {
    // "$ask/…" (a reply to an ask) or "$main/…" (Host.listen): handled on this thread, dropped when gone.
    if (env.to.charCodeAt(0) === DOLLAR) {
      const resolve = asks.get(env.to);
      if (resolve) resolve(env.msg);
      return undefined;
    }
    const slot = slots.get(env.to);
    if (!slot) {
      const error = new NoSuchActorError(env.to);
      notifySender(env, { to: env.to, messageType: env.msg.type, reason: "no_such_actor", detail: error.message });
      return error;
    }
    return routeTo(slot, env);
  }

  function routeTo(slot: Slot, env: Envelope): Error | undefined {
    const type = env.type ?? env.msg.type;
    if (strict) {
      try {
        structuredClone(env.msg);
      } catch (err) {
        const error = new MessageNotCloneableError(env.to, type, err);
        log.error(error.message, { from: env.from });
        notifySender(env, { to: env.to, messageType: type, reason: "not_cloneable", detail: error.message });
        return error;
      }
    }
    if (slot.cell && type !== slot.accepted && type !== "$undeliverable" && !accepted(slot, slot.cell, type)) {
      const error = new UnknownMessageError(env.to, type);
      log.error(error.message, { from: env.from });
      notifySender(env, { to: env.to, messageType: type, reason: "unknown_type", detail: error.message });
      return error;
    }
    const mailbox = slot.mailbox;
    if (mailbox.size >= slot.policy.capacity) {
      const admission = admit(slot.policy, mailbox, mailbox.size, env, typeOfEnvelope);
      if (admission === "rejected") {
        slot.rejected++;
        const error = new MailboxFullError(env.to, slot.policy.capacity);
        notifySender(env, { to: env.to, messageType: type, reason: "mailbox_full", detail: error.message });
        return error;
      }
      slot.conflated++;
    }
    mailbox.push(env);
    if (mailbox.size > slot.maxDepth) slot.maxDepth = mailbox.size;
    if (slot.running && !slot.awaiting) makeReady(slot);
    scheduleDrain();
    return undefined;
  }

  function accepted(slot: Slot, cell: Cell, type: string): boolean {
    if (!cell.accepts.has(type)) return false;
    slot.accepted = type;
    return true;
  }

  function drain(): number {
    if (draining) return 0;
    draining = true;
    let count = 0;
    try {
      let slot: Slot | undefined;
      while ((slot = ready.shift()) !== undefined) {
        slot.inReady = false;
        const mailbox = slot.mailbox;
        let n = 0;
        while (slot.running && !slot.awaiting && n < THROUGHPUT && mailbox.size > 0) {
          const env = mailbox.shift()!;
          n++;
          slot.processed++;
          const pending = slot.cell!.deliver(env, ++slot.hostSeq);
          if (pending) awaitAsync(slot, pending);
        }
        count += n;
        if (slot.running && !slot.awaiting && mailbox.size > 0) makeReady(slot);
      }
    } finally {
      draining = false;
    }
    if (awaitingCount === 0 && !tree.pending) releaseIdle();
    return count;
  }

  function awaitAsync(slot: Slot, pending: Promise<void>) {
    slot.awaiting = true;
    awaitingCount++;
    pending.finally(() => {
      slot.awaiting = false;
      awaitingCount--;
      if (slot.running && slot.mailbox.size > 0) makeReady(slot);
      if (autoDrain) scheduleDrain();
      else if (awaitingCount === 0) releaseIdle();
    });
  }

  function releaseIdle() {
    if (idleWaiters.length === 0 || ready.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  const host: InProcessHost = {
    kind: "in_process",
    clock,
    drain,
    get busy() {
      return awaitingCount > 0 || tree.pending;
    },
    get fatal() {
      return tree.fatal;
    },
    async start(root: ChildSpec) {
      validateTree(root);
      await tree.start(root);
    },
    tell(to, msg) {
      const path = typeof to === "string" ? to : to.path;
      const error = route({ to: path, seq: ++outsideSeq, msg });
      if (error) throw error;
    },
    senderTo<M extends Message>(to: ActorRef<M> | string) {
      const path = typeof to === "string" ? to : to.path;
      const slot = slots.get(path);
      if (!slot) throw new NoSuchActorError(path);
      return (msg: M) => {
        const error = routeTo(slot, {
          to: path,
          from: undefined,
          seq: ++outsideSeq,
          corr: undefined,
          type: msg.type,
          msg,
        });
        if (error) throw error;
      };
    },
    ask<R extends Message>(to: ActorRef | string, msg: OpenMessage, timeoutMs: number): Promise<R> {
      const path = typeof to === "string" ? to : to.path;
      const id = `${ASK_PREFIX}${++askSeq}`;
      return new Promise<R>((resolve, reject) => {
        const timer = clock.setTimer(clock.now() + timeoutMs, () => {
          asks.delete(id);
          reject(new AskTimeoutError(path, msg.type, timeoutMs));
        });
        asks.set(id, (reply) => {
          asks.delete(id);
          clock.clearTimer(timer);
          resolve(reply as R);
        });
        const error = route({ to: path, from: id, seq: ++outsideSeq, corr: id, msg });
        if (error) {
          asks.delete(id);
          clock.clearTimer(timer);
          reject(error);
        }
      });
    },
    async idle() {
      for (;;) {
        drain();
        if (awaitingCount === 0 && !tree.pending && ready.size === 0) return;
        if (tree.pending) await tree.settled();
        else await new Promise<void>((resolve) => idleWaiters.push(resolve));
      }
    },
    async stop() {
      await tree.shutdown();
    },
    addChild: (parentPath, spec) => tree.addChild(parentPath, spec),
    removeChild: (path) => tree.removeChild(path),
    stats(): ActorStats[] {
      return [...slots.values()].map((s) => statsOf(s, s.mailbox.size, tree.restarts(s.path)));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lastSnapshot: (path) => slots.get(path)?.snapshot,
    listen: (path, listener) => listenAt(asks, path, listener),
  };
  return host;
}
