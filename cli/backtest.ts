/**
 * `deno task backtest`: runs a strategy (built-in name or path to your own .ts file) over bar files and
 * writes the report (console table, report.json, trades.csv, equity.csv, report.html).
 * Every flag can also come from a JSON config file (`--config`); flags win over the file.
 */
import { basename } from "node:path";
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
import { formatTable, toJson, writeReport } from "../backtest/report/mod.ts";
import { isTimeframe, type Timeframe } from "../actors/protocol/mod.ts";
import { parseRunOptions, RUN_HELP, RUN_OPTIONS, type RunOptions, simSettings } from "./run_options.ts";
import { ParamError } from "../strategies/params.ts";
import { resolveStrategy, StrategyNotFoundError } from "../strategies/registry.ts";

/** The bundled sample (GOOG daily): the default data of `backtest` and `optimize`. */
export const SAMPLE_DATA = decodeURIComponent(new URL("../examples/data/GOOG.csv", import.meta.url).pathname);

export const BACKTEST_HELP = `Usage: deno task backtest [options]

Runs a strategy over stored bars through the same actors live trading uses, on a simulated clock.

  --strategy NAME|PATH    built-in (sma_cross, mean_reversion, momentum) or your .ts file  [sma_cross]
  --param NAME=VALUE      strategy parameter (repeat)
  --data [SYMBOL=]PATH    CSV or JSON bars (repeat for several symbols)    [examples/data/GOOG.csv]
  --timeframe TF          1m 5m 15m 1h 4h 1d ... (default: inferred from the data)
  --max-price N           refuse bars with a price above N (a corrupt or mistyped value)    [1e12]
  --calendar [SYMBOL=]NAME  the market calendar gaps are judged by: 24x7 (crypto), nyse (US equities:
                          weekends, holidays and closures are no gap), sessions (other exchanges);
                          repeat per symbol (default: inferred from each file)
${RUN_HELP}
  --out DIR               where report files go                                [out/backtest]
  --config FILE           JSON file with any of the above (keys without dashes, e.g. "cash")
  --json                  print the report as JSON instead of the table
  -h, --help

The table (or JSON) goes to stdout; notes, warnings and errors to stderr, with logs as JSON lines at TRADEACTOR_LOG's
level (default warn). Exit codes: 0 ok, 1 the run failed (unreadable or bad data, a report that cannot be written),
2 bad usage (an option, a parameter or a strategy name; nothing ran), 70 an internal error (a bug: please report it).
`;

interface Options {
  strategy: string;
  params: Record<string, string>;
  data: string[];
  timeframe?: Timeframe;
  maxPrice: number;
  /** Per symbol ("" = every file without its own). */
  calendars: ReadonlyMap<string, Calendar>;
  run: RunOptions;
  out: string;
  json: boolean;
}

export async function parseBacktestArgs(args: string[]): Promise<Options | "help"> {
  const { values } = parseCommandLine(args, {
    strategy: { type: "string" },
    param: { type: "string", multiple: true },
    data: { type: "string", multiple: true },
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
  const pick = (flag: string, key: string) => (values as Record<string, unknown>)[flag] ?? file[key];
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries((file.params ?? {}) as Record<string, unknown>)) params[k] = String(v);
  // Flags win over the file's params, name by name; a name given twice on the command line is an error.
  for (const [name, value] of namedValues("param", values.param)) params[name] = value;
  const timeframe = pick("timeframe", "timeframe") as string | undefined;
  if (timeframe !== undefined && !isTimeframe(timeframe)) {
    throw new UsageError(`--timeframe: unknown timeframe "${timeframe}"`);
  }
  const data = (values.data ?? (file.data as string[] | undefined) ?? [SAMPLE_DATA]) as string[];
  return {
    strategy: (pick("strategy", "strategy") ?? "sma_cross") as string,
    params,
    data,
    timeframe,
    calendars: calendars(values.calendar ?? calendarsFromFile(file.calendar)),
    maxPrice: maxPrice(pick("max-price", "maxPrice") ?? DEFAULT_MAX_PRICE),
    run: await parseRunOptions(values, file),
    out: (pick("out", "out") ?? "out/backtest") as string,
    json: Boolean(values.json ?? false),
  };
}

function maxPrice(raw: unknown): number {
  const n = typeof raw === "number" ? raw : Number(raw);
  if (raw === "" || !(n > 0) || !Number.isFinite(n)) {
    throw new UsageError(`--max-price must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** `--calendar nyse` (every file) and `--calendar BTC=24x7` (one symbol's) → symbol ("" for all) → calendar. */
function calendars(specs: readonly string[]): Map<string, Calendar> {
  const out = new Map<string, Calendar>();
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const [symbol, name] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : ["", spec];
    if (!isCalendar(name)) {
      throw new UsageError(`--calendar ${spec}: "${name}" is not a calendar (${CALENDARS.join(", ")})`);
    }
    if (out.has(symbol)) throw new UsageError(`--calendar ${symbol || "(every file)"} is given twice`);
    out.set(symbol, name);
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

function calendarFor(calendars: ReadonlyMap<string, Calendar>, symbol: string): { calendar?: Calendar } {
  const calendar = calendars.get(symbol) ?? calendars.get("");
  return calendar ? { calendar } : {};
}

export async function runBacktestCommand(args: string[]): Promise<number> {
  let options: Options | "help";
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
    const { module } = resolveStrategy(options.strategy);
    log.debug("strategy resolved", { strategy: options.strategy, module });
    const series = [];
    for (const spec of options.data) {
      const eq = spec.indexOf("=");
      const [symbol, path] = eq > 0 && !spec.slice(0, eq).includes("/")
        ? [spec.slice(0, eq), spec.slice(eq + 1)]
        : [undefined, spec];
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
      log.debug("bars loaded", { path, symbol: s.symbol, timeframe: s.timeframe, bars: s.length, calendar });
      for (const warning of loaded.warnings) console.error(`warning: ${path}: ${warning}`);
      if (loaded.gaps.length > 0) {
        const missing = loaded.gaps.reduce((n, g) => n + g.missing, 0);
        console.error(
          `note: ${path}: ${loaded.gaps.length} gaps, ${missing} missing bars by the ${loaded.calendar} calendar ` +
            `(not filled; --calendar to judge by another)`,
        );
      }
      series.push(loaded.series);
    }
    const run = options.run;
    const result = await runBacktest({
      strategies: [{ id: "s1", module, params: options.params, limits: run.strategyLimits }],
      data: series,
      cash: run.cash,
      closeAtEnd: run.closeAtEnd,
      risk: run.risk,
      ...(run.quarantinePolicy ? { quarantinePolicy: run.quarantinePolicy } : {}),
      logSink: log.sink,
      logLevel: log.level,
      sim: simSettings(run),
    });
    await writeReport(options.out, result.report, result.input, result.ohlc).catch((err) => {
      if (isOsError(err)) throw new CommandError(`--out: cannot write the report to ${options.out}: ${err.message}`);
      throw err;
    });
    if (options.json) console.log(toJson(result.report));
    else {
      console.log(formatTable(result.report, { color: useColor() }));
      const rate = Math.round(result.bars / (result.elapsedMs / 1000));
      console.log(`\n${result.bars} bars in ${result.elapsedMs.toFixed(1)} ms (${rate.toLocaleString("en")} bars/s)`);
      console.log(`Report: ${options.out}/report.html (also report.json, trades.csv, equity.csv)`);
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
