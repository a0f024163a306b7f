/**
 * Runs a backtest through the same actors live trading uses (strategy supervisors, risk guardian,
 * portfolio, and the simulated exchange in place of a venue), in the in-process host on a simulated clock.
 * The loop is plain and synchronous: per bar time it delivers the bars to the exchange (fills at the open),
 * then to the portfolio and strategies (decisions at the close), and drains the mailboxes.
 */
import {
  createInProcessHost,
  type LogLevel,
  type LogSink,
  type OpenMessage,
  simulatedClock,
} from "../actors/runtime/mod.ts";
import type { SupervisorSpec } from "../actors/runtime/spec.ts";
import { type Bar, type BarSeries, type Tick, type Timeframe, TIMEFRAME_MS } from "../actors/protocol/mod.ts";
import type { TickSeries } from "../storage/ticks/mod.ts";
import { DEFAULT_SIM_CONFIG, type SimConfig } from "../actors/exchange/sim/matching.ts";
import { type CommissionModel, sizingCosts } from "../actors/exchange/sim/costs.ts";
import type { RiskLimits } from "../actors/risk_guardian/checks.ts";
import {
  limitProblems,
  type QuarantinePolicy,
  RISK_LIMIT_RULES,
  STRATEGY_LIMIT_RULES,
  type StrategyLimits,
} from "../actors/risk_guardian/limits.ts";
import type { PortfolioRecord } from "../actors/portfolio/portfolio.ts";
import type { AllocationConfig } from "../actors/portfolio/allocation.ts";
import {
  computeStats,
  correlation,
  type Ohlc,
  type PortfolioSection,
  type Report,
  type ReportInput,
  strategySection,
  timeWeighted,
} from "./report/mod.ts";
import type { AnyStrategy } from "../strategies/api.ts";
import { validateParams } from "../strategies/params.ts";
import { loadStrategy, StrategyLoadError } from "../strategies/registry.ts";

export interface StrategyRun {
  /** Unique id; client order ids start with it. */
  readonly id: string;
  readonly module: string;
  readonly export?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** Symbols this strategy trades (default: every data symbol). */
  readonly symbols?: readonly string[];
  /** Capital allocated (default: cash split evenly). */
  readonly capital?: number;
  /** This strategy's own limits, beside the account's (the live config's `strategies[].limits`). */
  readonly limits?: StrategyLimits;
}

export interface BacktestSpec {
  readonly strategies: readonly StrategyRun[];
  readonly data: readonly BarSeries[];
  /**
   * Tick data (trades or quotes) for some of the symbols: the exchange matches their orders on each tick instead of
   * on bars (actors/exchange/sim/tick_matching.ts), strategies get `onTick` for each, and `data` holds the bars made
   * from them (storage/ticks ticksToBars) for `onBar` and the report.
   */
  readonly ticks?: readonly TickSeries[];
  readonly cash: number;
  readonly sim?: Partial<Omit<SimConfig, "initialCash">>;
  /** The account's limits (the live config's `risk`), checked by the same risk guardian as live. */
  readonly risk?: RiskLimits;
  /** What a strategy stopped by its loss limits does with its position (default "flatten", as live). */
  readonly quarantinePolicy?: QuarantinePolicy;
  /**
   * Close trades still open at the end (backtesting.py's finalize_trades): market closes that fill at the last
   * bar's open (with fillAt "close": at its close), with commission and costs; the last equity point is restated
   * after them.
   */
  readonly closeAtEnd?: boolean;
  /**
   * Capital allocation between the strategies (actors/portfolio/allocation.ts): target weights and when to rebalance;
   * `ids` in the order of `strategies`. The portfolio actor moves the capital; the venue, the risk guardian and the
   * strategies follow.
   */
  readonly allocation?: AllocationConfig;
  readonly seed?: number;
  readonly logSink?: LogSink;
  /** Default "warn". */
  readonly logLevel?: LogLevel;
  /**
   * When equity falls to zero or below, liquidate at that bar's close, halt trading and keep equity at 0
   * (backtesting.py's out-of-money rule; default true).
   */
  readonly stopWhenBroke?: boolean;
  /** Bars delivered so far out of all of them, about every 1 % (a job's progress); never on the hot path otherwise. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Each equity curve (bar times, equity) as soon as it is final, before its statistics are computed: the account's
   * (no strategyId), then with several strategies each one's (time-weighted, as its report). The command starts
   * writing the equity.csv files on another thread with them (report/equity_file.ts).
   */
  readonly onEquityCurve?: (curve: EquityCurve) => void;
}

