/**
 * The live/paper daemon: starts the tree on the Worker host, the control endpoint and the watchdog heartbeat,
 * logs a status line, and handles signals:
 *   SIGTERM, SIGINT → orderly stop (orders stay at the venue; the journal has everything for the next start);
 *   SIGUSR2        → kill switch (cancel all, flatten, halt; the halt survives restarts via the journal);
 *   SIGUSR1        → the same, kept for old runbooks; but Deno (≥ 2.9.2) also opens its V8 inspector on
 *                    127.0.0.1:9229 on SIGUSR1, whatever the program does, so operators should send SIGUSR2.
 * Startup is crash recovery: the adapter reconciles with the venue and replays the journal to fresh strategies
 * before the feed resumes after the last journaled bar.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { createWorkerHost, errorText, type LogSink, stderrSink, type TreeEvent } from "../runtime/mod.ts";
import type { Fill } from "../protocol/mod.ts";
import { openJournal } from "../../storage/journal/open.ts";
import type { Journal, JournalRecord } from "../../storage/journal/types.ts";
import { controlSettings, type Env, startDaemonControl } from "./control.ts";
import type { Statistics } from "../gateway/views/equity_view.ts";
import type { RiskLimits, StrategyLimits, TradingState } from "../risk_guardian/checks.ts";
import { applyPatch, type LimitPatch, type LimitScope, validatePatch } from "../risk_guardian/limit_changes.ts";
import type { LiveConfig } from "./live_config.ts";
import { buildLiveTree, PATHS, ROOT, venuePaths } from "./live_tree.ts";
import { lockDaemon } from "./lock.ts";
import { EXIT_LOCKED, EXIT_RESTART_ME, onWatchdogGone, startHeartbeat } from "./watchdog.ts";
import { createLogTail, teeSink } from "../gateway/log_tail.ts";
import { startSystemdNotify } from "./sd_notify.ts";
import { disabledStrategies, lifecycleOf, recordHung, strategyIdOf, withRiskConfig } from "./strategy_faults.ts";
import { loadRoster, startingStrategies, wireRoster } from "./strategy_roster.ts";
import { createStrategyControl } from "./strategy_control.ts";
import { type Database, openDatabase } from "../../storage/db.ts";
import type { BacktestService } from "../gateway/routes/backtest.ts";
import { isRemoteLoss, strategiesLink } from "./roles.ts";
import type { RemoteLink } from "../runtime/remote_link.ts";

export interface DaemonOptions {
  readonly logSink?: LogSink;
  /** Resolves the daemon's wait (tests); signals do the same in production. */
  readonly signal?: AbortSignal;
  /** Where control tokens come from (default: the process environment). */
  readonly env?: Env;
  /**
   * Backtest jobs beside the daemon (cli/backtest_jobs/, given by the command line: actors/ never imports cli/):
   * made once the store is open, closed when the daemon stops.
   */
  readonly backtests?: (context: BacktestContext) => Promise<BacktestService & { close(): Promise<void> }>;
  /** The backtest report's statistics for the API's performance (the command line passes backtest/report's). */
  readonly statistics?: Statistics;
  /**
   * `--role core`: the strategy supervisors run on this Redis bus, in `--role strategies` processes (roles.ts);
   * everything else runs here. Absent: the whole tree runs here.
   */
  readonly bus?: string;
}

