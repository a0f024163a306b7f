/**
 * `deno task backtest`: runs a strategy (built-in name or path to your own .ts file) over bar files and
 * writes the report (console table, report.json, trades.csv, equity.csv, report.html).
 * Every flag can also come from a JSON config file (`--config`); flags win over the file.
 */
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { CommandError, isOsError, namedValues, parseCommandLine, UsageError } from "./args.ts";
import { commandLog } from "./log.ts";
import { useColor } from "./tty.ts";
import {
  type Calendar,
  CALENDARS,
  DEFAULT_MAX_PRICE,
  isCalendar,
  loadBars,
  nameFromFile,
} from "../storage/bars/mod.ts";
import { BacktestError, runBacktest } from "../backtest/engine.ts";
import { loadTicks, type TickSeries, ticksToBars } from "../storage/ticks/mod.ts";
import {
  createEquityCsvWriter,
  equityCsvPath,
  formatStrategiesTable,
  formatTable,
  isDirectoryName,
  toJson,
  writeReport,
} from "../backtest/report/mod.ts";
import { type BarSeries, isTimeframe, type Timeframe } from "../actors/protocol/mod.ts";
import { parseRunOptions, RUN_HELP, RUN_OPTIONS, type RunOptions, simSettings } from "./run_options.ts";
import { ParamError } from "../strategies/params.ts";
import { resolveStrategy, StrategyNotFoundError } from "../strategies/registry.ts";
import {
  applyParams,
  BACKTEST_ONLY_KEYS,
  planRuns,
  type PortfolioPlan,
  resolvePortfolio,
  strategiesFromFlags,
  venueDefaults,
} from "./portfolio_config.ts";

/** The bundled sample (GOOG daily): the default data of `backtest` and `optimize`. */
export const SAMPLE_DATA = decodeURIComponent(new URL("../examples/data/GOOG.csv", import.meta.url).pathname);

export const BACKTEST_HELP = `Usage: deno task backtest [options]

Runs a strategy over stored bars through the same actors live trading uses, on a simulated clock.

  --strategy NAME|PATH    built-in (sma_cross, mean_reversion, momentum) or your .ts file  [sma_cross];
                          repeat (--strategy [ID=]NAME|PATH) for a portfolio: one account, the cash shared equally
  --param NAME=VALUE      strategy parameter (repeat); ID.NAME=VALUE for one strategy of a portfolio
  --data [SYMBOL=]PATH    CSV or JSON bars (repeat for several symbols)    [examples/data/GOOG.csv]
  --ticks [SYMBOL=]PATH   CSV or JSON ticks, trades (ts,price,size[,side]) or quotes (ts,bid,ask,bidSize,askSize):
                          orders match on every tick, onTick sees each, onBar the bars made from them (repeat)
  --timeframe TF          1m 5m 15m 1h 4h 1d ... (default: inferred from the data; 1m for bars made from ticks)
  --max-price N           refuse bars with a price above N (a corrupt or mistyped value)    [1e12]
  --calendar [SYMBOL=]NAME  the market calendar gaps are judged by: 24x7 (crypto), nyse (US equities:
                          weekends, holidays and closures are no gap), sessions (other exchanges);
                          repeat per symbol (default: inferred from each file)
${RUN_HELP}
  --out DIR               where report files go                                [out/backtest]
  --config FILE           JSON file with any of the above (keys without dashes, e.g. "cash"); with "strategies"
                          (the live config's shape: id, strategy, params, symbols, capital or weight, limits;
                          "risk" for the account; "feed" or "data" for bars) it runs a portfolio backtest;
                          "allocation": {"method": fixed|inverse_vol|risk_parity, "rebalance": daily|weekly|
                          monthly|none|{"drift": F}, "lookback": N bars} moves capital between its strategies
  --json                  print the report as JSON instead of the table
  -h, --help

The table (or JSON) goes to stdout; notes, warnings and errors to stderr, with logs as JSON lines at TRADEACTOR_LOG's
level (default warn). Exit codes: 0 ok, 1 the run failed (unreadable or bad data, a report that cannot be written),
2 bad usage (an option, a parameter or a strategy name; nothing ran), 70 an internal error (a bug: please report it).
`;

