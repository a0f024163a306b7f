/**
 * `deno task live`: the trading daemon (paper or live) and its control commands.
 *
 *   live [run] --config FILE [--paper | --live] [--exit-at-end] [--no-watchdog] [--role core --bus URL]
 *   live --role strategies --bus URL [--config FILE]   strategy supervisors served from the Redis bus
 *   live check --config FILE [--paper | --live]     validate only; nothing starts
 *   live kill [--config FILE | --url URL] [--reason TEXT] [--no-flatten]
 *   live resume [--config FILE | --url URL] --reason TEXT   (HALTED/REDUCING → ACTIVE, journaled)
 *   live status [--config FILE | --url URL]
 *   live strategies | positions | orders | limits [set …]   [--config FILE | --url URL]  (cli/live_api.ts)
 *   live strategies available|add|update|start|stop|remove …, live backtest …            (cli/live_control.ts)
 *   live keys add|list|remove …   the encrypted key store (cli/live_keys.ts)
 *
 * The control commands talk to the daemon's API (/api/v1) with the admin token from TRADEACTOR_CONTROL_TOKEN, or the
 * one a daemon on loopback generated and wrote to control.json in its data directory (found through --config).
 *
 * `run` goes under the watchdog by default (actors/system/watchdog.ts): the daemon runs as a child process that is
 * restarted when it crashes or falls silent, and recovers from the journal. The daemon stops when the watchdog dies,
 * and the watchdog when its parent does. One daemon per data directory (actors/system/lock.ts). `run` and `check`
 * validate the whole config first and list every problem with its JSON path.
 * Exit codes: 0 ok, 1 failed (an invalid config included; nothing started), 2 usage, 3 another daemon holds the
 * data directory or the journal (not restarted).
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LiveConfigError, loadDataDir, loadLiveConfig } from "../actors/system/live_config.ts";
import { runDaemon } from "../actors/system/daemon.ts";
import { controlSettings, readControlFile } from "../actors/system/control.ts";
import { ControlSecurityError } from "../actors/gateway/server.ts";
import { runWatchdog } from "../actors/system/watchdog.ts";
import { currentRuntime, daemonCommand } from "../actors/system/daemon_command.ts";
import { backtestJobs, runApiCommand } from "./live_control.ts";
import { type LogRecord, stderrSink } from "../actors/runtime/mod.ts";
import { apiCommand, ApiUsageError } from "./live_api.ts";
import { reportStatistics } from "./report_stats.ts";
import { runKeysCommand } from "./live_keys.ts";
import { resolveRole, RoleError, runStrategiesHost } from "../actors/system/roles.ts";
import { BusConfigError, parseBusUrl, redactUrl } from "../actors/runtime/bus_url.ts";

const USAGE = `Usage: deno task live [run] --config FILE [--paper | --live] [--exit-at-end] [--no-watchdog]
                             [--role all|core --bus redis://HOST:PORT[/DB][?name=DEPLOYMENT]]
       deno task live --role strategies --bus redis://…     (the strategy supervisors of a --role core daemon;
                                                             start two for a standby)
       deno task live check --config FILE [--paper | --live]
       deno task live kill [--config FILE | --url URL] [--reason TEXT] [--no-flatten]
       deno task live resume [--config FILE | --url URL] --reason TEXT
       deno task live status [--config FILE | --url URL]
       deno task live strategies [--json]
       deno task live strategies available|add|update|start|stop|remove …   (deno task live strategies --help)
       deno task live backtest submit|list|status|results|cancel …        (deno task live backtest --help)
       deno task live positions [--strategy ID] [--symbol S] [--json]
       deno task live orders [--strategy ID] [--symbol S] [--status open|filled|canceled|…] [--since T]
                             [--limit N] [--cursor C] [--json]
       deno task live limits [--json]                   limits in force and their use (account, strategies)
       deno task live limits set [--strategy ID] NAME=VALUE… --reason TEXT    (VALUE none removes a limit)
       deno task live keys add|list|remove [NAME] (--config FILE | --data-dir DIR)   (deno task live keys --help)
       (each with --config FILE or --url URL to find the daemon)

Paper mode (the simulated matching engine, live or replayed data) is the default when no API keys are set
(env BINANCE_API_KEY / BINANCE_API_SECRET); --live insists on them. Signals: SIGTERM/SIGINT stop in order,
SIGUSR2 triggers the kill switch (cancel all, flatten, halt; not SIGUSR1, on which Deno opens a debugger port). Example config: deploy/live.example.json.
Exit codes: 0 ok, 1 failed (an invalid config is reported in full, each problem with its JSON path, before anything
starts), 2 usage, 3 another daemon holds the data directory or the journal (the watchdog does not restart it).`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  paper: { type: "boolean" },
  live: { type: "boolean" },
  "exit-at-end": { type: "boolean" },
  "no-watchdog": { type: "boolean" },
  url: { type: "string" },
  reason: { type: "string" },
  "no-flatten": { type: "boolean" },
  strategy: { type: "string" },
  symbol: { type: "string" },
  status: { type: "string" },
  since: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  json: { type: "boolean" },
  role: { type: "string" },
  bus: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}

/** `live strategies ACTION …` handled by live_control.ts. */
const MANAGE_STRATEGIES = new Set(["list", "available", "add", "update", "start", "stop", "remove", "--help", "-h"]);