export interface EquityCurve {
  readonly strategyId?: string;
  readonly ts: Float64Array;
  readonly equity: Float64Array;
}

export interface BacktestResult {
  readonly report: Report;
  readonly input: ReportInput;
  readonly ohlc: Ohlc;
  readonly record: PortfolioRecord;
  readonly bars: number;
  /** Ticks delivered (tick backtests; else 0). */
  readonly ticks: number;
  readonly elapsedMs: number;
  readonly warmupBars: number;
  /** With several strategies: each one's statistics, equity and trades. */
  readonly portfolio?: PortfolioSection;
}

const RUNTIME = (file: string) => new URL(`../actors/${file}`, import.meta.url).href;

export class BacktestError extends Error {
  override name = "BacktestError";
}

/** Loads and validates every strategy before anything runs: bad parameters fail here, naming the parameter. */
export async function resolveStrategies(runs: readonly StrategyRun[]): Promise<Map<string, AnyStrategy>> {
  const out = new Map<string, AnyStrategy>();
  for (const run of runs) {
    if (out.has(run.id)) throw new BacktestError(`duplicate strategy id "${run.id}"`);
    const def = await loadStrategy(run.module, run.export, run.params, run.id).catch((err) => {
      throw err instanceof StrategyLoadError ? new BacktestError(err.message) : err;
    });
    out.set(run.id, def);
  }
  return out;
}

function checkData(data: readonly BarSeries[]): Timeframe {
  if (data.length === 0) throw new BacktestError("no data: give at least one bar series");
  const symbols = new Set<string>();
  for (const s of data) {
    if (symbols.has(s.symbol)) throw new BacktestError(`symbol ${s.symbol} given twice`);
    symbols.add(s.symbol);
    if (s.length === 0) throw new BacktestError(`${s.symbol}: the series is empty`);
    if (s.timeframe !== data[0].timeframe) {
      throw new BacktestError(
        `all series need one timeframe: ${s.symbol} is ${s.timeframe}, ${data[0].symbol} is ${data[0].timeframe}`,
      );
    }
  }
  return data[0].timeframe;
}

