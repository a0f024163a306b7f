/**
 * `deno task optimize`: grid or random search over strategy parameters on a Worker pool, or walk-forward
 * analysis. Results go to stdout (and --out), progress to stderr. Exit codes: 0 ok, 1 failed, 2 bad usage
 * (including bad parameters, found before anything runs).
 */
import { dirname, resolve } from "node:path";
import { isTimeframe } from "../actors/protocol/mod.ts";
import { DataError } from "../storage/bars/mod.ts";
import { formatTable } from "../backtest/report/mod.ts";
import {
  defaultWorkers,
  formatResults,
  formatWalkForward,
  optimize,
  OptimizeError,
  type OptimizeResult,
  type OptimizeSpec,
  plan,
  type Progress,
  resultsJson,
  walkForwardFolds,
  writeOptimizeOutputs,
} from "../backtest/optimize/mod.ts";
import { BacktestError } from "../backtest/engine.ts";
import { type BacktestOptions, loadBacktestData, resolveBacktestOptions } from "./backtest.ts";
import { planRuns } from "./portfolio_config.ts";
import { CommandError, isOsError, namedValues, parseCommandLine, UsageError } from "./args.ts";
import { commandLog } from "./log.ts";
import { RUN_HELP, RUN_OPTIONS, simSettings } from "./run_options.ts";
import { useColor } from "./tty.ts";
import type { DataSpec, RunSetup } from "../backtest/optimize/types.ts";
import { ParamError } from "../strategies/params.ts";
import { resolveStrategy, StrategyNotFoundError } from "../strategies/registry.ts";

const USAGE = `Usage: deno task optimize [--strategy NAME|PATH | --config FILE] [--data [SYMBOL=]PATH] --param SPEC...
                             [options]

  --strategy NAME|PATH   built-in (sma_cross, mean_reversion, momentum) or your .ts file (default sma_cross);
                         repeat (--strategy [ID=]NAME|PATH) for a portfolio, as in backtest
  --config FILE          a backtest config file (backtest --help): one strategy with its "params" (the values of
                         parameters not searched), or a portfolio ("strategies", weights, "allocation", limits)
  --data [SYMBOL=]PATH   bar file (CSV or JSON); repeat for several symbols (the first is the primary)
                         (default: the bundled sample, examples/data/GOOG.csv)
  --ticks [SYMBOL=]PATH  tick file (trades or quotes), as in backtest: orders match on every tick
  --timeframe TF         bar timeframe when the file does not say (e.g. 1d, 1h)
  --max-price N          refuse bars with a price above N
  --calendar [SYMBOL=]NAME  the market calendar gaps are judged by (24x7, nyse, sessions)
  --param SPEC           repeat: fast=5..50:5 (inclusive range, step), slow=20..200 (step 1),
                         average=sma,ema (list), mode=long_only (fixed), k=0.5..3 (random search only);
                         in a portfolio name the strategy: s1.fast=5..50:5
  --objective KEY        report statistic to optimise (default sharpeRatio), e.g. returnPct, sqn: the account's;
                         ID.KEY for one strategy of a portfolio (s1.sharpeRatio)
  --minimize             minimise the objective instead (e.g. maxDrawdownDurationMs)
  --method grid|random   default grid
  --samples N            random search: combinations to draw (default 100)
  --seed N               random search seed (default 0); same seed, same results
  --workers N            at most N Web Workers (default: one per core = ${defaultWorkers()}; 0 = this thread); fewer
                         run when the combinations are few or quick (measured on the first ones)
  --walk-forward         walk-forward analysis instead of one search over all the data
  --is-bars N            in-sample window in bars (default: half the data)
  --oos-bars N           out-of-sample window in bars (default: the rest in --folds windows)
  --folds N              out-of-sample windows when --oos-bars is not given (default 4)
  --anchored             in-sample windows all start at the first bar (default: rolling)
  --top N                rows to print (default 20)
  --heatmap X,Y          heatmap axes (default: the first two searched parameters)
  --out DIR              write results.csv, results.json, heatmap.html (and walk_forward_equity.csv)
  --json                 print every result as JSON (as results.json) instead of the tables
  -h, --help

Every run takes the options of \`deno task backtest\` (each combination runs as that backtest would):
${RUN_HELP}

Exit codes: 0 ok, 1 the run failed (data, files), 2 bad usage (options and parameters are checked before anything
runs). Logs: JSON lines on stderr at TRADEACTOR_LOG's level (default warn); progress goes to stderr too.`;

