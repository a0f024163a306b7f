/**
 * One running actor: its behaviour, state and context. Shared by the in-process host (many cells in one
 * thread) and the worker entry (one cell per Worker), so an actor behaves the same under both hosts.
 */
import {
  type ActorContext,
  type AnyBehaviour,
  type Envelope,
  isPromise,
  type Message,
  refOf,
  type TellOptions,
  type Undeliverable,
} from "./behaviour.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import { ConfigError, errorText, InitError, UnknownMessageError } from "./errors.ts";
import { createLogger, type LogLevel, type LogSink } from "./log.ts";
import { hashString, seededRandom } from "./random.ts";
import type { ActorSpec } from "./spec.ts";

/** System message type carrying an `Undeliverable` back to the sender. */
export const UNDELIVERABLE = "$undeliverable";

export function undeliverableMessage(failure: Undeliverable): Message {
  return { type: UNDELIVERABLE, ...failure } as Message;
}

export interface CellEnvironment {
  readonly clock: Clock;
  readonly logSink: LogSink;
  readonly logLevel: LogLevel;
  readonly seed: number;
  /** Routes an outbound envelope (the host decides where it goes). */
  send(env: Envelope): void;
  /** The actor ended: normally (stopSelf) or by a crash. */
  exited(reason: "normal" | "crash", error?: unknown): void;
  /** A snapshot taken after the message with host sequence `upto`. */
  snapshotTaken(snapshot: unknown, upto: number): void;
}

export interface Cell {
  readonly path: string;
  readonly accepts: ReadonlySet<string>;
  /** Runs init (or restore from `snapshot`); rejects with InitError/ConfigError naming the actor. */
  start(snapshot: unknown | undefined): Promise<void>;
  /**
   * Handles one message. Returns a promise only when the behaviour's receive is async; the caller must not
   * deliver the next message before it settles. A throw inside receive is reported through `exited`.
   */
  deliver(env: Envelope, hostSeq: number): void | Promise<void>;
  /** Runs the behaviour's stop hook (bounded by the caller). */
  stop(): Promise<void>;
  /** Host-side undeliverable notice for a message this actor sent. */
  undeliverable(failure: Undeliverable): void;
  readonly alive: boolean;
}

