/**
 * The outer watchdog: runs the daemon as a child process and restarts it when it exits abnormally or
 * stops writing its heartbeat file. This is the last step of the escalation path for a hung actor:
 * Deno cannot stop a Worker stuck in a synchronous loop, so the daemon exits (EXIT_RESTART_ME) or hangs,
 * and a fresh process recovers from snapshots and the journal.
 *
 * The daemon must not outlive its watchdog: an orphan keeps trading while the next start runs a second daemon
 * beside it. So the child's stdin is a pipe the watchdog never writes to; when the watchdog dies, however it dies,
 * the kernel closes it and the daemon reads EOF and stops in order (`onWatchdogGone`). The watchdog in turn stops
 * when its own parent (`deno task`) dies (`parentPid`).
 */

/** The daemon asks for a clean restart (for example after a Worker thread leaked). */
export const EXIT_RESTART_ME = 75;
/** Another daemon holds the data directory (or the journal): restarting cannot help, so the watchdog does not. */
export const EXIT_LOCKED = 3;
/** Set in the daemon's environment by the watchdog: stdin is the watchdog's pipe. */
export const WATCHDOG_STDIN_ENV = "TRADEACTOR_WATCHDOG_STDIN";

export interface WatchdogOptions {
  /** Command and arguments of the daemon, e.g. [Deno.execPath(), "run", "-A", "main.ts", "daemon"]. */
  readonly command: readonly string[];
  readonly heartbeatFile: string;
  /** No heartbeat for this long → SIGKILL and restart. */
  readonly heartbeatTimeoutMs: number;
  /** Restarts allowed within `windowMs` before the watchdog gives up (exit code of the last run). */
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly backoffMs?: number;
  readonly env?: Record<string, string>;
  readonly log?: (line: Record<string, unknown>) => void;
  readonly signal?: AbortSignal;
  /** Stop the daemon and return once this is no longer our parent process (it died; we were re-parented). */
  readonly parentPid?: number;
  /** How often to look at the parent; default 1 s. */
  readonly parentCheckMs?: number;
}

export interface WatchdogResult {
  readonly exitCode: number;
  readonly restarts: number;
  readonly killedForSilence: number;
}

export async function runWatchdog(options: WatchdogOptions): Promise<WatchdogResult> {
  const log = options.log ?? ((line) => console.error(JSON.stringify({ actor: "watchdog", ...line })));
  const stop = new AbortController();
  const onStop = () => stop.abort();
  options.signal?.addEventListener("abort", onStop);
  if (options.signal?.aborted) stop.abort();
  const parentWatch = options.parentPid === undefined ? undefined : setInterval(() => {
    if (Deno.ppid === options.parentPid || stop.signal.aborted) return;
    log({ level: "error", msg: "our parent process is gone; stopping the daemon", parentPid: options.parentPid });
    stop.abort();
  }, options.parentCheckMs ?? 1_000);
  try {
    return await supervise(options, stop.signal, log);
  } finally {
    clearInterval(parentWatch);
    options.signal?.removeEventListener("abort", onStop);
  }
}

async function supervise(
  options: WatchdogOptions,
  stopped: AbortSignal,
  log: (line: Record<string, unknown>) => void,
): Promise<WatchdogResult> {
  const restartTimes: number[] = [];
  let restarts = 0;
  let killedForSilence = 0;
  for (;;) {
    if (stopped.aborted) return { exitCode: 0, restarts, killedForSilence };
    await Deno.remove(options.heartbeatFile).catch(() => {});
    const child = new Deno.Command(options.command[0], {
      args: options.command.slice(1),
      env: { ...options.env, TRADEACTOR_HEARTBEAT_FILE: options.heartbeatFile, [WATCHDOG_STDIN_ENV]: "1" },
      // Never written to: its only message is EOF, when this process dies.
      stdin: "piped",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const startedAt = Date.now();
    let silent = false;
    const monitor = setInterval(async () => {
      const beat = await Deno.readTextFile(options.heartbeatFile).then(Number).catch(() => startedAt);
      if (Date.now() - Math.max(beat, startedAt) > options.heartbeatTimeoutMs) {
        silent = true;
        log({ level: "error", msg: "daemon silent; killing it", silentMs: Date.now() - beat, pid: child.pid });
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
    }, Math.max(50, Math.floor(options.heartbeatTimeoutMs / 4)));
    const onAbort = () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    };
    stopped.addEventListener("abort", onAbort);
    const status = await child.status;
    clearInterval(monitor);
    stopped.removeEventListener("abort", onAbort);
    await child.stdin.close().catch(() => {});
    if (silent) killedForSilence++;
    if (stopped.aborted) return { exitCode: status.code, restarts, killedForSilence };
    if (status.success && !silent) return { exitCode: 0, restarts, killedForSilence };
    if (status.code === EXIT_LOCKED && !silent) {
      log({ level: "error", msg: "another daemon holds the data directory; not restarting", exitCode: status.code });
      return { exitCode: EXIT_LOCKED, restarts, killedForSilence };
    }

    const now = Date.now();
    restartTimes.push(now);
    while (restartTimes.length > 0 && now - restartTimes[0] > options.windowMs) restartTimes.shift();
    if (restartTimes.length > options.maxRestarts) {
      log({ level: "error", msg: "too many restarts; giving up", restarts: restartTimes.length });
      return { exitCode: status.code === 0 ? 1 : status.code, restarts, killedForSilence };
    }
    restarts++;
    log({ level: "warn", msg: "restarting daemon", exitCode: status.code, signal: status.signal, restarts });
    if (options.backoffMs) await sleep(options.backoffMs, stopped);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(id);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const id = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** Called by the daemon: writes the heartbeat file from the main thread while the event loop is alive. */
export function startHeartbeat(intervalMs = 500): () => void {
  const file = Deno.env.get("TRADEACTOR_HEARTBEAT_FILE");
  if (!file) return () => {};
  const beat = () => Deno.writeTextFileSync(file, String(Date.now()));
  beat();
  const id = setInterval(beat, intervalMs);
  return () => clearInterval(id);
}

/**
 * Called by the daemon: when it runs under the watchdog, calls `onGone` once stdin (the watchdog's pipe) reaches EOF,
 * that is when the watchdog died. Without the watchdog it reads nothing, so it cannot hold the event loop open.
 * Returns a function that stops watching.
 */
export function onWatchdogGone(onGone: () => void): () => void {
  if (Deno.env.get(WATCHDOG_STDIN_ENV) !== "1") return () => {};
  const reader = Deno.stdin.readable.getReader();
  let watching = true;
  (async () => {
    try {
      while (!(await reader.read()).done) { /* the watchdog writes nothing; EOF is the message */ }
    } catch { /* stdin closed under us: the same news */ }
    if (watching) onGone();
  })();
  return () => {
    watching = false;
    reader.cancel().catch(() => {});
  };
}
