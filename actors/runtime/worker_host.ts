/**
 * The Worker host: each actor in its own Web Worker, messages routed through the main thread in
 * batches. Mailboxes live here, not in the Worker, so a crashed or hung Worker loses no message: what it
 * had not acknowledged is redelivered to its replacement (minus the message that crashed it).
 */
import type { ActorRef, Envelope, Message, Undeliverable } from "./behaviour.ts";
import { undeliverableMessage } from "./cell.ts";
import { liveClock } from "./clock.ts";
import {
  ActorError,
  AskTimeoutError,
  ConfigError,
  errorText,
  InitError,
  MailboxFullError,
  MessageNotCloneableError,
  NoSuchActorError,
  UnknownMessageError,
} from "./errors.ts";
import { type ActorStats, type Host, listenAt, type OpenMessage, statsOf } from "./host.ts";
import { createLogger, levelFromEnv, type LogLevel, type LogSink, stderrSink } from "./log.ts";
import { admit, type MailboxPolicy, mailboxPolicy } from "./mailbox.ts";
import { Queue } from "./queue.ts";
import {
  type ActorSpec,
  type ChildSpec,
  DEFAULT_MAILBOX,
  DEFAULT_SHUTDOWN_MS,
  validateTree,
  type WorkerPermissions,
} from "./spec.ts";
import { createTree, type TreeEvent } from "./tree.ts";
import type { Delivery, HostToWorker, WorkerToHost } from "./worker_protocol.ts";
import type { RemoteLink } from "./remote_link.ts";

export interface WorkerHostOptions {
  readonly logSink?: LogSink;
  readonly logLevel?: LogLevel;
  readonly seed?: number;
  /** Ping period; an actor silent for `heartbeatTimeoutMs` is declared hung and replaced. */
  readonly heartbeatMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** Deliveries in flight per Worker before the host waits for an acknowledgement. */
  readonly window?: number;
  readonly snapshots?: ReadonlyMap<string, unknown>;
  readonly onSnapshot?: (path: string, snapshot: unknown) => void;
  /**
   * A hung Worker cannot be stopped (Deno's terminate() does not interrupt a synchronous loop): its thread
   * leaks. The actor is replaced at once; this callback lets the daemon escalate to a process restart
   * under its watchdog.
   */
  readonly onLeakedWorker?: (path: string) => void;
  /**
   * Actors that run in another process (redis_link.ts): their mailboxes are on the link, and their starts, exits
   * and deaths go through the same supervision tree as a Worker's.
   */
  readonly remote?: RemoteLink;
}

export interface WorkerHost extends Host {
  readonly kind: "worker";
  /** Workers declared hung whose threads may still be running. */
  readonly leakedWorkers: number;
}

interface Slot {
  readonly path: string;
  readonly spec: ActorSpec;
  readonly policy: MailboxPolicy;
  readonly queue: Queue<Delivery>;
  inflight: Delivery[];
  worker: Worker | undefined;
  accepts: ReadonlySet<string> | undefined;
  running: boolean;
  lastPong: number;
  pingSeq: number;
  hostSeq: number;
  snapshot: unknown;
  maxDepth: number;
  processed: number;
  conflated: number;
  rejected: number;
  lastPoison: number;
  progress: Float64Array;
  onStopped: (() => void) | undefined;
}

const ASK_PREFIX = "$ask/";
const ENTRY = new URL("./worker_entry.ts", import.meta.url).href;

/**
 * A generated entry module. A sandboxed actor (no read permission) needs static imports, which need none. The others
 * import the entry and their module dynamically from strings, which `deno test` does not type-check again when the
 * Worker starts (`deno task check` has checked them): no "Check blob:…" line and no seconds of checking per new
 * graph. Messages that arrive meanwhile are held for the entry; it registers its handler before any await.
 */
function entryUrl(spec: ActorSpec): string {
  const code = entryCode(spec);
  // One blob per distinct entry, kept for the process: a URL per start would never be revoked (a restart loop would
  // pile them up), and every unsandboxed actor shares the same entry.
  let url = entryUrls.get(code);
  if (url === undefined) {
    url = URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
    entryUrls.set(code, url);
  }
  return url;
}
const entryUrls = new Map<string, string>();

function entryCode(spec: ActorSpec): string {
  return spec.permissions
    ? `import * as actorModule from ${JSON.stringify(spec.module)};\n` +
      `import { serveActor } from ${JSON.stringify(ENTRY)};\n` +
      `serveActor(actorModule);\n`
    : `const early = [];\nself.onmessage = (event) => early.push(event);\n` +
      `const entry = ${JSON.stringify(ENTRY)};\n` +
      `const { serveActor } = await import(entry);\nserveActor(undefined, early);\n`;
}