export interface BacktestContext {
  readonly database: Database;
  readonly config: LiveConfig;
  readonly log: (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

export interface DaemonResult {
  readonly fills: Fill[];
  readonly portfolio: unknown;
  readonly risk: unknown;
}

const FILL_TYPES = ["OrderFilled", "OrderPartiallyFilled"];

/** Records per journal read: a long run's venue stream (every order event) is never all in memory at once. */
const READ_PAGE = 2_000;

/** One stream's records from `fromSeq` on, in seq order, read a page at a time. */
export async function* streamRecords(
  journal: Journal,
  stream: string,
  fromSeq = 0,
  page = READ_PAGE,
): AsyncGenerator<JournalRecord> {
  for (let from = fromSeq;;) {
    const records = await journal.read({ stream, fromSeq: from, limit: page });
    yield* records;
    if (records.length < page) return;
    from = records[records.length - 1].seq + 1;
  }
}

/** Fills in journal order: what the venue reported, exactly once each (several venues: one after the other). */
export async function journaledFills(journal: Journal, venue: string | readonly string[]): Promise<Fill[]> {
  const fills: Fill[] = [];
  for (const name of typeof venue === "string" ? [venue] : venue) {
    for await (const r of streamRecords(journal, `venue:${name}`)) {
      if (FILL_TYPES.includes(r.type)) fills.push((r.payload as { fill: Fill }).fill);
    }
  }
  return fills;
}

/**
 * The number of fills journaled so far, read incrementally: each call reads only the records appended since the last
 * one (the status line runs every few seconds; re-reading the whole journal would grow with every fill).
 */
export function fillCounter(journal: Journal, venue: string | readonly string[]): () => Promise<number> {
  const venues = typeof venue === "string" ? [venue] : venue;
  let count = 0;
  const seqs = venues.map(() => 0);
  return async () => {
    for (const [i, name] of venues.entries()) {
      for await (const r of streamRecords(journal, `venue:${name}`, seqs[i] + 1)) {
        if (FILL_TYPES.includes(r.type)) count++;
        seqs[i] = r.seq;
      }
    }
    return count;
  };
}

/** The trading state the last run ended in (a kill switch must survive a restart). */
async function lastTradingState(journal: Journal): Promise<TradingState | undefined> {
  const records = await journal.read({ stream: "risk" });
  for (let i = records.length - 1; i >= 0; i--) {
    const m = /^state:(ACTIVE|REDUCING|HALTED)$/.exec(records[i].type);
    if (m) return m[1] as TradingState;
  }
  return undefined;
}

/**
 * Limits changed while an earlier run was trading (SetLimits, journaled by the guardian with the patch it applied):
 * the patches again, in order, on top of the config file's limits. A field the operator changed at run time keeps
 * that value; the file's other fields (edited since, or not) stay in force.
 */
async function changedLimits(journal: Journal): Promise<{ scope: LimitScope; patch: LimitPatch }[]> {
  const out: { scope: LimitScope; patch: LimitPatch }[] = [];
  for (const record of await journal.read({ stream: "risk" })) {
    if (record.type !== "limits") continue;
    const { scope, patch } = record.payload as { scope?: LimitScope; patch?: LimitPatch };
    if (scope && patch && validatePatch(scope, patch).length === 0) out.push({ scope, patch });
  }
  return out;
}

export async function runDaemon(config: LiveConfig, options: DaemonOptions = {}): Promise<number> {
  // Every line also goes to the tail the API serves (GET /api/v1/logs, /ws/logs, the dashboard and the TUI).
  const logs = createLogTail({ strategyOf: strategyIdOf });
  const sink = teeSink(options.logSink ?? stderrSink(), logs.sink);
  const log = (level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}) =>
    sink({ ts: Date.now(), level, actor: "daemon", msg, ...fields });
  let controlConfig;
  try {
    controlConfig = controlSettings(config, options.env ?? ((name) => Deno.env.get(name)));
  } catch (err) {
    log("error", "refusing to start: the control endpoint would be unsafe", { error: errorText(err) });
    return 1;
  }
  mkdirSync(config.dataDir, { recursive: true });
  let exitCode: number | undefined;
  let wake: () => void = () => {};
  const finish = (code: number) => {
    if (exitCode === undefined) exitCode = code;
    wake();
  };
  // Before anything that trades: a second daemon here would send every order again.
  const locked = await lockDaemon(config.dataDir, config.db, {
    onLost: (error) => {
      log("error", "lost the journal lock; stopping so the watchdog restarts and takes it again", {
        error: errorText(error),
      });
      finish(1);
    },
  });
  if (locked.kind === "refused") {
    log("error", locked.message);
    return EXIT_LOCKED;
  }
  const lock = locked.lock;
  let orphaned = false;
  const stopWatchingWatchdog = onWatchdogGone(() => {
    log("warn", "the watchdog is gone; stopping (an orphan must not trade beside the next daemon)");
    orphaned = true;
    finish(0);
  });
  const journal = await openJournal(config.db).catch(async (err) => {
    stopWatchingWatchdog();
    await lock.release();
    throw err;
  });
  // The strategies to run: the config file's, with the changes made while running (added, updated, removed).
  const venueNames = Object.keys(config.venues);
  const roster = await loadRoster(journal, config.strategies, venueNames, config.api.strategiesDir);
  for (const warning of roster.warnings) log("warn", warning);
  const running: LiveConfig = { ...config, strategies: roster.entries };
  const tree = buildLiveTree({ ...running, strategies: startingStrategies(roster) });
  wireRoster(tree, roster);
  const initialState = await lastTradingState(journal);
  const changed = await changedLimits(journal);
  if (changed.length > 0) {
    const node = tree.children.find((c) => c.kind === "actor" && c.id === "risk");
    const risk = (node?.kind === "actor" ? node.config : {}) as { strategyLimits?: Record<string, StrategyLimits> };
    let limits: RiskLimits = config.risk;
    const strategyLimits = { ...risk.strategyLimits };
    for (const { scope, patch } of changed) {
      if (scope.kind === "account") limits = applyPatch(limits, patch);
      else strategyLimits[scope.strategyId] = applyPatch(strategyLimits[scope.strategyId] ?? {}, patch);
    }
    log("warn", "risk limits changed while running are back in force", { limits, strategyLimits });
    withRiskConfig(tree, { limits, strategyLimits });
  }
  if (initialState && initialState !== "ACTIVE") {
    log("warn", "resuming in the trading state the last run ended in", { trading: initialState });
    withRiskConfig(tree, { initialState });
  }
  const disabled = await disabledStrategies(journal, running.strategies.map((s) => s.id));
  if (Object.keys(disabled).length > 0) {
    log("warn", "strategies stay disabled as the last run left them", { strategies: disabled });
    withRiskConfig(tree, { disabledStrategies: disabled });
  }

  let remote: RemoteLink | undefined;
  if (options.bus) {
    try {
      remote = await strategiesLink(options.bus, sink);
    } catch (err) {
      log("error", "cannot start the daemon: the bus is unreachable", { error: errorText(err) });
      await journal.close();
      stopWatchingWatchdog();
      await lock.release();
      return 1;
    }
    log("info", "strategies run on the bus", { role: "core" });
  }
  const host = createWorkerHost({
    ...(remote ? { remote } : {}),
    logSink: sink,
    // Ping every second; an actor silent for 10 s is hung. Generous enough for a cold start on a small VM
    // (a Worker compiling ccxt), short enough that a stuck strategy is replaced within seconds.
    heartbeatMs: 1_000,
    heartbeatTimeoutMs: 10_000,
    onLeakedWorker: (path) => {
      log("error", "a Worker thread leaked; asking the watchdog for a process restart", { path });
      const strategyId = strategyIdOf(path);
      if (strategyId === undefined) return finish(EXIT_RESTART_ME);
      // Recorded before the exit: the strategy comes back disabled, so it costs one restart, not a crash loop.
      const detail = "hung: no heartbeat; its Worker thread leaked (one process restart)";
      void recordHung(host, journal, strategyId, detail)
        .then((record) => log("error", "hung strategy quarantined", { strategyId, ...record }))
        .catch((err) => log("error", "cannot record the hung strategy", { strategyId, error: errorText(err) }))
        .finally(() => finish(EXIT_RESTART_ME));
    },
  });
  // Every venue's replay feed (those that have one) must end before a replay daemon stops.
  const feeds = new Set(venueNames.map((v) => venuePaths(config, v).feed));
  const feedsRunning = new Set(tree.children.map((c) => `${ROOT}/${c.id}`).filter((path) => feeds.has(path)));
  host.subscribe((event: TreeEvent) => {
    if (event.type === "exited" && feedsRunning.delete(event.path) && feedsRunning.size === 0 && config.exitAtEnd) {
      finish(0);
    }
    if (event.type === "fatal") finish(1);
    const lifecycle = lifecycleOf(event);
    // A strategy process that died fails over with its mailbox and state: the guardian keeps waiting for it.
    const failover = event.type === "crashed" && isRemoteLoss(event.error);
    if (lifecycle && !failover) {
      try {
        host.tell(PATHS.risk, lifecycle);
      } catch (err) {
        log("error", "cannot tell the risk guardian about a strategy", { ...lifecycle, error: errorText(err) });
      }
    }
  });
  try {
    await host.start(tree);
  } catch (err) {
    log("error", "cannot start the daemon", { error: errorText(err) });
    await host.stop().catch(() => {});
    await journal.close();
    stopWatchingWatchdog();
    await lock.release();
    return 1;
  }
  // Backtest jobs live in a SQL store: the journal's database, or beside a Redis journal a SQLite file in dataDir.
  const storeUrl = /^rediss?:/i.test(config.db) ? `sqlite:${resolve(config.dataDir, "store.sqlite")}` : config.db;
  const database = options.backtests
    ? await openDatabase({ url: storeUrl }).catch((err) => {
      log("error", "backtest jobs are unavailable: cannot open their store", { error: errorText(err) });
      return undefined;
    })
    : undefined;
  const backtests = options.backtests && database
    ? await options.backtests({ database, config, log }).catch((err) => {
      log("error", "backtest jobs are unavailable", { error: errorText(err) });
      return undefined;
    })
    : undefined;
  const strategies = createStrategyControl({ host, journal, config: running, roster });
  const control = await startDaemonControl(config, host, controlConfig, sink, {
    strategies,
    logs,
    ...(backtests ? { backtests } : {}),
  }, {
    journal,
    ...(options.statistics ? { statistics: options.statistics } : {}),
  });
  log("info", "daemon started", {
    mode: config.mode,
    venue: config.venue.name,
    ...(venueNames.length > 1 ? { venues: venueNames } : {}),
    control: control.url,
    ...(controlConfig.generated
      ? { controlToken: "generated for this run: see control.json in the data directory" }
      : {}),
  });
  await lock.update({ control: control.url }).catch((err) =>
    log("warn", "cannot write the control URL into the lock file", { error: errorText(err) })
  );
  const stopHeartbeat = startHeartbeat();
  // Under systemd (Type=notify, WatchdogSec=): READY=1 now, WATCHDOG=1 while the event loop turns.
  const stopNotify = startSystemdNotify((msg, fields) => log("warn", msg, fields));
  const signals: [Deno.Signal, () => void][] = [
    ["SIGTERM", () => finish(0)],
    ["SIGINT", () => finish(0)],
    ["SIGUSR2", () => host.tell(PATHS.risk, { type: "KillSwitch", reason: "SIGUSR2", flatten: true })],
    ["SIGUSR1", () => host.tell(PATHS.risk, { type: "KillSwitch", reason: "SIGUSR1", flatten: true })],
  ];
  for (const [sig, handler] of signals) Deno.addSignalListener(sig, handler);
  options.signal?.addEventListener("abort", () => finish(0));

  const countFills = fillCounter(journal, venueNames);
  const status = async () => {
    const portfolio = await host.ask(PATHS.portfolio, { type: "GetPortfolio" }, 3_000).catch(() => undefined) as
      | { total?: { equity: number; balance: number; positions: unknown[] } }
      | undefined;
    const fills = await countFills();
    log("info", "status", {
      equity: portfolio?.total?.equity,
      balance: portfolio?.total?.balance,
      positions: portfolio?.total?.positions,
      fills,
    });
    return portfolio;
  };
  const timer = config.statusEveryMs > 0 ? setInterval(() => void status(), config.statusEveryMs) : undefined;
  if (exitCode === undefined) await new Promise<void>((resolve) => (wake = resolve));
  if (timer !== undefined) clearInterval(timer);
  await stopNotify();
  await lock.update({ stoppingSince: new Date().toISOString() }).catch(() => {});

  // An orphan stops at once: nobody waits for its result, and the next start needs its lock.
  if (exitCode === 0 && config.exitAtEnd && !orphaned) {
    let idleGuard: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([host.idle(), new Promise((r) => (idleGuard = setTimeout(r, 30_000)))]);
    clearTimeout(idleGuard); // a timer left behind would hold the process (or a test) 30 s after the stop
    const portfolio = await status();
    const risk = await host.ask(PATHS.risk, { type: "GetRiskState" }, 3_000).catch(() => undefined);
    const result: DaemonResult = { fills: await journaledFills(journal, venueNames), portfolio, risk };
    await Deno.writeTextFile(resolve(config.dataDir, "result.json"), JSON.stringify(result, null, 2));
  }
  for (const [sig, handler] of signals) Deno.removeSignalListener(sig, handler);
  stopHeartbeat();
  await control.close().catch(() => {});
  await backtests?.close().catch((err) => log("warn", "backtest jobs did not stop cleanly", { error: errorText(err) }));
  await host.stop().catch((err) => log("warn", "stop failed", { error: errorText(err) }));
  await journal.close();
  await database?.close().catch(() => {});
  stopWatchingWatchdog();
  // Last: the next daemon may start only once this one has stopped touching the venue and the journal.
  await lock.release();
  log("info", "daemon stopped", { exitCode });
  return exitCode ?? 0;
}
