/**
 * The command line that starts the daemon child under the watchdog, the same entry whether this process runs from
 * source (`deno run main.ts live …`) or as a `deno compile`d binary, where `Deno.execPath()` is the binary itself and
 * has no `run` subcommand: it is re-executed with its own `live … --no-watchdog` instead.
 */

/**
 * V8 flags for the daemon process. Every actor is an isolate of its own, so what an isolate costs is paid once per
 * Worker. `--optimize-for-size` keeps each heap and its compiled code small (a 10-strategy daemon peaks ~20 % lower at
 * the same bars/s here; bench/worker_rss_bench.ts). `--gc-memory-reducer-start-delay-ms=1000`: V8 shrinks a heap that
 * grew while its Worker started (loading and compiling its modules) only once its memory reducer runs, by default 30 s
 * after start; every Worker starts at once, so for those 30 s the daemon held ~2-3 MB more per Worker (10 strategies
 * over 2,000 bars: peak 304 → 272 MB). GC timing only: nothing an actor sees changes. A compiled binary gets them at
 * compile time (deploy/README.md, the `compile` task).
 */
export const DAEMON_V8_FLAGS: readonly string[] = ["--optimize-for-size", "--gc-memory-reducer-start-delay-ms=1000"];

export interface RuntimeInfo {
  /** True inside a `deno compile`d binary (Deno.build.standalone). */
  readonly standalone: boolean;
  /** The deno executable, or the compiled binary. */
  readonly execPath: string;
}

export interface SourceEntry {
  /** Path of the module that runs `live` from source (cli/live.ts). */
  readonly module: string;
  /** The project's deno.json (import map, unstable flags). */
  readonly denoJson: string;
}

export function currentRuntime(): RuntimeInfo {
  return { standalone: Deno.build.standalone, execPath: Deno.execPath() };
}

/** argv of the daemon child: `liveArgs` are the user's `live` arguments, passed through unchanged. */
export function daemonCommand(liveArgs: readonly string[], runtime: RuntimeInfo, source: SourceEntry): string[] {
  if (runtime.standalone) return [runtime.execPath, "live", ...liveArgs, "--no-watchdog"];
  return [
    runtime.execPath,
    "run",
    "-A",
    `--v8-flags=${DAEMON_V8_FLAGS.join(",")}`,
    "--config",
    source.denoJson,
    source.module,
    ...liveArgs,
    "--no-watchdog",
  ];
}