export async function runLiveCommand(args: string[]): Promise<number> {
  // The strategy-management and backtest commands have their own flags (those of deno task backtest among them);
  // a bare `live strategies [--json]` is the list of live_api.ts.
  if (args[0] === "keys") return await runKeysCommand(args.slice(1));
  if (args[0] === "backtest" || (args[0] === "strategies" && MANAGE_STRATEGIES.has(args[1] ?? ""))) {
    return await runApiCommand(args, findDaemon);
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = positionals[0] ?? "run";
  try {
    if (values.paper && values.live) throw new UsageError("--paper and --live exclude each other");
    const mode = values.paper ? { paper: true } : values.live ? { paper: false } : {};
    switch (command) {
      case "run":
      case "check": {
        const { role, bus } = resolveRole(values.role, values.bus);
        if (bus) parseBusUrl(bus);
        if (role === "strategies") {
          // Its config is the core's: every strategy's spec comes over the bus. A given one is still checked.
          if (values.config) await loadLiveConfig(values.config, mode);
          if (command === "check") {
            console.log(`strategies process: ok (bus ${redactUrl(bus!)})`);
            return 0;
          }
          return await runStrategiesHost(bus!, { logSink: stderrSink() });
        }
        if (!values.config) throw new UsageError("--config FILE is required");
        const config = await loadLiveConfig(values.config, {
          ...mode,
          ...(values["exit-at-end"] ? { exitAtEnd: true } : {}),
        });
        // An unsafe control endpoint (a public bind without a token) stops here, before the watchdog would retry it.
        controlSettings(config, (name) => Deno.env.get(name));
        if (command === "check") {
          console.log(
            `${values.config}: ok (${config.mode}, ${venueList(Object.keys(config.venues))}, ` +
              `${config.strategies.length} strategies)`,
          );
          return 0;
        }
        if (values["no-watchdog"]) {
          return await runDaemon(config, {
            statistics: reportStatistics,
            backtests: backtestJobs,
            ...(bus ? { bus } : {}),
          });
        }
        return await underWatchdog(args, config.dataDir);
      }
      case "kill":
      case "status":
      case "resume":
        return await control(command, values);
      case "strategies":
      case "positions":
      case "orders":
      case "limits":
        return await apiCommand(command, positionals.slice(1), values, await findDaemon(values));
      default:
        throw new UsageError(`unknown live command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ApiUsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof RoleError || err instanceof BusConfigError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof LiveConfigError || err instanceof ControlSecurityError) {
      console.error(err.message);
      return 1;
    }
    console.error(`live: ${(err as Error).message}`);
    return 1;
  }
}

async function underWatchdog(args: string[], dataDir: string): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const denoJson = fileURLToPath(new URL("../deno.json", import.meta.url));
  const abort = new AbortController();
  const sink = stderrSink();
  const stop = () => abort.abort();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  try {
    const result = await runWatchdog({
      command: daemonCommand(args, currentRuntime(), { module: self, denoJson }),
      heartbeatFile: resolve(dataDir, "heartbeat"),
      heartbeatTimeoutMs: 15_000,
      maxRestarts: 5,
      windowMs: 300_000,
      backoffMs: 1_000,
      signal: abort.signal,
      // `deno task` killed with SIGKILL cannot pass the signal on: notice it, and take the daemon down with us. Only
      // under a task runner (it sets INIT_CWD): a shell that started us with nohup may end without meaning "stop".
      ...(Deno.env.get("INIT_CWD") !== undefined ? { parentPid: Deno.ppid } : {}),
      // Its lines through the daemon's sink: JSON with a time, at TRADEACTOR_LOG's level.
      log: (line) => sink({ ts: Date.now(), actor: "watchdog", msg: "", level: "info", ...line } as LogRecord),
    });
    return result.exitCode;
  } finally {
    Deno.removeSignalListener("SIGTERM", stop);
    Deno.removeSignalListener("SIGINT", stop);
  }
}

/** Where the running daemon listens and which token to use: --url and the environment, or control.json. */
async function findDaemon(values: Record<string, unknown>): Promise<{ url: string; token?: string }> {
  const envToken = Deno.env.get("TRADEACTOR_CONTROL_TOKEN") || undefined;
  const url = values.url as string | undefined;
  if (url) return { url: url.replace(/\/$/, ""), ...(envToken ? { token: envToken } : {}) };
  if (!values.config) throw new UsageError("give --url URL or --config FILE (to find the running daemon)");
  // Only the data directory: a config edited into an error must not keep the kill switch from the daemon.
  const found = await readControlFile({ dataDir: await loadDataDir(values.config as string) });
  // The environment's token wins; control.json holds one only when the daemon generated it (loopback, no env).
  const token = envToken ?? found.token;
  return { url: found.url, ...(token ? { token } : {}) };
}

async function control(command: "kill" | "status" | "resume", values: Record<string, unknown>): Promise<number> {
  if (command === "resume" && !values.reason) throw new UsageError("resume needs --reason (it is journaled)");
  const { url, token } = await findDaemon(values);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await request(command, url, headers, values).catch((err) => {
    const why = (err as Error).name === "TimeoutError" ? "no answer within 10 s" : (err as Error).message;
    throw new Error(`cannot reach the daemon at ${url} (${why}); is it running?`);
  });
  console.log(await response.text());
  return response.ok ? 0 : 1;
}

function request(
  command: "kill" | "status" | "resume",
  url: string,
  headers: Record<string, string>,
  values: Record<string, unknown>,
): Promise<Response> {
  return command === "kill"
    ? fetch(`${url}/api/v1/system/kill`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        reason: (values.reason as string | undefined) ?? "kill switch from the command line",
        flatten: !values["no-flatten"],
      }),
      signal: AbortSignal.timeout(10_000),
    })
    : command === "resume"
    ? fetch(`${url}/api/v1/system/resume`, {
      method: "POST",
      headers,
      body: JSON.stringify({ reason: values.reason }),
      signal: AbortSignal.timeout(10_000),
    })
    : fetch(`${url}/api/v1/status`, { headers, signal: AbortSignal.timeout(10_000) });
}

if (import.meta.main) Deno.exit(await runLiveCommand(Deno.args));

/** "venue paper", or with several "venues us, eu". */
function venueList(names: readonly string[]): string {
  return names.length === 1 ? `venue ${names[0]}` : `venues ${names.join(", ")}`;
}