export async function runBacktest(spec: BacktestSpec): Promise<BacktestResult> {
  const timeframe = checkData(spec.data);
  checkTicks(spec);
  if (!(spec.cash > 0)) throw new BacktestError(`cash must be > 0, got ${spec.cash}`);
  if (spec.strategies.length === 0) throw new BacktestError("no strategy to run");
  checkLimits(spec);
  if (spec.allocation && spec.allocation.ids.join("\n") !== spec.strategies.map((r) => r.id).join("\n")) {
    throw new BacktestError(
      `allocation: its strategies (${spec.allocation.ids.join(", ")}) must be the run's, in order ` +
        `(${spec.strategies.map((r) => r.id).join(", ")})`,
    );
  }
  const defs = await resolveStrategies(spec.strategies);
  const strategyLimits = Object.fromEntries(spec.strategies.filter((r) => r.limits).map((r) => [r.id, r.limits!]));
  const strategyLoss = Object.values(strategyLimits).some((l) =>
    l.maxLoss !== undefined || l.maxDrawdown !== undefined
  );
  const allSymbols = spec.data.map((s) => s.symbol);
  const capital = (run: StrategyRun) => run.capital ?? spec.cash / spec.strategies.length;
  const allocated = spec.strategies.reduce((sum, r) => sum + capital(r), 0);
  if (allocated > spec.cash * (1 + 1e-9)) {
    throw new BacktestError(`the strategies' capital (${allocated}) is above the account's cash (${spec.cash})`);
  }
  const sim: SimConfig = {
    ...DEFAULT_SIM_CONFIG,
    ...spec.sim,
    initialCash: spec.cash,
    // With one strategy its capital is the account: no sub-account bookkeeping needed.
    ...(spec.strategies.length > 1 || capital(spec.strategies[0]) !== spec.cash
      ? { strategyCapital: Object.fromEntries(spec.strategies.map((r) => [r.id, capital(r)])) }
      : {}),
  };
  for (const symbol of Object.keys(sim.contracts ?? {})) {
    if (!allSymbols.includes(symbol)) {
      throw new BacktestError(`instrument ${symbol}: no data for this symbol (data has ${allSymbols.join(", ")})`);
    }
  }
  // The guardian values orders (notional, exposure) with the contracts' multipliers.
  const multipliers = Object.entries(sim.contracts ?? {}).flatMap(([symbol, c]) =>
    c.multiplier !== undefined && c.multiplier !== 1 ? [[symbol, { multiplier: c.multiplier }]] : []
  );
  const symbolsOf = (run: StrategyRun) => {
    const symbols = run.symbols ?? allSymbols;
    for (const s of symbols) {
      if (!allSymbols.includes(s)) throw new BacktestError(`strategy ${run.id}: no data for symbol ${s}`);
    }
    return symbols;
  };

  const root: SupervisorSpec = {
    kind: "supervisor",
    id: "bt",
    strategy: "one_for_one",
    // A crash in a backtest is a bug to see, not to paper over: the run fails with the actor's error.
    intensity: { maxRestarts: 0, withinMs: 1 },
    children: [
      {
        kind: "actor",
        id: "portfolio",
        module: RUNTIME("portfolio/portfolio.ts"),
        // A backtest does not restart actors (a crash fails the run), so it takes no snapshots.
        snapshotEvery: 0,
        config: {
          capital: Object.fromEntries(spec.strategies.map((r) => [r.id, capital(r)])),
          recordEquity: true,
          // Bar times to come: the equity record is allocated once instead of grown by doubling.
          expectedBars: distinctTimes(spec.data),
          // No snapshots here (snapshotEvery 0): the record's columns can be shared with the report's writer thread.
          sharedRecord: spec.onEquityCurve !== undefined,
          ...(spec.allocation
            ? {
              allocation: {
                ...spec.allocation,
                notify: ["bt/exchange", "bt/risk"],
                leverage: sim.leverage,
                strategyPaths: Object.fromEntries(spec.strategies.map((r) => [r.id, `bt/strategies/${r.id}`])),
              },
            }
            : {}),
          ...(spec.stopWhenBroke === false ? {} : {
            liquidateAtZeroEquity: { exitCommissionRate: percentRate(sim.costs.commission), haltTo: "bt/risk" },
          }),
          equitySubscribers:
            spec.risk?.maxDrawdown !== undefined || spec.risk?.dailyLossLimit !== undefined || strategyLoss
              ? ["bt/risk"]
              : [],
        },
      },
      {
        kind: "actor",
        id: "risk",
        module: RUNTIME("risk_guardian/risk_guardian.ts"),
        snapshotEvery: 0,
        // The sim places brackets itself (exits may fill in their parent's bar), whatever the venue is named.
        config: {
          limits: spec.risk ?? {},
          strategyLimits,
          strategyCapital: Object.fromEntries(spec.strategies.map((r) => [r.id, capital(r)])),
          ...(spec.quarantinePolicy ? { quarantinePolicy: spec.quarantinePolicy } : {}),
          exchanges: { [sim.venue]: "bt/exchange" },
          nativeBrackets: { [sim.venue]: true },
          ...(multipliers.length > 0 ? { instruments: { [sim.venue]: Object.fromEntries(multipliers) } } : {}),
        },
      },
      {
        kind: "actor",
        id: "exchange",
        module: RUNTIME("exchange/sim/sim_exchange.ts"),
        config: { sim, fillSubscribers: ["bt/portfolio"] },
      },
      {
        kind: "supervisor",
        id: "strategies",
        strategy: "one_for_one",
        intensity: { maxRestarts: 0, withinMs: 1 },
        children: spec.strategies.map((run) => ({
          kind: "actor" as const,
          id: run.id,
          module: RUNTIME("strategy_supervisor/strategy_supervisor.ts"),
          snapshotEvery: 0,
          config: {
            strategyId: run.id,
            module: run.module,
            export: run.export,
            params: run.params,
            symbols: symbolsOf(run),
            timeframe,
            venue: sim.venue,
            riskPath: "bt/risk",
            capital: capital(run),
            defaultStep: sim.defaultStep,
          },
        })),
      },
    ],
  };

  const clock = simulatedClock(spec.data.reduce((m, s) => Math.min(m, s.ts[0]), Infinity));
  const host = createInProcessHost({
    clock,
    strictMessages: false,
    autoDrain: false,
    seed: spec.seed ?? 0,
    logSink: spec.logSink ?? (() => {}),
    logLevel: spec.logLevel ?? "warn",
  });
  await host.start(root);

  const tfMs = TIMEFRAME_MS[timeframe];
  // The risk guardian needs every mark only for exposure limits; orders carry their own reference price.
  const riskNeedsMarks = spec.risk?.maxGrossExposure !== undefined ||
    Object.values(strategyLimits).some((l) => l.maxGrossExposure !== undefined);
  const primary = spec.data[0];
  const loop: Loop = {
    host,
    toExchange: host.senderTo("bt/exchange"),
    toPortfolio: host.senderTo("bt/portfolio"),
    clock,
    data: spec.data,
    timeframe,
    tfMs,
    cursors: new Int32Array(spec.data.length),
    subscribers: spec.data.map((s) =>
      spec.strategies.filter((r) => symbolsOf(r).includes(s.symbol)).map((r) => host.senderTo(`bt/strategies/${r.id}`))
    ),
    riskNeedsMarks,
    primaryClose: new Float64Array(spec.data.reduce((n, s) => n + s.length, 0)),
    steps: 0,
    bars: [],
    seriesOf: [],
    msgs: [],
    mark: { type: "MarkToMarket", ts: 0, bars: [] },
    exBatch: { type: "Bars", bars: [] },
    ...(spec.ticks && spec.ticks.length > 0
      ? {
        ticks: {
          series: spec.ticks,
          cursors: new Int32Array(spec.ticks.length),
          subscribers: spec.ticks.map((s) =>
            spec.strategies.filter((r) => symbolsOf(r).includes(s.symbol)).map((r) =>
              host.senderTo(`bt/strategies/${r.id}`)
            )
          ),
          bySymbol: new Set(spec.ticks.map((s) => s.symbol)),
          delivered: 0,
        },
      }
      : {}),
    ...(spec.onProgress
      ? {
        progress: {
          report: spec.onProgress,
          every: Math.max(1, Math.floor(primary.length / 100)),
          total: spec.data.reduce((n, s) => n + s.length, 0),
        },
      }
      : {}),
  };
  loop.mark.bars = loop.bars;
  const started = performance.now();
  // The hot loop lives in a plain synchronous function (V8 optimises it; an async function's loop was left
  // to the baseline compiler). We only come back here to await when an actor has async work pending.
  while (runSteps(loop) === "busy") {
    await host.idle();
    if (host.fatal) break;
  }
  const steps = loop.steps;
  const primaryClose = loop.primaryClose.subarray(0, steps);
  const elapsedMs = performance.now() - started;
  if (host.fatal) {
    await host.stop().catch(() => {});
    throw new BacktestError(`backtest failed: ${host.fatal.message}`);
  }

  if (spec.closeAtEnd && !host.fatal && loop.steps > 0) {
    finalizeTrades(
      loop,
      spec.strategies.map((r) => `bt/strategies/${r.id}`),
    );
  }
  const recordPromise = host.ask<PortfolioRecord>("bt/portfolio", { type: "GetRecord" }, 60_000);
  host.drain();
  const record = await recordPromise;
  await host.stop();

  // Cash no strategy was given still belongs to the account: it is part of its equity (the record counts the
  // strategies' capital only).
  const idle = spec.cash - allocated;
  if (idle > 1e-9 * spec.cash) { for (let i = 0; i < record.equity.length; i++) record.equity[i] += idle; }
  spec.onEquityCurve?.({ ts: record.ts, equity: record.equity });
  const trades = record.trades;
  const warmupOf = (r: StrategyRun) =>
    defs.get(r.id)!.warmupBars?.(validateParams(r.id, defs.get(r.id)!.params, r.params)) ?? 0;
  const warmupBars = Math.max(0, ...spec.strategies.map(warmupOf));
  const input: ReportInput = {
    ts: record.ts,
    equity: record.equity,
    // A copy only when the buffer is longer than the run (several series): it was sized for every bar.
    close: primaryClose.length === loop.primaryClose.length ? loop.primaryClose : Float64Array.from(primaryClose),
    trades,
    initialCash: spec.cash,
    // backtesting.py counts the commissions of closed trades only (an open trade's entry fee is left out).
    totalCommission: trades.reduce((sum, t) => sum + t.commission, 0),
    turnover: record.turnover,
  };
  const report = computeStats(input, { warmupBars: Math.min(warmupBars, Math.max(0, steps - 1)) });
  const ohlc: Ohlc = alignedOhlc(primary, record.ts);
  const portfolio = spec.strategies.length > 1
    ? portfolioSection(spec, record, (r) => symbolsOf(r), capital, warmupOf, ohlc)
    : undefined;
  return {
    report,
    input,
    ohlc,
    record,
    bars: spec.data.reduce((n, s) => n + s.length, 0),
    ticks: loop.ticks?.delivered ?? 0,
    elapsedMs,
    warmupBars,
    ...(portfolio ? { portfolio } : {}),
  };
}

