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
import { combinedCommission, type CostModels, type SpreadMode } from "../actors/exchange/sim/costs.ts";
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
  --cash N                starting cash                                        [10000]
  --commission RATE       commission as a fraction of notional (0.001 = 10 bps)  [0]
  --commission-fixed N    fixed commission per fill, added to --commission's percentage (both are charged)
  --slippage-bps N        fixed slippage in basis points
  --spread F              bid-ask spread as a fraction of price, paid as --spread-mode says
  --spread-mode MODE      both: half the spread on every fill, entries and exits (default);
                          entry: the whole spread on entries only, none on exits (backtesting.py's convention)
  --impact K              square-root market impact coefficient
  --fill next_open|close  market orders fill at the next open (default) or the close
  --volume-share F        cap each fill at this share of the bar's volume (partial fills)
  --leverage N            1 = cash account                                     [1]
  --no-short              forbid short selling
  --step N                quantity step (1 = whole units)                      [1]
  --close-at-end          close trades still open after the last bar and count them: at market, filled at the
                          last bar's open (backtesting.py's finalize_trades), or at its close with --fill close;
                          commission and costs apply
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
  cash: number;
  commission: number;
  commissionFixed?: number;
  slippageBps?: number;
  spread?: number;
  spreadMode: SpreadMode;
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

function num(name: string, raw: unknown, check: (n: number) => boolean, rule: string): number {
  const n = typeof raw === "number" ? raw : Number(raw);
  if (raw === undefined || raw === "" || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${rule}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export async function parseBacktestArgs(args: string[]): Promise<Options | "help"> {
  const { values } = parseCommandLine(args, {
    strategy: { type: "string" },
    param: { type: "string", multiple: true },
    data: { type: "string", multiple: true },
    timeframe: { type: "string" },
    "max-price": { type: "string" },
    calendar: { type: "string", multiple: true },
    cash: { type: "string" },
    commission: { type: "string" },
    "commission-fixed": { type: "string" },
    "slippage-bps": { type: "string" },
    spread: { type: "string" },
    "spread-mode": { type: "string" },
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
  const fill = (pick("fill", "fill") ?? "next_open") as string;
  if (fill !== "next_open" && fill !== "close") {
    throw new UsageError(`--fill must be next_open or close, got "${fill}"`);
  }
  if (pick("slippage-bps", "slippageBps") !== undefined && pick("spread", "spread") !== undefined) {
    throw new UsageError("--slippage-bps and --spread are two slippage models; give one");
  }
  const spreadMode = (pick("spread-mode", "spreadMode") ?? "both") as string;
  if (spreadMode !== "both" && spreadMode !== "entry") {
    throw new UsageError(`--spread-mode must be both or entry, got "${spreadMode}"`);
  }
  const optional = (flag: string, key: string, check: (n: number) => boolean, rule: string) => {
    const raw = pick(flag, key);
    return raw === undefined ? undefined : num(flag, raw, check, rule);
  };
  const data = (values.data ?? (file.data as string[] | undefined) ?? [SAMPLE_DATA]) as string[];
  return {
    strategy: (pick("strategy", "strategy") ?? "sma_cross") as string,
    params,
    data,
    timeframe,
    calendars: calendars(values.calendar ?? calendarsFromFile(file.calendar)),
    maxPrice: num("max-price", pick("max-price", "maxPrice") ?? DEFAULT_MAX_PRICE, (n) => n > 0, "a positive number"),
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
    spreadMode,
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

function costs(o: Options): CostModels {
  return {
    commission: combinedCommission(o.commissionFixed ?? 0, o.commission),
    slippage: o.slippageBps !== undefined
      ? { kind: "fixed_bps", bps: o.slippageBps }
      : o.spread !== undefined
      ? { kind: "spread", spread: o.spread, mode: o.spreadMode }
      : { kind: "none" },
    impact: o.impact !== undefined ? { kind: "sqrt", coefficient: o.impact } : { kind: "none" },
  };
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
    const result = await runBacktest({
      strategies: [{ id: "s1", module, params: options.params }],
      data: series,
      cash: options.cash,
      closeAtEnd: options.closeAtEnd,
      logSink: log.sink,
      logLevel: log.level,
      sim: {
        costs: costs(options),
        fillAt: options.fill,
        leverage: options.leverage,
        allowShort: options.allowShort,
        defaultStep: options.step,
        ...(options.volumeShare !== undefined ? { volumeShare: options.volumeShare } : {}),
      },
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
