/**
 * The command line's side of the operator API: `live strategies …` and `live backtest …` (one call to the running
 * daemon each), and what the command line gives the daemon that actors/ may not import: the backtest jobs.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { resolveBacktestOptions } from "./backtest.ts";
import { UsageError } from "./args.ts";
import { RUN_OPTIONS } from "./run_options.ts";
import type { BacktestContext } from "../actors/system/daemon.ts";
import { createBacktestJobs } from "./backtest_jobs/service.ts";

export function backtestJobs({ database, config, log }: BacktestContext) {
  return createBacktestJobs({
    database,
    dataDirs: config.api.dataDirs,
    ...(config.api.strategiesDir ? { strategiesDir: config.api.strategiesDir } : {}),
    outRoot: resolve(config.dataDir, "backtests"),
    workers: config.api.backtest.workers,
    queue: config.api.backtest.queue,
    log,
  });
}

const API_USAGE = `Usage: deno task live strategies list|available [--config FILE | --url URL]
       deno task live strategies add ID STRATEGY --capital N --reason TEXT [--param NAME=VALUE]… [--symbol S]…
                                 [--limit NAME=N]… [--venue NAME]
       deno task live strategies update ID --reason TEXT [--param NAME=VALUE]… [--limit NAME=N]…
       deno task live strategies start ID --reason TEXT
       deno task live strategies stop|remove ID --reason TEXT [--flatten | --keep]
       deno task live backtest submit --reason TEXT [--wait] [the options of deno task backtest; --options FILE for
                                 its --config file] (--data paths are the daemon's, under its api.dataDirs)
       deno task live backtest list | status ID | results ID | cancel ID --reason TEXT

Each talks to the running daemon's /api/v1 (found with --config FILE or --url URL; the admin token from
TRADEACTOR_CONTROL_TOKEN or the daemon's control.json). STRATEGY is a built-in name or a file under the daemon's
api.strategiesDir. add trades at --venue (a configured venue; default: the default venue), its capital checked against
that venue's account. update replaces the params (omitted ones take their defaults) and the strategy's own limits.`;

const API_OPTIONS = {
  config: { type: "string", short: "c" },
  url: { type: "string" },
  reason: { type: "string" },
  param: { type: "string", multiple: true },
  symbol: { type: "string", multiple: true },
  limit: { type: "string", multiple: true },
  capital: { type: "string" },
  venue: { type: "string" },
  flatten: { type: "boolean" },
  keep: { type: "boolean" },
  wait: { type: "boolean" },
  options: { type: "string" },
  help: { type: "boolean", short: "h" },
  // deno task backtest's own flags (cli/backtest.ts, cli/run_options.ts), for `backtest submit`.
  strategy: { type: "string" },
  data: { type: "string", multiple: true },
  timeframe: { type: "string" },
  "max-price": { type: "string" },
  ...RUN_OPTIONS,
} as const;

/** Flags of `backtest submit` sent as they are, under their config-file key (numbers as numbers). */
const SENT_FLAGS: readonly (readonly [flag: string, key: string, kind: "string" | "number" | "boolean"])[] = [
  ["strategy", "strategy", "string"],
  ["timeframe", "timeframe", "string"],
  ["max-price", "maxPrice", "number"],
  ["cash", "cash", "number"],
  ["commission", "commission", "number"],
  ["commission-fixed", "commissionFixed", "number"],
  ["commission-per-unit", "commissionPerUnit", "number"],
  ["slippage-bps", "slippageBps", "number"],
  ["spread", "spread", "number"],
  ["spread-mode", "spreadMode", "string"],
  ["impact", "impact", "number"],
  ["fill", "fill", "string"],
  ["volume-share", "volumeShare", "number"],
  ["leverage", "leverage", "number"],
  ["no-short", "noShort", "boolean"],
  ["step", "step", "number"],
  ["close-at-end", "closeAtEnd", "boolean"],
];

export type Daemon = { readonly url: string; readonly token?: string };

class ApiUsageError extends Error {}

/** NAME=VALUE pairs; numbers and true/false become what they say (the daemon checks them against the schema). */
function pairs(list: readonly string[] | undefined, what: string, numeric = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ApiUsageError(`--${what} expects NAME=VALUE, got "${item}"`);
    const raw = item.slice(eq + 1);
    const n = Number(raw);
    const value = raw === "true" ? true : raw === "false" ? false : raw.trim() !== "" && Number.isFinite(n) ? n : raw;
    if (numeric && typeof value !== "number") throw new ApiUsageError(`--${what} ${item}: the value must be a number`);
    out[item.slice(0, eq)] = value;
  }
  return out;
}

/** `live strategies …` and `live backtest …`: one call to the daemon's API each; prints its JSON answer. */
export async function runApiCommand(
  args: string[],
  findDaemon: (values: Record<string, unknown>) => Promise<Daemon>,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: API_OPTIONS, allowPositionals: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${API_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(API_USAGE);
    return 0;
  }
  try {
    const [resource, action = "list", id, strategy] = positionals;
    const request = resource === "strategies"
      ? strategyRequest(action, id, strategy ?? (values.strategy as string | undefined), values)
      : await backtestRequest(action, id, values);
    const daemon = await findDaemon(values);
    const answer = await call(daemon, request.method, request.path, request.body);
    if (resource === "backtest" && action === "submit" && values.wait && answer.ok) {
      const jobId = (answer.body as { id: string }).id;
      const final = await waitForJob(daemon, jobId);
      return print(
        final.status === "done" ? await call(daemon, "GET", `/api/v1/backtest/${jobId}/results`) : {
          ok: false,
          body: final,
        },
      );
    }
    return print(answer);
  } catch (err) {
    if (err instanceof ApiUsageError || err instanceof UsageError) {
      console.error(`${err.message}\n\n${API_USAGE}`);
      return 2;
    }
    console.error(`live: ${(err as Error).message}`);
    return 1;
  }
}