/** Each strategy's report: its own equity, trades and first symbol's close (the primary's columns when it is that). */
function portfolioSection(
  spec: BacktestSpec,
  record: PortfolioRecord,
  symbolsOf: (r: StrategyRun) => readonly string[],
  capital: (r: StrategyRun) => number,
  warmupOf: (r: StrategyRun) => number,
  primary: Ohlc,
): PortfolioSection {
  const closes = new Map<string, Float64Array>([[spec.data[0].symbol, primary.close]]);
  const closeOf = (symbol: string) => {
    let c = closes.get(symbol);
    if (!c) closes.set(symbol, c = alignedOhlc(spec.data.find((s) => s.symbol === symbol)!, record.ts).close);
    return c;
  };
  // Every strategy's curve first, so their files are being written while the statistics below are computed.
  const curves = spec.strategies.map((r) => {
    // With capital moved by rebalances: the time-weighted equity (as if none had moved), so its returns are the
    // strategy's trading only.
    const equity = timeWeighted(
      record.perStrategy[r.id] ?? new Float64Array(record.ts.length).fill(capital(r)),
      record.perStrategyFlows?.[r.id],
    );
    spec.onEquityCurve?.({ strategyId: r.id, ts: record.ts, equity });
    return equity;
  });
  const strategies = spec.strategies.map((r, i) =>
    strategySection(
      {
        id: r.id,
        symbols: symbolsOf(r),
        capital: capital(r),
        equity: curves[i],
        close: closeOf(symbolsOf(r)[0]),
        warmupBars: warmupOf(r),
        turnover: record.perStrategyTurnover[r.id] ?? 0,
      },
      record.ts,
      record.trades,
    )
  );
  return {
    priceSymbol: spec.data[0].symbol,
    strategies,
    ...(spec.allocation
      ? {
        allocation: {
          method: spec.allocation.method,
          rebalance: spec.allocation.rebalance,
          lookback: spec.allocation.lookback,
          weights: Object.fromEntries(spec.allocation.ids.map((id, i) => [id, spec.allocation!.weights[i]])),
          rebalances: record.rebalances ?? [],
        },
      }
      : {}),
    correlation: correlation({
      ts: record.ts,
      strategies: strategies.map((s) => ({ id: s.id, equity: s.input.equity })),
      symbols: spec.data.map((s) => ({ symbol: s.symbol, ts: s.ts, close: s.close })),
    }),
  };
}

