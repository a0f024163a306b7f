/**
 * `deno task backtest`: runs a strategy (built-in name or path to your own .ts file) over bar files and
 * writes the report (console table, report.json, trades.csv, equity.csv, report.html).
 * Every flag can also come from a JSON config file (`--config`); flags win over the file.
 */
import { parseArgs } from "node:util";
import { loadBars } from "./data/mod.ts";
import { BacktestError, runBacktest } from "./engine.ts";
import { formatTable, toJson, writeReport } from "./report/mod.ts";
import { isTimeframe, type Timeframe } from "../actors/protocol/mod.ts";
import type { CostModels } from "../actors/exchange/sim/costs.ts";
import { ParamError } from "../strategies/params.ts";
import { resolveStrategy, StrategyNotFoundError } from "../strategies/registry.ts";

const SAMPLE = new URL("../examples/data/GOOG.csv", import.meta.url);

export const BACKTEST_HELP = `Usage: deno task backtest [options]

Runs a strategy over stored bars through the same actors live trading uses, on a simulated clock.

  --strategy NAME|PATH    built-in (sma_cross, mean_reversion, momentum) or your .ts file  [sma_cross]
  --param NAME=VALUE      strategy parameter (repeat)
  --data [SYMBOL=]PATH    CSV or JSON bars (repeat for several symbols)    [examples/data/GOOG.csv]
  --timeframe TF          1m 5m 15m 1h 4h 1d ... (default: inferred from the data)
  --cash N                starting cash                                        [10000]
  --commission RATE       commission as a fraction of notional (0.001 = 10 bps)  [0]
  --commission-fixed N    fixed commission per fill
  --slippage-bps N        fixed slippage in basis points
  --spread F              pay half this spread (fraction of price) per fill
  --impact K              square-root market impact coefficient
  --fill next_open|close  market orders fill at the next open (default) or the close
  --volume-share F        cap each fill at this share of the bar's volume (partial fills)
  --leverage N            1 = cash account                                     [1]
  --no-short              forbid short selling
  --step N                quantity step (1 = whole units)                      [1]
  --close-at-end          count trades still open at the end, closed at the last close
  --out DIR               where report files go                                [out/backtest]
  --config FILE           JSON file with any of the above (keys without dashes, e.g. "cash")
  --json                  print the report as JSON instead of the table
  --help
`;