interface Request {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly body?: Record<string, unknown>;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === "") throw new ApiUsageError(`${what} is required`);
  return value;
}

const enc = encodeURIComponent;

function strategyRequest(
  action: string,
  id: string | undefined,
  strategy: string | undefined,
  values: Record<string, unknown>,
): Request {
  const reason = () => need(values.reason as string | undefined, "--reason (it is journaled)");
  const flatten = () => {
    if (values.flatten && values.keep) throw new ApiUsageError("--flatten and --keep exclude each other");
    return values.flatten ? { flatten: true } : values.keep ? { flatten: false } : {};
  };
  const params = pairs(values.param as string[] | undefined, "param");
  const limits = pairs(values.limit as string[] | undefined, "limit", true);
  switch (action) {
    case "list":
      return { method: "GET", path: "/api/v1/strategies" };
    case "available":
      return { method: "GET", path: "/api/v1/strategies/available" };
    case "add": {
      const capital = Number(need(values.capital as string | undefined, "--capital"));
      return {
        method: "POST",
        path: "/api/v1/strategies",
        body: {
          id: need(id, "the strategy id"),
          strategy: need(strategy, "STRATEGY (a built-in name or a file under the daemon's strategies directory)"),
          capital,
          ...(Object.keys(params).length ? { params } : {}),
          ...(values.symbol ? { symbols: values.symbol } : {}),
          ...(values.venue !== undefined ? { venue: values.venue } : {}),
          ...(Object.keys(limits).length ? { limits } : {}),
          reason: reason(),
        },
      };
    }
    case "update":
      return {
        method: "PUT",
        path: `/api/v1/strategies/${enc(need(id, "the strategy id"))}`,
        body: {
          ...(values.param ? { params } : {}),
          ...(values.limit ? { limits } : {}),
          reason: reason(),
        },
      };
    case "start":
      return {
        method: "POST",
        path: `/api/v1/strategies/${enc(need(id, "the strategy id"))}/start`,
        body: { reason: reason() },
      };
    case "stop":
      return {
        method: "POST",
        path: `/api/v1/strategies/${enc(need(id, "the strategy id"))}/stop`,
        body: { reason: reason(), ...flatten() },
      };
    case "remove":
      return {
        method: "DELETE",
        path: `/api/v1/strategies/${enc(need(id, "the strategy id"))}`,
        body: { reason: reason(), ...flatten() },
      };
    default:
      throw new ApiUsageError(`unknown strategies command "${action}"`);
  }
}

async function backtestRequest(
  action: string,
  id: string | undefined,
  values: Record<string, unknown>,
): Promise<Request> {
  switch (action) {
    case "list":
      return { method: "GET", path: "/api/v1/backtest" };
    case "status":
    case "results":
      return { method: "GET", path: `/api/v1/backtest/${enc(need(id, "the job id"))}/${action}` };
    case "cancel":
      return {
        method: "DELETE",
        path: `/api/v1/backtest/${enc(need(id, "the job id"))}`,
        body: { reason: need(values.reason as string | undefined, "--reason (it is journaled)") },
      };
    case "submit": {
      const reason = need(values.reason as string | undefined, "--reason (it is journaled)");
      let file: Record<string, unknown> = {};
      if (values.options) {
        try {
          file = JSON.parse(await Deno.readTextFile(values.options as string));
        } catch (err) {
          throw new ApiUsageError(`--options ${values.options}: ${(err as Error).message}`);
        }
      }
      // Checked here by deno task backtest's own rules, and again by the daemon.
      const o = await resolveBacktestOptions(file, values);
      const body: Record<string, unknown> = {};
      for (const [flag, key, kind] of SENT_FLAGS) {
        const value = values[flag] ?? file[key];
        if (value === undefined) continue;
        body[key] = kind === "number" ? Number(value) : value;
      }
      if (Object.keys(o.params).length) body.params = o.params;
      // The daemon's own data: only what was given (the command line's sample file is not the daemon's).
      if (values.data !== undefined || file.data !== undefined) body.data = o.data;
      if (file.calendar !== undefined) body.calendar = file.calendar;
      // Limits as one object (a --risk file is read here: the daemon reads no file named by a caller).
      const { risk, strategyLimits, quarantinePolicy } = o.run;
      if (Object.keys(risk).length || Object.keys(strategyLimits).length || quarantinePolicy) {
        body.risk = { risk: { ...risk, ...(quarantinePolicy ? { quarantinePolicy } : {}) }, limits: strategyLimits };
      }
      return { method: "POST", path: "/api/v1/backtest", body: { ...body, reason } };
    }
    default:
      throw new ApiUsageError(`unknown backtest command "${action}"`);
  }
}

async function call(daemon: Daemon, method: string, path: string, body?: unknown) {
  const response = await fetch(`${daemon.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(daemon.token ? { authorization: `Bearer ${daemon.token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: shown as it came
  }
  return { ok: response.ok, body: parsed };
}

async function waitForJob(daemon: Daemon, id: string): Promise<{ status: string }> {
  for (;;) {
    const { ok, body } = await call(daemon, "GET", `/api/v1/backtest/${enc(id)}/status`);
    const job = body as { status: string; progress?: { fraction: number } };
    if (!ok || !["queued", "running"].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function print(answer: { ok: boolean; body: unknown }): number {
  console.log(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body, null, 2));
  return answer.ok ? 0 : 1;
}