/** Tick series: each for a symbol with bars, once, in time order (the parser checked the order). */
function checkTicks(spec: BacktestSpec): void {
  const seen = new Set<string>();
  for (const t of spec.ticks ?? []) {
    if (seen.has(t.symbol)) throw new BacktestError(`ticks for ${t.symbol} given twice`);
    seen.add(t.symbol);
    if (!spec.data.some((s) => s.symbol === t.symbol)) {
      throw new BacktestError(`ticks for ${t.symbol}, but no bars of it (make them with ticksToBars)`);
    }
    if (t.length === 0) throw new BacktestError(`${t.symbol}: no ticks`);
  }
}

/** The account's and each strategy's limits, by the rules the live config and SetLimits use (limits.ts). */
function checkLimits(spec: BacktestSpec): void {
  const problems = limitProblems({ ...spec.risk }, RISK_LIMIT_RULES).map((p) => `risk.${p.key}: ${p.why}`);
  for (const run of spec.strategies) {
    for (const p of limitProblems({ ...run.limits }, STRATEGY_LIMIT_RULES)) {
      problems.push(`strategy ${run.id} limits.${p.key}: ${p.why}`);
    }
  }
  if (problems.length > 0) throw new BacktestError(`bad limits: ${problems.join("; ")}`);
}