export function createCell(
  path: string,
  spec: ActorSpec,
  behaviour: AnyBehaviour,
  env: CellEnvironment,
): Cell {
  const accepts = new Set<string>(behaviour.accepts);
  const snapshotEvery = spec.snapshotEvery ?? (behaviour.snapshot ? 1 : 0);
  const timers = new Map<string, TimerHandle>();
  let state: unknown;
  let alive = false;
  let outSeq = 0;
  let sinceSnapshot = 0;
  let current: Envelope | undefined;
  /** The last type accepted: messages mostly repeat it, so the Set is consulted only when the type changes. */
  let lastAccepted = "";

  const tell = <T extends Message>(to: { path: string } | string, msg: T, options?: TellOptions) => {
    const target = typeof to === "string" ? to : to.path;
    // One envelope shape whether or not it carries a correlation id: the host's hot path stays monomorphic.
    env.send({ to: target, from: path, seq: ++outSeq, corr: options?.correlationId, type: msg.type, msg });
  };

  const ctx: ActorContext = {
    self: refOf(path),
    path,
    clock: env.clock,
    log: createLogger(env.logSink, path, env.clock.now, env.logLevel, () => current?.corr),
    random: seededRandom(hashString(path) ^ env.seed),
    get sender() {
      return current?.from === undefined ? undefined : refOf(current.from);
    },
    get correlationId() {
      return current?.corr;
    },
    tell,
    reply(msg) {
      const to = current?.from;
      if (to === undefined) {
        ctx.log.warn("reply with no sender", { messageType: msg.type });
        return;
      }
      tell(to, msg, current?.corr === undefined ? undefined : { correlationId: current.corr });
    },
    schedule(key, delayMs, msg) {
      const previous = timers.get(key);
      if (previous !== undefined) env.clock.clearTimer(previous);
      const handle = env.clock.setTimer(env.clock.now() + delayMs, () => {
        timers.delete(key);
        if (alive) env.send({ to: path, from: path, seq: ++outSeq, corr: undefined, type: msg.type, msg });
      });
      timers.set(key, handle);
    },
    cancelSchedule(key) {
      const handle = timers.get(key);
      if (handle !== undefined) env.clock.clearTimer(handle);
      timers.delete(key);
    },
    stopSelf() {
      if (!alive) return;
      clearTimers();
      alive = false;
      env.exited("normal");
    },
  };

  function clearTimers() {
    for (const handle of timers.values()) env.clock.clearTimer(handle);
    timers.clear();
  }

  function crash(error: unknown) {
    if (!alive) return;
    alive = false;
    clearTimers();
    env.exited("crash", error);
  }

  function afterMessage(hostSeq: number) {
    if (snapshotEvery > 0 && ++sinceSnapshot >= snapshotEvery) {
      sinceSnapshot = 0;
      env.snapshotTaken(behaviour.snapshot!(state), hostSeq);
    }
  }

  return {
    path,
    accepts,
    get alive() {
      return alive;
    },
    async start(snapshot) {
      let config: unknown = spec.config;
      if (behaviour.parseConfig) {
        try {
          config = behaviour.parseConfig(spec.config, path);
        } catch (err) {
          if (err instanceof ConfigError) throw err;
          throw new ConfigError(path, "config", errorText(err));
        }
      }
      try {
        state = snapshot !== undefined && behaviour.restore
          ? await behaviour.restore(snapshot, config, ctx)
          : await behaviour.init(config, ctx);
      } catch (err) {
        throw new InitError(path, `init failed: ${errorText(err)}`, { cause: err });
      }
      alive = true;
      sinceSnapshot = 0;
    },
    deliver(envelope, hostSeq) {
      if (!alive) return undefined;
      const msg = envelope.msg;
      const type = envelope.type ?? msg.type;
      if (type === UNDELIVERABLE) {
        this.undeliverable(msg as unknown as Undeliverable);
        return undefined;
      }
      if (type !== lastAccepted && !accepts.has(type)) {
        // Refused at the door rather than crashing the actor: the sender made the mistake.
        const error = new UnknownMessageError(path, type);
        ctx.log.error(error.message, { from: envelope.from });
        if (envelope.from !== undefined) {
          env.send({
            to: envelope.from,
            seq: ++outSeq,
            msg: undeliverableMessage({
              to: path,
              messageType: type,
              reason: "unknown_type",
              detail: error.message,
            }),
          });
        }
        return undefined;
      }
      lastAccepted = type;
      current = envelope;
      let result: unknown;
      try {
        result = behaviour.receive(state, msg, ctx);
      } catch (err) {
        current = undefined;
        crash(err);
        return undefined;
      }
      if (isPromise(result)) {
        return result.then(
          (next) => {
            current = undefined;
            state = next;
            if (alive) afterMessage(hostSeq);
          },
          (err) => {
            current = undefined;
            crash(err);
          },
        );
      }
      current = undefined;
      state = result;
      afterMessage(hostSeq);
      return undefined;
    },
    async stop() {
      clearTimers();
      const wasAlive = alive;
      alive = false;
      if (wasAlive && behaviour.stop) await behaviour.stop(state, ctx);
    },
    undeliverable(failure) {
      if (!alive) return;
      if (!behaviour.onUndeliverable) {
        ctx.log.warn("message undeliverable", { ...failure });
        return;
      }
      try {
        state = behaviour.onUndeliverable(state, failure, ctx);
      } catch (err) {
        crash(err);
      }
    },
  };
}

/** Resolves a spec's module/export to a behaviour, with an error that names the actor. */
export async function loadBehaviour(
  path: string,
  spec: ActorSpec,
  preloaded?: Record<string, unknown>,
): Promise<AnyBehaviour> {
  let mod: Record<string, unknown>;
  try {
    mod = preloaded ?? await import(spec.module);
  } catch (err) {
    throw new InitError(path, `cannot load module ${spec.module}: ${errorText(err)}`, { cause: err });
  }
  const name = spec.export ?? "default";
  const behaviour = mod[name] as AnyBehaviour | undefined;
  if (!behaviour || typeof behaviour.receive !== "function" || typeof behaviour.init !== "function") {
    throw new InitError(path, `module ${spec.module} has no behaviour export "${name}"`);
  }
  if (!Array.isArray(behaviour.accepts)) {
    throw new InitError(path, `behaviour "${name}" in ${spec.module} must list the message types it accepts`);
  }
  return behaviour;
}
