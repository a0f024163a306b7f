/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * Runs one actor inside a Web Worker. The host starts each Worker from a tiny generated module (see `entryUrl` in
 * worker_host.ts) that loads this one and calls `serveActor`, which registers the message handler before the
 * first await (or early messages would be lost).
 */
import type { Envelope } from "./behaviour.ts";
import { type Cell, createCell, loadBehaviour } from "./cell.ts";
import { liveClock } from "./clock.ts";
import { errorText, MessageNotCloneableError } from "./errors.ts";
import type { Delivery, HostToWorker, WorkerToHost } from "./worker_protocol.ts";

const post = (msg: WorkerToHost) => self.postMessage(msg);
const clock = liveClock();
let cell: Cell | undefined;
let path = "?";
let outbox: Envelope[] = [];
let flushQueued = false;
let pendingSnapshot: { data: unknown } | undefined;
const inbox: Delivery[] = [];
let processing = false;
let exited = false;
/** The delivery being handled, so a crash report names its poison message. */
let currentSeq = -1;

function flushOutbox() {
  flushQueued = false;
  if (outbox.length === 0) return;
  const envs = outbox;
  outbox = [];
  try {
    post({ type: "out", envs });
  } catch {
    // One message in the batch cannot be cloned: send the others, and name the bad one.
    for (const env of envs) {
      try {
        post({ type: "out", envs: [env] });
      } catch (err) {
        const error = new MessageNotCloneableError(env.to, env.msg.type, err);
        post({
          type: "log",
          record: { ts: clock.now(), level: "error", actor: path, msg: error.message },
        });
        cell?.undeliverable({ to: env.to, messageType: env.msg.type, reason: "not_cloneable", detail: error.message });
      }
    }
  }
}

function send(env: Envelope) {
  outbox.push(env);
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushOutbox);
  }
}

async function processInbox() {
  if (processing) return;
  processing = true;
  let upto = -1;
  while (inbox.length > 0 && !exited) {
    const { env, hostSeq } = inbox.shift()!;
    currentSeq = hostSeq;
    progress![0] = hostSeq;
    if (env.msg.type === "$undeliverable") {
      cell!.undeliverable(env.msg as never);
    } else {
      const pending = cell!.deliver(env, hostSeq);
      if (pending) await pending;
    }
    if (exited) {
      processing = false;
      return;
    }
    upto = hostSeq;
  }
  processing = false;
  flushOutbox();
  if (upto >= 0) {
    post(pendingSnapshot ? { type: "ack", upto, snapshot: pendingSnapshot } : { type: "ack", upto });
    pendingSnapshot = undefined;
  }
}

let actorModule: Record<string, unknown> | undefined;
/** Shared with the host: [0] = host sequence of the delivery being handled, readable even while we hang. */
let progress: Float64Array | undefined;

/**
 * `mod` is given for a sandboxed actor (imported statically); the others load their module in `init`. `early`
 * holds host messages that arrived before this module was loaded.
 */
export function serveActor(mod?: Record<string, unknown>, early: readonly MessageEvent<HostToWorker>[] = []): void {
  actorModule = mod;
  self.onmessage = onHostMessage;
  for (const event of early) onHostMessage(event);
  // An error no handler caught is this actor's crash: reported like a throw from `receive` (the host restarts the
  // actor and logs it), rather than escaping as an uncaught worker error with a stack trace on stderr.
  // Before the actor runs, the host's onerror handles it (the start fails).
  self.addEventListener("unhandledrejection", (event) => {
    if (cell !== undefined) crashed(event, event.reason);
  });
  self.addEventListener("error", (event) => {
    if (cell !== undefined) crashed(event, event.error ?? event.message);
  });
}

function crashed(event: Event, error: unknown) {
  event.preventDefault();
  if (exited) return;
  exited = true;
  flushOutbox();
  post({
    type: "exit",
    reason: "crash",
    error: `uncaught: ${errorText(error)}`,
    ...(currentSeq >= 0 ? { poison: currentSeq } : {}),
  });
}

function onHostMessage(event: MessageEvent<HostToWorker>) {
  const msg = event.data;
  switch (msg.type) {
    case "init":
      void init(msg);
      return;
    case "deliver":
      for (const d of msg.batch) inbox.push(d);
      void processInbox();
      return;
    case "ping":
      post({ type: "pong", n: msg.n });
      return;
    case "stop":
      void (async () => {
        try {
          await cell?.stop();
        } finally {
          flushOutbox();
          post({ type: "stopped" });
        }
      })();
      return;
  }
}

async function init(msg: Extract<HostToWorker, { type: "init" }>) {
  path = msg.path;
  try {
    progress = new Float64Array(msg.progress);
    const behaviour = await loadBehaviour(msg.path, msg.spec, actorModule);
    cell = createCell(msg.path, msg.spec, behaviour, {
      clock,
      logSink: (record) => post({ type: "log", record }),
      logLevel: msg.logLevel,
      seed: msg.seed,
      send,
      exited(reason, error) {
        exited = true;
        flushOutbox();
        post({
          type: "exit",
          reason,
          ...(error === undefined ? {} : { error: errorText(error) }),
          ...(currentSeq >= 0 ? { poison: currentSeq } : {}),
        });
      },
      snapshotTaken(snapshot) {
        pendingSnapshot = { data: snapshot };
      },
    });
    await cell.start(msg.snapshot);
    post({ type: "ready", accepts: [...cell.accepts] });
  } catch (err) {
    post({ type: "init_failed", error: errorText(err), name: (err as Error)?.name ?? "Error" });
  }
}