/**
 * backtesting.py's finalize_trades: every strategy closes what it holds at market, and the broker runs the
 * last bar once more, so the closes fill at its open and its equity point is restated.
 */
function finalizeTrades(loop: Loop, strategies: readonly string[]): void {
  const { host } = loop;
  for (const path of strategies) host.tell(path, { type: "Flatten" });
  host.drain();
  host.tell("bt/portfolio", { type: "ReopenLastBar" });
  host.drain();
  for (let j = 0; j < loop.bars.length; j++) {
    if (!loop.ticks?.bySymbol.has(loop.bars[j].symbol)) loop.toExchange(loop.msgs[j]);
  }
  // Symbols traded on ticks close at their last tick's touch.
  if (loop.ticks) {
    for (let k = 0; k < loop.ticks.series.length; k++) {
      const i = loop.ticks.cursors[k] - 1;
      if (i >= 0) loop.toExchange({ type: "Tick", tick: tickAt(loop.ticks.series[k], i) });
    }
  }
  host.drain();
  loop.toPortfolio(loop.mark);
  host.drain();
}

/** The proportional part of a commission model (exits at the end or on liquidation use it). */
function percentRate(commission: CommissionModel): number {
  return sizingCosts(commission).rate;
}

function alignedOhlc(series: BarSeries, ts: Float64Array): Ohlc {
  const n = ts.length;
  // One bar per step (a single series, or no gaps in the first): the series' own columns, no copy.
  if (n <= series.length && sameTimes(series.ts, ts)) {
    const view = (a: Float64Array) => a.length === n ? a : a.subarray(0, n);
    return { open: view(series.open), high: view(series.high), low: view(series.low), close: view(series.close) };
  }
  const out = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  let j = 0;
  for (let i = 0; i < n; i++) {
    while (j < series.length - 1 && series.ts[j] < ts[i]) j++;
    out.open[i] = series.open[j];
    out.high[i] = series.high[j];
    out.low[i] = series.low[j];
    out.close[i] = series.close[j];
  }
  return out;
}