/** The options of a backtest, checked: from the command line, a --config file, or the operator API. */
export interface BacktestOptions {
  strategy: string;
  params: Record<string, string>;
  data: string[];
  timeframe?: Timeframe;
  cash: number;
  commission: number;
  commissionFixed?: number;
  slippageBps?: number;
  spread?: number;
  impact?: number;
  fill: "next_open" | "close";
  volumeShare?: number;
  leverage: number;
  allowShort: boolean;
  step: number;
  closeAtEnd: boolean;
  out: string;
  json: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

function num(name: string, raw: unknown, check: (n: number) => boolean, rule: string): number {
  const n = typeof raw === "number" ? raw : Number(raw);
  if (raw === undefined || raw === "" || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${rule}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export async function parseBacktestArgs(args: string[]): Promise<BacktestOptions | "help"> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: {
      strategy: { type: "string" },
      param: { type: "string", multiple: true },
      data: { type: "string", multiple: true },
      timeframe: { type: "string" },
      cash: { type: "string" },
      commission: { type: "string" },
      "commission-fixed": { type: "string" },
      "slippage-bps": { type: "string" },
      spread: { type: "string" },
      impact: { type: "string" },
      fill: { type: "string" },
      "volume-share": { type: "string" },
      leverage: { type: "string" },
      "no-short": { type: "boolean" },
      step: { type: "string" },
      "close-at-end": { type: "boolean" },
      out: { type: "string" },
      config: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  let file: Record<string, unknown> = {};
  if (values.config) {
    try {
      file = JSON.parse(await Deno.readTextFile(values.config));
    } catch (err) {
      throw new UsageError(`--config ${values.config}: ${(err as Error).message}`);
    }
  }
  return resolveBacktestOptions(file, values as Record<string, unknown>);
}

/**
 * The options from a --config file's keys (without dashes: "cash", "slippageBps", "noShort"), with command-line flags
 * on top. The operator API (POST /api/v1/backtest) takes the same keys and goes through this same function.
 */
export function resolveBacktestOptions(
  file: Readonly<Record<string, unknown>>,
  values: Readonly<Record<string, unknown>> = {},
): BacktestOptions {
  const pick = (flag: string, key: string) => values[flag] ?? file[key];
  if (
    file.params !== undefined && (typeof file.params !== "object" || file.params === null || Array.isArray(file.params))
  ) {
    throw new UsageError(`params must be an object of NAME: VALUE, got ${JSON.stringify(file.params)}`);
  }
  if (file.data !== undefined && (!Array.isArray(file.data) || !file.data.every((d) => typeof d === "string"))) {
    throw new UsageError(`data must be a list of "[SYMBOL=]PATH" strings, got ${JSON.stringify(file.data)}`);
  }
  if (pick("strategy", "strategy") !== undefined && typeof pick("strategy", "strategy") !== "string") {
    throw new UsageError(`strategy must be a name or a path, got ${JSON.stringify(pick("strategy", "strategy"))}`);
  }
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries((file.params ?? {}) as Record<string, unknown>)) params[k] = String(v);
  for (const p of (values.param as string[] | undefined) ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param expects NAME=VALUE, got "${p}"`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const timeframe = pick("timeframe", "timeframe") as string | undefined;
  if (timeframe !== undefined && !isTimeframe(timeframe)) {
    throw new UsageError(`--timeframe: unknown timeframe "${timeframe}"`);
  }
  const fill = (pick("fill", "fill") ?? "next_open") as string;
  if (fill !== "next_open" && fill !== "close") {
    throw new UsageError(`--fill must be next_open or close, got "${fill}"`);
  }
  const optional = (flag: string, key: string, check: (n: number) => boolean, rule: string) => {
    const raw = pick(flag, key);
    return raw === undefined ? undefined : num(flag, raw, check, rule);
  };
  const data = (values.data ?? file.data ?? [SAMPLE.pathname]) as string[];
  return {
    strategy: (pick("strategy", "strategy") ?? "sma_cross") as string,
    params,
    data,
    timeframe,
    cash: num("cash", pick("cash", "cash") ?? 10_000, (n) => n > 0, "a positive number"),
    commission: num(
      "commission",
      pick("commission", "commission") ?? 0,
      (n) => n >= 0 && n < 1,
      "a fraction in [0, 1)",
    ),
    commissionFixed: optional("commission-fixed", "commissionFixed", (n) => n >= 0, "≥ 0"),
    slippageBps: optional("slippage-bps", "slippageBps", (n) => n >= 0, "≥ 0"),
    spread: optional("spread", "spread", (n) => n >= 0 && n < 1, "a fraction in [0, 1)"),
    impact: optional("impact", "impact", (n) => n >= 0, "≥ 0"),
    fill,
    volumeShare: optional("volume-share", "volumeShare", (n) => n > 0 && n <= 1, "a fraction in (0, 1]"),
    leverage: num("leverage", pick("leverage", "leverage") ?? 1, (n) => n >= 1, "≥ 1"),
    allowShort: !(values["no-short"] ?? file.noShort ?? false),
    step: num("step", pick("step", "step") ?? 1, (n) => n > 0, "> 0"),
    closeAtEnd: Boolean(values["close-at-end"] ?? file.closeAtEnd ?? false),
    out: (pick("out", "out") ?? "out/backtest") as string,
    json: Boolean(values.json ?? false),
  };
}

function costs(o: BacktestOptions): CostModels {
  return {
    commission: o.commissionFixed !== undefined
      ? { kind: "fixed", perOrder: o.commissionFixed }
      : o.commission > 0
      ? { kind: "percent", rate: o.commission }
      : { kind: "none" },
    slippage: o.slippageBps !== undefined
      ? { kind: "fixed_bps", bps: o.slippageBps }
      : o.spread !== undefined
      ? { kind: "spread", spread: o.spread }
      : { kind: "none" },
    impact: o.impact !== undefined ? { kind: "sqrt", coefficient: o.impact } : { kind: "none" },
  };
}

export interface JobHooks {
  /** Data warnings (gaps, repaired rows), each naming the file. */
  readonly warn: (message: string) => void;
  /** Bars replayed so far out of the total, every few percent. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Loads the data, runs the backtest and writes its report files into `options.out`: the command's work and a job's. */
export async function runBacktestJob(options: BacktestOptions, module: string, hooks: JobHooks) {
  const series = [];
  for (const spec of options.data) {
    const { symbol, path } = dataSpec(spec);
    const loaded = await loadBars(path, {
      ...(symbol ? { symbol } : {}),
      ...(options.timeframe ? { timeframe: options.timeframe } : {}),
    }).catch((err) => {
      if (err instanceof Deno.errors.NotFound) throw new UsageError(`--data: cannot read ${path}: no such file`);
      throw err;
    });
    for (const warning of loaded.warnings) hooks.warn(`warning: ${path}: ${warning}`);
    if (loaded.gaps.length > 0) {
      const missing = loaded.gaps.reduce((n, g) => n + g.missing, 0);
      hooks.warn(`note: ${path}: ${loaded.gaps.length} gaps, ${missing} missing bars (not filled)`);
    }
    series.push(loaded.series);
  }
  const result = await runBacktest({
    strategies: [{ id: "s1", module, params: options.params }],
    data: series,
    cash: options.cash,
    closeAtEnd: options.closeAtEnd,
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    sim: {
      costs: costs(options),
      fillAt: options.fill,
      leverage: options.leverage,
      allowShort: options.allowShort,
      defaultStep: options.step,
      ...(options.volumeShare !== undefined ? { volumeShare: options.volumeShare } : {}),
    },
  });
  await writeReport(options.out, result.report, result.input, result.ohlc);
  return result;
}

/** "[SYMBOL=]PATH": an optional symbol before the path (a "=" after a "/" belongs to the path). */
export function dataSpec(spec: string): { symbol?: string; path: string } {
  const eq = spec.indexOf("=");
  return eq > 0 && !spec.slice(0, eq).includes("/") ? { symbol: spec.slice(0, eq), path: spec.slice(eq + 1) } : {
    path: spec,
  };
}

/** An error the user can act on (bad options, parameters, data), as opposed to a bug. */
export function isUsageProblem(err: unknown): boolean {
  return err instanceof UsageError || err instanceof ParamError || err instanceof BacktestError ||
    err instanceof StrategyNotFoundError || (err as Error)?.name === "DataError";
}

export async function runBacktestCommand(args: string[]): Promise<number> {
  let options: BacktestOptions | "help";
  try {
    options = await parseBacktestArgs(args);
  } catch (err) {
    console.error(`backtest: ${(err as Error).message}\n\n${BACKTEST_HELP}`);
    return 2;
  }
  if (options === "help") {
    console.log(BACKTEST_HELP);
    return 0;
  }
  try {
    const { module } = resolveStrategy(options.strategy);
    const result = await runBacktestJob(options, module, { warn: (message) => console.error(message) });
    if (options.json) console.log(toJson(result.report));
    else {
      console.log(formatTable(result.report));
      const rate = Math.round(result.bars / (result.elapsedMs / 1000));
      console.log(`\n${result.bars} bars in ${result.elapsedMs.toFixed(1)} ms (${rate.toLocaleString("en")} bars/s)`);
      console.log(`Report: ${options.out}/report.html (also report.json, trades.csv, equity.csv)`);
    }
    return 0;
  } catch (err) {
    const known = isUsageProblem(err);
    console.error(`backtest: ${known ? (err as Error).message : (err as Error).stack}`);
    return known ? 1 : 70;
  }
}