/** The options of a backtest, checked: from the command line, a --config file, or the operator API (plain data). */
export interface BacktestOptions {
  strategy: string;
  params: Record<string, string>;
  data: string[];
  ticks: string[];
  timeframe?: Timeframe;
  maxPrice: number;
  /** Per symbol ("" = every file without its own). */
  calendars: Readonly<Record<string, Calendar>>;
  run: RunOptions;
  out: string;
  json: boolean;
  /** Several strategies in one account (a --config with "strategies", or several --strategy). */
  portfolio?: PortfolioPlan;
}

export async function parseBacktestArgs(args: string[]): Promise<BacktestOptions | "help"> {
  const { values } = parseCommandLine(args, {
    strategy: { type: "string", multiple: true },
    param: { type: "string", multiple: true },
    data: { type: "string", multiple: true },
    ticks: { type: "string", multiple: true },
    timeframe: { type: "string" },
    "max-price": { type: "string" },
    calendar: { type: "string", multiple: true },
    ...RUN_OPTIONS,
    out: { type: "string" },
    config: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
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
  return await resolveBacktestOptions(file, values, values.config ? dirname(resolve(values.config)) : Deno.cwd());
}

/**
 * The options from a --config file's keys (without dashes: "cash", "slippageBps", "noShort"), with command-line flags
 * on top. The operator API (POST /api/v1/backtest) takes the same keys and goes through this same function (and the
 * run options through run_options.ts, as `optimize` does).
 */
export async function resolveBacktestOptions(
  file: Readonly<Record<string, unknown>>,
  values: Readonly<Record<string, unknown>> = {},
  baseDir: string = Deno.cwd(),
): Promise<BacktestOptions> {
  const flagged = values.strategy === undefined ? [] : [values.strategy].flat() as string[];
  if (flagged.length > 1 || file.strategies !== undefined) {
    return await resolvePortfolioOptions(file, { ...values, strategy: undefined }, flagged, baseDir);
  }
  values = { ...values, strategy: flagged[0] };
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
  // Flags win over the file's params, name by name; a name given twice on the command line is an error.
  for (const [name, value] of namedValues("param", values.param as string[] | undefined)) params[name] = value;
  const timeframe = pick("timeframe", "timeframe") as string | undefined;
  if (timeframe !== undefined && !isTimeframe(timeframe)) {
    throw new UsageError(`--timeframe: unknown timeframe "${timeframe}"`);
  }
  if (file.ticks !== undefined && (!Array.isArray(file.ticks) || !file.ticks.every((d) => typeof d === "string"))) {
    throw new UsageError(`ticks must be a list of "[SYMBOL=]PATH" strings, got ${JSON.stringify(file.ticks)}`);
  }
  const ticks = (values.ticks ?? file.ticks ?? []) as string[];
  const data = (values.data ?? file.data ?? (ticks.length > 0 ? [] : [SAMPLE_DATA])) as string[];
  return {
    strategy: (pick("strategy", "strategy") ?? "sma_cross") as string,
    params,
    data,
    ticks,
    timeframe,
    calendars: calendars((values.calendar as string[] | undefined) ?? calendarsFromFile(file.calendar)),
    maxPrice: maxPrice(pick("max-price", "maxPrice") ?? DEFAULT_MAX_PRICE),
    run: await parseRunOptions(values, file),
    out: (pick("out", "out") ?? "out/backtest") as string,
    json: Boolean(values.json ?? false),
  };
}

/**
 * A portfolio: the file's strategies (or several --strategy flags), its account limits and bars read by the live
 * config's parser (portfolio_config.ts); the run options as for one strategy, a paper venue's settings as defaults.
 */
async function resolvePortfolioOptions(
  file: Readonly<Record<string, unknown>>,
  values: Readonly<Record<string, unknown>>,
  flagged: readonly string[],
  baseDir: string,
): Promise<BacktestOptions> {
  if (file.strategy !== undefined && file.strategies !== undefined) {
    throw new UsageError(`--config: give "strategy" (one) or "strategies" (a portfolio), not both`);
  }
  const cwd = Deno.cwd();
  if (flagged.length === 1) {
    throw new UsageError(
      `--strategy ${flagged[0]}: the --config file has "strategies" (a portfolio); give several --strategy to ` +
        `replace them, or none`,
    );
  }
  const raw: Record<string, unknown> = { ...venueDefaults(file), ...file };
  if (flagged.length > 1) {
    // The flags' strategies replace the file's (one strategy's "strategy" and "params" included).
    delete raw.strategy;
    delete raw.params;
    raw.strategies = strategiesFromFlags(flagged, cwd);
    if (file.data === undefined && file.feed === undefined && values.data === undefined) raw.data = [SAMPLE_DATA];
  }
  if (values.data !== undefined) {
    // Paths on the command line are the shell's (relative to the working directory), the file's to the file.
    delete raw.feed;
    raw.data = (values.data as string[]).map((spec) => {
      const { symbol, path } = dataSpec(spec);
      const full = isAbsolute(path) ? path : resolve(cwd, path);
      return symbol ? `${symbol}=${full}` : full;
    });
  }
  if (!Array.isArray(raw.strategies)) {
    throw new UsageError(`--config: strategies must be a list of strategies, got ${JSON.stringify(raw.strategies)}`);
  }
  raw.strategies = applyParams(raw.strategies, namedValues("param", values.param as string[] | undefined));
  // The file's "risk" is the live config's account section here; --risk and the limit flags still apply on top.
  const runFile: Record<string, unknown> = {};
  for (const key of BACKTEST_ONLY_KEYS) if (raw[key] !== undefined) runFile[key] = raw[key];
  const run = await parseRunOptions(values, runFile);
  const portfolio = await resolvePortfolio(raw, run.cash, baseDir);
  const timeframe = pick(values, raw, "timeframe", "timeframe") as string | undefined;
  if (timeframe !== undefined && !isTimeframe(timeframe)) {
    throw new UsageError(`--timeframe: unknown timeframe "${timeframe}"`);
  }
  return {
    strategy: portfolio.strategies.map((s) => s.id).join(","),
    params: {},
    data: [...portfolio.data],
    // Tick files from the command line (a portfolio file names bars): those symbols then trade on ticks.
    ticks: (values.ticks ?? []) as string[],
    timeframe,
    calendars: calendars((values.calendar as string[] | undefined) ?? calendarsFromFile(raw.calendar)),
    maxPrice: maxPrice(pick(values, raw, "max-price", "maxPrice") ?? DEFAULT_MAX_PRICE),
    run,
    out: (pick(values, raw, "out", "out") ?? "out/backtest") as string,
    json: Boolean(values.json ?? false),
    portfolio,
  };
}

function pick(
  values: Readonly<Record<string, unknown>>,
  file: Readonly<Record<string, unknown>>,
  flag: string,
  key: string,
) {
  return values[flag] ?? file[key];
}

function maxPrice(raw: unknown): number {
  const n = typeof raw === "number" ? raw : Number(raw);
  if (raw === "" || !(n > 0) || !Number.isFinite(n)) {
    throw new UsageError(`--max-price must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** `--calendar nyse` (every file) and `--calendar BTC=24x7` (one symbol's) → symbol ("" for all) → calendar. */
function calendars(specs: readonly string[]): Record<string, Calendar> {
  const out: Record<string, Calendar> = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const [symbol, name] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : ["", spec];
    if (!isCalendar(name)) {
      throw new UsageError(`--calendar ${spec}: "${name}" is not a calendar (${CALENDARS.join(", ")})`);
    }
    if (Object.hasOwn(out, symbol)) throw new UsageError(`--calendar ${symbol || "(every file)"} is given twice`);
    out[symbol] = name;
  }
  return out;
}

/** The config file's "calendar": a name for every file, or `{ "SYMBOL": name }`. */
function calendarsFromFile(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}=${v}`);
  throw new UsageError(
    `--config: "calendar" must be a calendar name or { "SYMBOL": name }, got ${JSON.stringify(value)}`,
  );
}

function calendarFor(calendars: Readonly<Record<string, Calendar>>, symbol: string): { calendar?: Calendar } {
  const calendar = (Object.hasOwn(calendars, symbol) ? calendars[symbol] : undefined) ??
    (Object.hasOwn(calendars, "") ? calendars[""] : undefined);
  return calendar ? { calendar } : {};
}

export interface JobHooks {
  /** Data warnings (gaps, repaired rows), each naming the file. */
  readonly warn: (message: string) => void;
  /** Bars replayed so far out of the total, every few percent. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly log?: ReturnType<typeof commandLog>;
}

/**
 * The bars and ticks of a backtest (bars made from ticks appended to the bars), each file checked and its warnings
 * given to `hooks.warn`: a backtest's loading and an optimisation's.
 */
export async function loadBacktestData(
  options: Pick<BacktestOptions, "data" | "ticks" | "timeframe" | "maxPrice" | "calendars">,
  hooks: Pick<JobHooks, "warn" | "log">,
): Promise<{ series: BarSeries[]; ticks: TickSeries[] }> {
  const log = hooks.log;
  const series: BarSeries[] = [];
  for (const spec of options.data) {
    const { symbol, path } = dataSpec(spec);
    const loaded = await loadBars(path, {
      ...(symbol ? { symbol } : {}),
      ...(options.timeframe ? { timeframe: options.timeframe } : {}),
      maxPrice: options.maxPrice,
      ...calendarFor(options.calendars, symbol ?? nameFromFile(basename(path)).symbol),
    }).catch((err) => {
      if (err instanceof Deno.errors.NotFound) throw new CommandError(`--data: cannot read ${path}: no such file`);
      if (isOsError(err)) throw new CommandError(`--data: cannot read ${path}: ${err.message}`);
      throw err;
    });
    const { series: s, calendar } = loaded;
    log?.debug("bars loaded", { path, symbol: s.symbol, timeframe: s.timeframe, bars: s.length, calendar });
    for (const warning of loaded.warnings) hooks.warn(`warning: ${path}: ${warning}`);
    if (loaded.gaps.length > 0) {
      const missing = loaded.gaps.reduce((n, g) => n + g.missing, 0);
      hooks.warn(
        `note: ${path}: ${loaded.gaps.length} gaps, ${missing} missing bars by the ${loaded.calendar} calendar ` +
          `(not filled; --calendar to judge by another)`,
      );
    }
    series.push(loaded.series);
  }
  const ticks: TickSeries[] = [];
  for (const spec of options.ticks) {
    const { symbol, path } = dataSpec(spec);
    const loaded = await loadTicks(path, {
      symbol: symbol ?? nameFromFile(basename(path)).symbol,
      maxPrice: options.maxPrice,
    }).catch((err) => {
      if (err instanceof Deno.errors.NotFound) throw new CommandError(`--ticks: cannot read ${path}: no such file`);
      if (isOsError(err)) throw new CommandError(`--ticks: cannot read ${path}: ${err.message}`);
      throw err;
    });
    log?.debug("ticks loaded", { path, symbol: loaded.symbol, kind: loaded.kind, ticks: loaded.length });
    ticks.push(loaded);
    series.push(ticksToBars(loaded, options.timeframe ?? "1m"));
  }
  return { series, ticks };
}

/** Loads the data, runs the backtest and writes its report files into `options.out`: the command's work and a job's. */
export async function runBacktestJob(options: BacktestOptions, module: string, hooks: JobHooks) {
  const log = hooks.log;
  // Its Worker starts while the data is parsed; it writes the equity.csv files while the statistics are computed.
  const equityCsv = createEquityCsvWriter();
  try {
    const { series, ticks } = await loadBacktestData(options, hooks);
    const run = options.run;
    const plan = options.portfolio;
    const quarantinePolicy = run.quarantinePolicy ?? plan?.quarantinePolicy;
    const result = await runBacktest({
      strategies: plan
        ? planRuns(plan, run.strategyLimits)
        : [{ id: "s1", module, params: options.params, limits: run.strategyLimits }],
      data: series,
      ...(ticks.length > 0 ? { ticks } : {}),
      cash: run.cash,
      closeAtEnd: run.closeAtEnd,
      risk: plan ? { ...plan.risk, ...run.risk } : run.risk,
      ...(plan?.allocation ? { allocation: plan.allocation } : {}),
      ...(quarantinePolicy ? { quarantinePolicy } : {}),
      ...(log ? { logSink: log.sink, logLevel: log.level } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      onEquityCurve: ({ strategyId, ts, equity }) => {
        // Ids that cannot name a directory are refused by writeReport, before it writes anything: not queued here.
        if (strategyId === undefined || isDirectoryName(strategyId)) {
          equityCsv.write(equityCsvPath(options.out, strategyId), ts, equity);
        }
      },
      sim: simSettings(run),
    });
    await writeReport(options.out, result.report, result.input, result.ohlc, result.portfolio, { equityCsv }).catch(
      (err) => {
        if (isOsError(err)) throw new CommandError(`--out: cannot write the report to ${options.out}: ${err.message}`);
        throw err;
      },
    );
    return result;
  } finally {
    equityCsv.close();
  }
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
  return err instanceof UsageError || err instanceof CommandError || err instanceof ParamError ||
    err instanceof BacktestError || err instanceof StrategyNotFoundError || (err as Error)?.name === "DataError";
}

export async function runBacktestCommand(args: string[]): Promise<number> {
  let options: BacktestOptions | "help";
  try {
    options = await parseBacktestArgs(args);
  } catch (err) {
    return failed(err);
  }
  if (options === "help") {
    console.log(BACKTEST_HELP);
    return 0;
  }
  const log = commandLog("backtest");
  try {
    const module = options.portfolio ? "" : resolveStrategy(options.strategy).module;
    log.debug("strategy resolved", { strategy: options.strategy, module });
    const result = await runBacktestJob(options, module, { warn: (message) => console.error(message), log });
    if (options.json) console.log(toJson(result.report, result.portfolio));
    else {
      console.log(formatTable(result.report, { color: useColor() }));
      if (result.portfolio) console.log(formatStrategiesTable(result.portfolio, { color: useColor() }));
      const rate = Math.round(result.bars / (result.elapsedMs / 1000));
      const ticks = result.ticks > 0
        ? `${result.ticks} ticks (${Math.round(result.ticks / (result.elapsedMs / 1000)).toLocaleString("en")}/s), `
        : "";
      console.log(
        `\n${ticks}${result.bars} bars in ${result.elapsedMs.toFixed(1)} ms (${rate.toLocaleString("en")} bars/s)`,
      );
      const each = result.portfolio ? ", strategies/ID/*.csv" : "";
      console.log(`Report: ${options.out}/report.html (also report.json, trades.csv, equity.csv${each})`);
    }
    log.info("backtest done", {
      bars: result.bars,
      trades: result.report.tradeCount,
      ms: result.elapsedMs,
      out: options.out,
    });
    return 0;
  } catch (err) {
    return failed(err);
  }
}

/** Exit codes: 2 the command line is wrong (an option, a parameter, a strategy name), 1 the run failed, 70 a bug. */
function failed(err: unknown): number {
  const e = err as Error;
  if (err instanceof UsageError || err instanceof ParamError || err instanceof StrategyNotFoundError) {
    console.error(`backtest: ${e.message}\nRun "deno task backtest --help" for the options.`);
    return 2;
  }
  if (err instanceof CommandError || err instanceof BacktestError || e?.name === "DataError") {
    console.error(`backtest: ${e.message}`);
    return 1;
  }
  console.error(`backtest: internal error: ${e?.stack ?? String(err)}`);
  return 70;
}