/** How many bar times the run steps through: the union of the series' times (each ascending). */
function distinctTimes(data: readonly BarSeries[]): number {
  if (data.length === 1) return data[0].length;
  const cursors = new Int32Array(data.length);
  let count = 0;
  for (;;) {
    let t = Infinity;
    for (let k = 0; k < data.length; k++) if (cursors[k] < data[k].length) t = Math.min(t, data[k].ts[cursors[k]]);
    if (t === Infinity) return count;
    count++;
    for (let k = 0; k < data.length; k++) if (cursors[k] < data[k].length && data[k].ts[cursors[k]] === t) cursors[k]++;
  }
}

function sameTimes(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type Send = (msg: OpenMessage) => void;

interface Loop {
  readonly host: ReturnType<typeof createInProcessHost>;
  readonly toExchange: Send;
  readonly toPortfolio: Send;
  readonly clock: ReturnType<typeof simulatedClock>;
  readonly data: readonly BarSeries[];
  readonly timeframe: Timeframe;
  readonly tfMs: number;
  readonly cursors: Int32Array;
  readonly subscribers: readonly (readonly Send[])[];
  readonly riskNeedsMarks: boolean;
  readonly primaryClose: Float64Array;
  steps: number;
  readonly bars: Bar[];
  readonly seriesOf: number[];
  readonly msgs: { type: "Bar"; bar: Bar }[];
  readonly mark: { type: "MarkToMarket"; ts: number; bars: Bar[] };
  /** The bars the exchange gets at one time, when there are several (reused like `bars`). */
  readonly exBatch: { type: "Bars"; bars: Bar[] };
  readonly progress?: { readonly report: (done: number, total: number) => void; readonly every: number; total: number };
  readonly ticks?: TickFeed;
}

interface TickFeed {
  readonly series: readonly TickSeries[];
  readonly cursors: Int32Array;
  readonly subscribers: readonly (readonly Send[])[];
  /** Symbols whose orders match on ticks: their bars do not go to the exchange. */
  readonly bySymbol: ReadonlySet<string>;
  delivered: number;
}

/** The tick at `i` of a series, as the protocol's message carries it. */
function tickAt(s: TickSeries, i: number): Tick {
  if (s.kind === "quote") {
    const [bid, ask, bidSize, askSize] = [s.bid[i], s.ask[i], s.bidSize[i], s.askSize[i]];
    return { symbol: s.symbol, ts: s.ts[i], price: s.price[i], size: 0, bid, ask, bidSize, askSize };
  }
  const side = s.side[i];
  const base = { symbol: s.symbol, ts: s.ts[i], price: s.price[i], size: s.size[i] };
  return side === 0 ? base : { ...base, side: side > 0 ? "buy" : "sell" };
}

/**
 * Every tick before `end`, in time order across symbols (ties: in the order the series were given): to the exchange
 * (matching), drain, then to the strategies of that symbol (onTick), drain. The clock reads each tick's time.
 */
function deliverTicks(loop: Loop, feed: TickFeed, end: number): void {
  const { host, clock } = loop;
  for (;;) {
    let k = -1;
    let t = end;
    for (let j = 0; j < feed.series.length; j++) {
      const i = feed.cursors[j];
      if (i < feed.series[j].length && feed.series[j].ts[i] < t) {
        t = feed.series[j].ts[i];
        k = j;
      }
    }
    if (k < 0) return;
    const s = feed.series[k];
    const i = feed.cursors[k]++;
    clock.advanceTo(t);
    const tick = tickAt(s, i);
    const msg = { type: "Tick" as const, tick };
    loop.toExchange(msg);
    host.drain();
    const subs = feed.subscribers[k];
    for (let m = 0; m < subs.length; m++) subs[m](msg);
    host.drain();
    feed.delivered++;
  }
}

function reportProgress(loop: Loop): void {
  let done = 0;
  for (let k = 0; k < loop.cursors.length; k++) done += loop.cursors[k];
  loop.progress!.report(done, loop.progress!.total);
}

/**
 * Delivers bar times until the data ends ("done"), an actor awaits something ("busy"), or the tree failed.
 * Per bar time: bars to the exchange (fills at the open), drain; then bars to the strategies and one
 * MarkToMarket to the portfolio (equity at the close), drain.
 */
function runSteps(loop: Loop): "done" | "busy" {
  const { host, clock, data, timeframe, tfMs, cursors, subscribers } = loop;
  let lastPrimaryClose = loop.steps > 0 ? loop.primaryClose[loop.steps - 1] : NaN;
  for (;;) {
    let t = Infinity;
    for (let k = 0; k < data.length; k++) {
      const i = cursors[k];
      if (i < data[k].length && data[k].ts[i] < t) t = data[k].ts[i];
    }
    if (t === Infinity) return "done";
    // Ticks first: their bar closes at t + tfMs, after the last of them.
    if (loop.ticks) deliverTicks(loop, loop.ticks, t + tfMs);
    clock.advanceTo(t + tfMs);
    // Reused every step (the drains below handle them before the next step, and no actor keeps them), filled
    // by index: `array.length = 0` would free the backing store and `push` reallocate it on every bar.
    const bars = loop.bars;
    const seriesOf = loop.seriesOf;
    const msgs = loop.msgs;
    const exBars = loop.exBatch.bars;
    let n = 0;
    let nEx = 0;
    for (let k = 0; k < data.length; k++) {
      const s = data[k];
      const i = cursors[k];
      if (i >= s.length || s.ts[i] !== t) continue;
      cursors[k] = i + 1;
      const bar: Bar = {
        symbol: s.symbol,
        timeframe,
        ts: t,
        open: s.open[i],
        high: s.high[i],
        low: s.low[i],
        close: s.close[i],
        volume: s.volume[i],
      };
      const msg = { type: "Bar" as const, bar };
      bars[n] = bar;
      seriesOf[n] = k;
      msgs[n] = msg;
      n++;
      if (!loop.ticks?.bySymbol.has(s.symbol)) exBars[nEx++] = bar;
      if (k === 0) lastPrimaryClose = bar.close;
    }
    if (bars.length !== n) bars.length = n; // only when the symbols present change (gaps)
    // One message for every symbol of this time (the exchange handles them in this order, as so many Bars).
    if (nEx === 1) loop.toExchange(msgs[0].bar === exBars[0] ? msgs[0] : { type: "Bar", bar: exBars[0] });
    else if (nEx > 1) {
      if (exBars.length !== nEx) exBars.length = nEx;
      loop.toExchange(loop.exBatch);
    }
    host.drain();
    for (let j = 0; j < n; j++) {
      const bar = bars[j];
      const msg = msgs[j]; // the same message object the exchange got: one allocation per bar
      if (loop.riskNeedsMarks) host.tell("bt/risk", { type: "MarkPrice", symbol: bar.symbol, price: bar.close });
      const subs = subscribers[seriesOf[j]];
      for (let m = 0; m < subs.length; m++) subs[m](msg);
    }
    loop.mark.ts = t;
    loop.toPortfolio(loop.mark);
    host.drain();
    loop.primaryClose[loop.steps++] = lastPrimaryClose;
    if (loop.progress !== undefined && loop.steps % loop.progress.every === 0) reportProgress(loop);
    if (host.busy) return "busy";
    if (host.fatal) return "done";
  }
}