export function createWorkerHost(options: WorkerHostOptions = {}): WorkerHost {
  const clock = liveClock();
  const logSink = options.logSink ?? stderrSink();
  const logLevel = options.logLevel ?? levelFromEnv();
  const seed = options.seed ?? 0;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 3 * heartbeatMs;
  const window = options.window ?? 4_096;
  const log = createLogger(logSink, "host", clock.now, logLevel);
  const slots = new Map<string, Slot>();
  const asks = new Map<string, (msg: Message) => void>();
  const listeners = new Set<(event: TreeEvent) => void>();
  const dirty = new Set<Slot>();
  let flushQueued = false;
  let askSeq = 0;
  let outsideSeq = 0;
  let leaked = 0;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let idleWaiters: (() => void)[] = [];

  const emit = (event: TreeEvent) => {
    for (const listener of listeners) listener(event);
  };

  const remote = options.remote;
  const tree = createTree(
    { startActor, stopActor, forgetActor },
    clock,
    log,
    emit,
  );
  remote?.bind({
    route: (env) => void route(env),
    exited: (path, reason, error) => tree.childExited(path, reason, error),
  });

  function workerOptions(permissions: WorkerPermissions | undefined): WorkerOptions {
    if (!permissions) return { type: "module" };
    // Imports of the actor's own modules still need read access to the source tree.
    const deno = {
      permissions: {
        net: permissions.net ?? false,
        read: permissions.read ?? false,
        write: permissions.write ?? false,
        env: permissions.env ?? false,
        run: permissions.run ?? false,
        ffi: permissions.ffi ?? false,
        sys: permissions.sys ?? false,
        import: permissions.import ?? false,
      },
    };
    return { type: "module", deno } as WorkerOptions;
  }

  function killWorker(slot: Slot) {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.running = false;
    if (worker) {
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
    }
  }

  /** A Worker failed: recycle it and let the tree decide. Unacknowledged deliveries stay queued. */
  function workerFailed(slot: Slot, error: Error, poison?: number) {
    if (!slot.running) return;
    killWorker(slot);
    const survivors = slot.inflight.filter((d) => d.hostSeq !== poison);
    if (poison !== undefined && survivors.length < slot.inflight.length) {
      log.error("dropped the message that crashed the actor", { child: slot.path, hostSeq: poison });
    }
    slot.lastPoison = poison ?? -1;
    // Put unacknowledged deliveries back in front, in their original order.
    const rest: Delivery[] = [];
    let d: Delivery | undefined;
    while ((d = slot.queue.shift()) !== undefined) rest.push(d);
    for (const item of [...survivors, ...rest]) slot.queue.push(item);
    slot.inflight = [];
    tree.childExited(slot.path, "crash", error);
  }

  /** The delivery the Worker was handling when it failed, if it is still unacknowledged. */
  function inFlightPoison(slot: Slot): number | undefined {
    const seq = slot.progress[0];
    return slot.inflight.some((d) => d.hostSeq === seq) ? seq : undefined;
  }

  function startActor(spec: ActorSpec, path: string, restart: boolean): Promise<void> {
    if (remote?.hosts(path)) return remote.start(spec, path, restart);
    let slot = slots.get(path);
    if (!slot) {
      slot = {
        path,
        spec,
        policy: mailboxPolicy(spec.mailbox ?? DEFAULT_MAILBOX),
        queue: new Queue<Delivery>(),
        inflight: [],
        worker: undefined,
        accepts: undefined,
        running: false,
        lastPong: 0,
        pingSeq: 0,
        hostSeq: 0,
        snapshot: options.snapshots?.get(path),
        maxDepth: 0,
        processed: 0,
        conflated: 0,
        rejected: 0,
        lastPoison: -1,
        progress: new Float64Array(new SharedArrayBuffer(8)),
        onStopped: undefined,
      };
      slots.set(path, slot);
    }
    const target = slot;
    return new Promise<void>((resolve, reject) => {
      let worker: Worker;
      try {
        target.progress = new Float64Array(new SharedArrayBuffer(8));
        target.progress[0] = -1;
        worker = new Worker(entryUrl(spec), workerOptions(spec.permissions));
      } catch (err) {
        reject(new InitError(path, `cannot start worker: ${errorText(err)}`, { cause: err }));
        return;
      }
      target.worker = worker;
      let started = false;
      worker.onerror = (event: ErrorEvent) => {
        // Without preventDefault an error in a child worker ends the whole process.
        event.preventDefault();
        const error = new ActorError(path, `worker error: ${event.message}`);
        if (!started) {
          started = true;
          killWorker(target);
          reject(new InitError(path, event.message));
          return;
        }
        workerFailed(target, error, inFlightPoison(target));
      };
      worker.onmessage = (event: MessageEvent<WorkerToHost>) => {
        const msg = event.data;
        switch (msg.type) {
          case "ready":
            started = true;
            target.accepts = new Set(msg.accepts);
            target.running = true;
            target.lastPong = clock.now();
            resolve();
            markDirty(target);
            return;
          case "init_failed": {
            started = true;
            killWorker(target);
            reject(
              msg.name === "ConfigError" ? new ConfigErrorFromWorker(path, msg.error) : new InitError(path, msg.error),
            );
            return;
          }
          case "out":
            for (const env of msg.envs) route(env);
            return;
          case "ack": {
            let n = 0;
            while (n < target.inflight.length && target.inflight[n].hostSeq <= msg.upto) n++;
            target.processed += n;
            target.inflight = n === target.inflight.length ? [] : target.inflight.slice(n);
            if (msg.snapshot) {
              target.snapshot = msg.snapshot.data;
              options.onSnapshot?.(path, msg.snapshot.data);
            }
            markDirty(target);
            checkIdle();
            return;
          }
          case "exit":
            if (msg.reason === "normal") {
              killWorker(target);
              tree.childExited(path, "normal");
            } else {
              workerFailed(target, new ActorError(path, msg.error ?? "crashed"), msg.poison);
            }
            return;
          case "undeliverable":
            return;
          case "pong":
            target.lastPong = clock.now();
            return;
          case "log":
            logSink(msg.record);
            return;
          case "stopped":
            target.onStopped?.();
            return;
        }
      };
      const init: HostToWorker = {
        type: "init",
        path,
        spec,
        snapshot: target.snapshot,
        seed,
        logLevel,
        progress: target.progress.buffer as SharedArrayBuffer,
      };
      worker.postMessage(init);
      ensureHeartbeat();
    });
  }

  function stopActor(path: string): Promise<void> {
    if (remote?.hosts(path)) return remote.stop(path, DEFAULT_SHUTDOWN_MS);
    const slot = slots.get(path);
    if (!slot?.worker) return Promise.resolve();
    const worker = slot.worker;
    slot.running = false;
    const timeoutMs = slot.spec.shutdownMs ?? DEFAULT_SHUTDOWN_MS;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        log.warn("stop timed out; terminating worker", { child: path, timeoutMs });
        done();
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        slot.onStopped = undefined;
        if (slot.worker === worker) killWorker(slot);
        else worker.terminate();
        resolve();
      };
      slot.onStopped = done;
      worker.postMessage({ type: "stop" } satisfies HostToWorker);
    });
  }

  function forgetActor(path: string) {
    if (remote?.hosts(path)) return remote.forget(path);
    const slot = slots.get(path);
    if (!slot) return;
    killWorker(slot);
    dirty.delete(slot);
    slots.delete(path);
    checkIdle();
  }

  function ensureHeartbeat() {
    if (heartbeat !== undefined) return;
    heartbeat = setInterval(() => {
      const now = clock.now();
      for (const slot of slots.values()) {
        if (!slot.running || !slot.worker) continue;
        if (now - slot.lastPong > heartbeatTimeoutMs) {
          leaked++;
          log.error("actor stopped answering heartbeats; replacing its worker", {
            child: slot.path,
            silentMs: now - slot.lastPong,
          });
          workerFailed(
            slot,
            new ActorError(slot.path, `hung: no heartbeat for ${now - slot.lastPong} ms`),
            inFlightPoison(slot),
          );
          options.onLeakedWorker?.(slot.path);
          continue;
        }
        slot.worker.postMessage({ type: "ping", n: ++slot.pingSeq } satisfies HostToWorker);
      }
    }, heartbeatMs);
  }

  function markDirty(slot: Slot) {
    dirty.add(slot);
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(flush);
  }

  function flush() {
    flushQueued = false;
    for (const slot of dirty) {
      if (!slot.running || !slot.worker) continue;
      const room = window - slot.inflight.length;
      if (room <= 0 || slot.queue.size === 0) continue;
      const batch: Delivery[] = [];
      while (batch.length < room && slot.queue.size > 0) batch.push(slot.queue.shift()!);
      for (const d of batch) slot.inflight.push(d);
      slot.worker.postMessage({ type: "deliver", batch } satisfies HostToWorker);
    }
    dirty.clear();
  }

  function notifySender(env: Envelope, failure: Undeliverable) {
    if (env.from === undefined || env.from.startsWith(ASK_PREFIX)) return;
    route({ to: env.from, seq: 0, msg: undeliverableMessage(failure) });
  }

  function route(env: Envelope): Error | undefined {
    // "$ask/…" (a reply to an ask) or "$main/…" (Host.listen): handled on this thread, dropped when gone.
    if (env.to.charCodeAt(0) === 36) {
      asks.get(env.to)?.(env.msg);
      return undefined;
    }
    const slot = slots.get(env.to);
    const type = env.msg.type;
    if (!slot && remote?.hosts(env.to)) {
      remote.send(env);
      return undefined;
    }
    if (!slot) {
      const error = new NoSuchActorError(env.to);
      notifySender(env, { to: env.to, messageType: type, reason: "no_such_actor", detail: error.message });
      return error;
    }
    if (slot.accepts && type !== "$undeliverable" && !slot.accepts.has(type)) {
      const error = new UnknownMessageError(env.to, type);
      log.error(error.message, { from: env.from });
      notifySender(env, { to: env.to, messageType: type, reason: "unknown_type", detail: error.message });
      return error;
    }
    const depth = slot.queue.size + slot.inflight.length;
    const admission = admit(slot.policy, slot.queue, depth, env, (d) => d.env.msg.type);
    if (admission === "rejected") {
      slot.rejected++;
      const error = new MailboxFullError(env.to, slot.policy.capacity);
      notifySender(env, { to: env.to, messageType: type, reason: "mailbox_full", detail: error.message });
      return error;
    }
    if (admission === "conflated") slot.conflated++;
    slot.queue.push({ env, hostSeq: ++slot.hostSeq });
    const total = slot.queue.size + slot.inflight.length;
    if (total > slot.maxDepth) slot.maxDepth = total;
    markDirty(slot);
    return undefined;
  }

  function quiet(): boolean {
    for (const slot of slots.values()) {
      if (slot.running && (slot.queue.size > 0 || slot.inflight.length > 0)) return false;
    }
    return !tree.pending;
  }

  function checkIdle() {
    if (idleWaiters.length === 0 || !quiet()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    kind: "worker",
    get leakedWorkers() {
      return leaked;
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
      try {
        structuredClone(msg);
      } catch (err) {
        throw new MessageNotCloneableError(path, msg.type, err);
      }
      const error = route({ to: path, seq: ++outsideSeq, msg });
      if (error) throw error;
    },
    ask<R extends Message>(to: ActorRef | string, msg: OpenMessage, timeoutMs: number): Promise<R> {
      const path = typeof to === "string" ? to : to.path;
      const id = `${ASK_PREFIX}${++askSeq}`;
      return new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => {
          asks.delete(id);
          reject(new AskTimeoutError(path, msg.type, timeoutMs));
        }, timeoutMs);
        asks.set(id, (reply) => {
          asks.delete(id);
          clearTimeout(timer);
          resolve(reply as R);
        });
        let error: Error | undefined;
        try {
          structuredClone(msg);
          error = route({ to: path, from: id, seq: ++outsideSeq, corr: id, msg });
        } catch (err) {
          error = new MessageNotCloneableError(path, msg.type, err);
        }
        if (error) {
          asks.delete(id);
          clearTimeout(timer);
          reject(error);
        }
      });
    },
    async idle() {
      for (;;) {
        if (tree.pending) await tree.settled();
        if (quiet()) return;
        await new Promise<void>((resolve) => idleWaiters.push(resolve));
      }
    },
    async stop() {
      await tree.shutdown();
      if (heartbeat !== undefined) clearInterval(heartbeat);
      heartbeat = undefined;
      for (const slot of slots.values()) killWorker(slot);
      await remote?.close();
    },
    addChild: (parentPath, spec) => tree.addChild(parentPath, spec),
    removeChild: (path) => tree.removeChild(path),
    stats(): ActorStats[] {
      const local = [...slots.values()].map((s) => statsOf(s, s.queue.size + s.inflight.length, tree.restarts(s.path)));
      // Remote actors: their mailbox counters come from the bus (as of the link's last lease check).
      const remoteStats = (remote?.stats() ?? []).map((r) =>
        statsOf({ ...r, conflated: 0, rejected: 0 }, r.depth, tree.restarts(r.path))
      );
      return [...local, ...remoteStats];
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lastSnapshot: (path) => slots.get(path)?.snapshot,
    listen: (path, listener) => listenAt(asks, path, listener),
  };
}

/** A ConfigError raised inside a Worker, carried back by its message. */
class ConfigErrorFromWorker extends ConfigError {
  constructor(actor: string, message: string) {
    super(actor, "config", message);
    this.message = message;
  }
}