const DATA_EXT = /\.(csv|json|txt)$/i;

/** `GOOG=path/to/file.csv` or a bare path (the symbol then comes from the file name). */
export function parseDataArg(arg: string, timeframe?: string): DataSpec {
  const eq = arg.indexOf("=");
  const symbol = eq > 0 && !DATA_EXT.test(arg.slice(0, eq)) ? arg.slice(0, eq) : undefined;
  const path = resolve(symbol ? arg.slice(eq + 1) : arg);
  if (timeframe !== undefined && !isTimeframe(timeframe)) throw new UsageError(`unknown timeframe "${timeframe}"`);
  return { path, ...(symbol ? { symbol } : {}), ...(timeframe ? { timeframe } : {}) } as DataSpec;
}

function int(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function progressPrinter(): (p: Progress) => void {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let lastPhase = "", lastDecile = -1;
  return (p) => {
    const pct = Math.floor((100 * p.done) / p.total);
    if (tty) {
      const end = p.done === p.total ? "\n" : "";
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${p.phase}: ${p.done}/${p.total} (${pct}%)${end}`));
      return;
    }
    // Not a terminal (CI logs): a line per 10%.
    const decile = Math.floor(pct / 10);
    if (p.phase !== lastPhase || decile !== lastDecile) {
      lastPhase = p.phase;
      lastDecile = decile;
      Deno.stderr.writeSync(encoder.encode(`${p.phase}: ${p.done}/${p.total} (${pct}%)\n`));
    }
  };
}

interface WalkForwardArgs {
  readonly isBars?: number;
  readonly oosBars?: number;
  readonly folds?: number;
  readonly anchored: boolean;
}

interface Command {
  readonly spec: OptimizeSpec;
  readonly walkForward?: WalkForwardArgs;
  readonly out?: string;
  readonly top: number;
  readonly heatmap?: [string, string];
  readonly json: boolean;
}

interface Parsed {
  readonly command: Command;
  readonly backtest: BacktestOptions;
}

async function buildSpec(args: string[]): Promise<Parsed> {
  const { values: v } = parseCommandLine(args, {
    strategy: { type: "string", multiple: true },
    config: { type: "string" },
    data: { type: "string", multiple: true },
    ticks: { type: "string", multiple: true },
    timeframe: { type: "string" },
    "max-price": { type: "string" },
    calendar: { type: "string", multiple: true },
    param: { type: "string", multiple: true },
    objective: { type: "string" },
    minimize: { type: "boolean" },
    method: { type: "string" },
    samples: { type: "string" },
    seed: { type: "string" },
    workers: { type: "string" },
    ...RUN_OPTIONS,
    "walk-forward": { type: "boolean" },
    "is-bars": { type: "string" },
    "oos-bars": { type: "string" },
    folds: { type: "string" },
    anchored: { type: "boolean" },
    top: { type: "string" },
    heatmap: { type: "string" },
    out: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  namedValues("param", v.param); // each parameter once: a repeated one is refused, not "the last one wins"
  const method = v.method ?? "grid";
  if (method !== "grid" && method !== "random") {
    throw new UsageError(`--method must be grid or random, got "${method}"`);
  }
  // The backtest's own reading of its options (config file, portfolio, data, ticks, costs, limits): one parser.
  let file: Record<string, unknown> = {};
  if (v.config) {
    try {
      file = JSON.parse(await Deno.readTextFile(v.config));
    } catch (err) {
      throw new UsageError(`--config ${v.config}: ${(err as Error).message}`);
    }
  }
  const { param: _p, out: _o, json: _j, ...backtestFlags } = v;
  const bt = await resolveBacktestOptions(
    { ...file, out: undefined, json: undefined },
    backtestFlags,
    v.config ? dirname(resolve(v.config)) : Deno.cwd(),
  );
  const run = bt.run;
  const plan = bt.portfolio;
  const quarantinePolicy = run.quarantinePolicy ?? plan?.quarantinePolicy;
  const risk = plan ? { ...plan.risk, ...run.risk } : run.risk;
  const setup: RunSetup = {
    ...(plan
      ? {
        strategies: planRuns(plan, run.strategyLimits),
        ...(plan.allocation ? { allocation: plan.allocation } : {}),
      }
      : {
        module: resolveStrategy(bt.strategy).module,
        ...(Object.keys(run.strategyLimits).length > 0 ? { limits: run.strategyLimits } : {}),
      }),
    data: bt.data.map((d) => parseDataArg(d, bt.timeframe)),
    ...(bt.ticks.length > 0 ? { ticks: bt.ticks.map((d) => parseDataArg(d, bt.timeframe)) } : {}),
    cash: run.cash,
    sim: simSettings(run),
    ...(run.closeAtEnd ? { closeAtEnd: true } : {}),
    ...(Object.keys(risk).length > 0 ? { risk } : {}),
    ...(quarantinePolicy ? { quarantinePolicy } : {}),
  };
  const heatmap = v.heatmap?.split(",").map((s) => s.trim());
  if (heatmap && heatmap.length !== 2) throw new UsageError(`--heatmap needs two parameter names X,Y`);
  const wf = v["walk-forward"];
  const isBars = int("is-bars", v["is-bars"], 1);
  const oosBars = int("oos-bars", v["oos-bars"], 1);
  const folds = int("folds", v.folds, 1);
  const samples = int("samples", v.samples, 1);
  const seed = int("seed", v.seed, 0);
  const workers = int("workers", v.workers, 0);
  if (!wf && (isBars ?? oosBars ?? folds ?? v.anchored) !== undefined) {
    throw new UsageError("--is-bars, --oos-bars, --folds and --anchored need --walk-forward");
  }
  const spec: OptimizeSpec = {
    setup,
    // One strategy's config "params": the values of the parameters not searched.
    ...(!plan && Object.keys(bt.params).length > 0 ? { fixed: bt.params } : {}),
    params: v.param ?? [],
    method,
    ...(samples !== undefined ? { samples } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(v.objective ? { objective: v.objective } : {}),
    minimize: v.minimize ?? false,
    ...(workers !== undefined ? { workers } : {}),
    onProgress: progressPrinter(),
  };
  return {
    backtest: bt,
    command: {
      spec,
      ...(wf ? { walkForward: { isBars, oosBars, folds, anchored: v.anchored ?? false } } : {}),
      ...(v.out ? { out: v.out } : {}),
      top: int("top", v.top, 1) ?? 20,
      json: v.json ?? false,
      ...(heatmap ? { heatmap: heatmap as [string, string] } : {}),
    },
  };
}

export async function runOptimizeCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const log = commandLog("optimize");
  let parsed: Command;
  let spec: OptimizeSpec;
  let backtest: BacktestOptions;
  try {
    ({ command: parsed, backtest } = await buildSpec(args));
    spec = parsed.spec;
    // Every parameter, the objective and the constraint are checked here, before any backtest runs.
    const checked = await plan(spec);
    for (const axis of parsed.heatmap ?? []) {
      if (!checked.ranges.some((r) => r.name === axis)) {
        throw new UsageError(
          `--heatmap: "${axis}" is not a searched parameter (${checked.ranges.map((r) => r.name).join(", ")})`,
        );
      }
    }
  } catch (err) {
    if (
      err instanceof UsageError || err instanceof ParamError || err instanceof OptimizeError ||
      err instanceof StrategyNotFoundError || err instanceof RangeError || err instanceof BacktestError
    ) {
      console.error(`optimize: ${(err as Error).message}\nRun "deno task optimize --help" for the options.`);
      return 2;
    }
    console.error(`optimize: ${(err as Error).message}`);
    return 1;
  }
  try {
    // The data is read once, here, as the backtest reads it (warnings on stderr), and shared with every Worker.
    const { series, ticks } = await loadBacktestData(backtest, { warn: (m) => console.error(m), log });
    spec = { ...spec, data: { bars: series, ticks } };
    if (parsed.walkForward) spec = withWindows(spec, series[0].length, parsed.walkForward);
  } catch (err) {
    const e = err as Error;
    console.error(`optimize: ${e.message}`);
    return e instanceof OptimizeError ? 2 : 1;
  }
  try {
    const result = await optimize(spec);
    log.info("optimisation done", { combinations: result.space.combos.length, ms: Math.round(result.elapsedMs) });
    if (parsed.json) console.log(resultsJson(result));
    else printTables(result, parsed.top);
    if (parsed.out) {
      const out = parsed.out;
      const files = await writeOptimizeOutputs(out, result, parsed.heatmap).catch((err) => {
        if (isOsError(err)) throw new CommandError(`--out: cannot write the results to ${out}: ${err.message}`);
        throw err;
      });
      console.error(`wrote ${files.join(", ")}`);
    }
    return 0;
  } catch (err) {
    const e = err as Error;
    const plain = e instanceof DataError || e instanceof CommandError;
    console.error(`optimize: ${plain ? e.message : `${e.name}: ${e.message}`}`);
    return 1;
  }
}

function printTables(result: OptimizeResult, top: number): void {
  const s = result.space;
  const skipped = s.skipped > 0 ? `, ${s.skipped} skipped by the constraint (${s.skipReason})` : "";
  const goal = `${result.objective.key} (${result.objective.minimize ? "min" : "max"})`;
  console.log(
    `${result.strategy}: ${s.combos.length} combinations${skipped}; ${result.method}; objective ${goal}; ` +
      `${workersLine(result)}; ${(result.elapsedMs / 1000).toFixed(1)} s`,
  );
  if (result.walkForward) {
    const o = result.walkForward.options;
    console.log(`\nWalk-forward (${o.anchored ? "anchored" : "rolling"}, IS ${o.isBars} bars, OOS ${o.oosBars} bars):`);
    console.log(formatWalkForward(result));
    console.log("Stitched out-of-sample statistics:");
    console.log(formatTable(result.walkForward.report, { color: useColor() }));
  } else {
    console.log(formatResults(result, top));
  }
  if (result.failed.length > 0) {
    // The search went on without them; each failure is listed (and in results.json / failed.csv with --out).
    console.error(`${result.failed.length} of the runs failed:`);
    for (const f of result.failed.slice(0, 10)) {
      console.error(`  run ${f.index + 1} ${JSON.stringify(f.params)}: ${f.error}`);
    }
    if (result.failed.length > 10) console.error(`  … and ${result.failed.length - 10} more`);
  }
}

function workersLine(result: OptimizeResult): string {
  if (result.workers === 0) return "in this thread";
  if (result.workersStarted === result.workers) return `${result.workers} workers`;
  return `${result.workersStarted} of ${result.workers} workers (more were not worth starting)`;
}

/** Concrete walk-forward windows from the primary series' length, checked before anything runs. */
function withWindows(spec: OptimizeSpec, bars: number, wf: WalkForwardArgs): OptimizeSpec {
  const isBars = wf.isBars ?? Math.floor(bars / 2);
  const oosBars = wf.oosBars ?? Math.max(1, Math.ceil((bars - isBars) / (wf.folds ?? 4)));
  const walkForward = { isBars, oosBars, anchored: wf.anchored };
  walkForwardFolds(bars, walkForward);
  return { ...spec, walkForward };
}

if (import.meta.main) Deno.exit(await runOptimizeCommand(Deno.args));
