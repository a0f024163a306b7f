/**
 * The outer watchdog: runs the daemon as a child process and restarts it when it exits abnormally or
 * stops writing its heartbeat file. This is the last step of the escalation path for a hung actor:
 * Deno cannot stop a Worker stuck in a synchronous loop, so the daemon exits (EXIT_RESTART_ME) or hangs,
 * and a fresh process recovers from snapshots and the journal.
 */

/** The daemon asks for a clean restart (for example after a Worker thread leaked). */
export const EXIT_RESTART_ME = 75;

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
}

export interface WatchdogResult {
  readonly exitCode: number;
  readonly restarts: number;
  readonly killedForSilence: number;
}

export async function runWatchdog(options: WatchdogOptions): Promise<WatchdogResult> {
  const log = options.log ?? ((line) => console.error(JSON.stringify({ actor: "watchdog", ...line })));
  const restartTimes: number[] = [];
  let restarts = 0;
  let killedForSilence = 0;
  for (;;) {
    await Deno.remove(options.heartbeatFile).catch(() => {});
    const child = new Deno.Command(options.command[0], {
      args: options.command.slice(1),
      env: { ...options.env, TRADEACTOR_HEARTBEAT_FILE: options.heartbeatFile },
      stdin: "null",
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
    const onAbort = () => child.kill("SIGTERM");
    options.signal?.addEventListener("abort", onAbort);
    const status = await child.status;
    clearInterval(monitor);
    options.signal?.removeEventListener("abort", onAbort);
    if (silent) killedForSilence++;
    if (options.signal?.aborted) return { exitCode: status.code, restarts, killedForSilence };
    if (status.success && !silent) return { exitCode: 0, restarts, killedForSilence };

    const now = Date.now();
    restartTimes.push(now);
    while (restartTimes.length > 0 && now - restartTimes[0] > options.windowMs) restartTimes.shift();
    if (restartTimes.length > options.maxRestarts) {
      log({ level: "error", msg: "too many restarts; giving up", restarts: restartTimes.length });
      return { exitCode: status.code === 0 ? 1 : status.code, restarts, killedForSilence };
    }
    restarts++;
    log({ level: "warn", msg: "restarting daemon", exitCode: status.code, signal: status.signal, restarts });
    if (options.backoffMs) await new Promise((r) => setTimeout(r, options.backoffMs));
  }
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
