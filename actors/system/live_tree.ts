/**
 * The live supervision tree as data (mirrors backtest/engine.ts; only the edges differ): journal, portfolio, risk
 * guardian, strategies, the venue adapter and the data feed, each in its own Worker.
 *
 * Start order matters: strategies start before the adapter, because the adapter replays the journal to them as
 * soon as it has reconciled. The root is one_for_one: a strategy crash restarts that strategy from its snapshot,
 * an adapter crash restarts the adapter, which reconciles before it accepts a command.
 */
import type { ActorSpec, SupervisorSpec } from "../runtime/spec.ts";
import { resolve } from "node:path";
import type { LiveConfig, StrategyConfig } from "./live_config.ts";
import { GATEWAY_TAP } from "../gateway/tap.ts";

const ACTOR = (file: string) => new URL(`../${file}`, import.meta.url).href;

export const ROOT = "live";
export const PATHS = {
  journal: `${ROOT}/journal`,
  portfolio: `${ROOT}/portfolio`,
  risk: `${ROOT}/risk`,
  exchange: `${ROOT}/exchange`,
  feed: `${ROOT}/feed`,
  strategies: `${ROOT}/strategies`,
  strategy: (id: string) => `${ROOT}/strategies/${id}`,
} as const;

/** One strategy's supervisor, as the tree starts it (also when it is added while running). */
export function strategySpec(config: LiveConfig, s: StrategyConfig): ActorSpec {
  return {
    kind: "actor",
    id: s.id,
    module: ACTOR("strategy_supervisor/strategy_supervisor.ts"),
    config: {
      strategyId: s.id,
      module: s.module,
      params: s.params,
      symbols: s.symbols,
      timeframe: config.timeframe,
      venue: config.venue.name,
      riskPath: PATHS.risk,
      capital: s.capital,
      defaultStep: config.venue.type === "paper" ? config.venue.defaultStep : 0.00001,
      // Also without lockstep: the guardian learns the last bar each strategy handled (where a restarted daemon
      // stops feeding a quarantined one), and its pending acknowledgements complete instead of piling up.
      ackBars: true,
    },
  };
}

/** The paper venue's own storage (its book), apart from the daemon's journal. */
export const paperVenuePath = (config: LiveConfig) => resolve(config.dataDir, "paper_venue.sqlite");

function exchangeSpec(config: LiveConfig, lockstep: boolean): ActorSpec {
  const venue = config.venue;
  const common = {
    venue: venue.name,
    db: config.db,
    downstream: PATHS.risk,
    fillSubscribers: [PATHS.portfolio],
    barSubscribers: [PATHS.portfolio],
    ...(lockstep ? { feed: PATHS.feed } : {}),
    tap: GATEWAY_TAP,
  };
  if (venue.type === "paper") {
    return {
      kind: "actor",
      id: "exchange",
      module: ACTOR("exchange/paper/adapter.ts"),
      config: {
        ...common,
        client: {
          path: paperVenuePath(config),
          sim: {
            initialCash: venue.initialCash,
            // Each strategy's equity-fraction orders are sized from its own capital, as in backtests (also a lone
            // strategy: one added while running must not size from its money).
            strategyCapital: Object.fromEntries(config.strategies.map((s) => [s.id, s.capital])),
            defaultStep: venue.defaultStep,
            allowShort: venue.allowShort,
            costs: {
              commission: venue.commission > 0 ? { kind: "percent", rate: venue.commission } : { kind: "none" },
              slippage: venue.slippageBps > 0 ? { kind: "fixed_bps", bps: venue.slippageBps } : { kind: "none" },
              impact: { kind: "none" },
            },
          },
        },
      },
    };
  }
  return {
    kind: "actor",
    id: "exchange",
    module: ACTOR("exchange/binance/adapter.ts"),
    // A fresh adapter reconciles (seconds over the network) before it answers; mailbox messages wait meanwhile.
    shutdownMs: 10_000,
    config: {
      ...common,
      pollMs: venue.pollMs,
      client: {
        sandbox: venue.sandbox,
        apiKey: venue.apiKey,
        secret: venue.secret,
        timeoutMs: venue.timeoutMs,
        quote: venue.quote,
        symbols: config.strategies.flatMap((s) => s.symbols),
        ...(venue.apiUrl ? { apiUrl: venue.apiUrl } : {}),
      },
    },
  };
}

function feedSpec(config: LiveConfig): ActorSpec {
  const feed = config.feed;
  if (feed.type === "replay") {
    return {
      kind: "actor",
      id: "feed",
      module: ACTOR("data_feed/replay_feed.ts"),
      // transient: the end of the replay is a normal exit, not a crash to restart.
      restart: "transient",
      config: { sources: feed.sources, speed: feed.speed, ...(feed.limit ? { limit: feed.limit } : {}) },
    };
  }
  return {
    kind: "actor",
    id: "feed",
    module: ACTOR("data_feed/binance_feed.ts"),
    config: {
      symbols: feed.symbols,
      timeframe: feed.timeframe,
      target: PATHS.exchange,
      sandbox: feed.sandbox,
      // A restarted daemon's feed backfills from the last bar the adapter journaled.
      resumeFrom: { db: config.db, stream: `venue:${config.venue.name}` },
      ...(feed.apiUrl ? { apiUrl: feed.apiUrl } : {}),
      ...(feed.wsUrl ? { wsUrl: feed.wsUrl } : {}),
    },
  };
}

export function buildLiveTree(config: LiveConfig): SupervisorSpec {
  const lockstep = config.feed.type === "replay";
  const limits = config.risk;
  const barSubscribers: Record<string, string[]> = {};
  for (const s of config.strategies) {
    for (const symbol of s.symbols) (barSubscribers[symbol] ??= []).push(PATHS.strategy(s.id));
  }
  return {
    kind: "supervisor",
    id: ROOT,
    strategy: "one_for_one",
    intensity: { maxRestarts: 10, withinMs: 60_000 },
    backoff: { minMs: 50, maxMs: 2_000, factor: 2 },
    children: [
      {
        kind: "actor",
        id: "journal",
        module: ACTOR("journal/journal_actor.ts"),
        config: { db: config.db, ...config.alerts, tap: GATEWAY_TAP },
      },
      {
        kind: "actor",
        id: "portfolio",
        module: ACTOR("portfolio/portfolio.ts"),
        config: {
          capital: Object.fromEntries(config.strategies.map((s) => [s.id, s.capital])),
          recordEquity: false,
          // Always: loss limits may be set while running (SetLimits), and one message per bar costs nothing live.
          equitySubscribers: [PATHS.risk, GATEWAY_TAP],
        },
      },
      {
        kind: "actor",
        id: "risk",
        module: ACTOR("risk_guardian/risk_guardian.ts"),
        config: {
          limits,
          // Per-strategy limits (risk_guardian/limits.ts), only for the strategies that have some.
          strategyLimits: Object.fromEntries(config.strategies.flatMap((s) => (s.limits ? [[s.id, s.limits]] : []))),
          quarantinePolicy: config.quarantinePolicy,
          // What each strategy's maxLoss counts from.
          strategyCapital: Object.fromEntries(config.strategies.map((s) => [s.id, s.capital])),
          exchanges: { [config.venue.name]: PATHS.exchange },
          owners: Object.fromEntries(config.strategies.map((s) => [s.id, PATHS.strategy(s.id)])),
          barSubscribers,
          journalPath: PATHS.journal,
          // For /metrics: order latency on the guardian's (live) clock.
          measureLatency: true,
          // Binance spot has no bracket for a market entry: the guardian places and manages the exits itself.
          nativeBrackets: { [config.venue.name]: config.venue.type !== "binance" },
          ...(config.venue.instruments ? { instruments: { [config.venue.name]: config.venue.instruments } } : {}),
        },
      },
      {
        kind: "supervisor",
        id: "strategies",
        strategy: "one_for_one",
        // Per strategy: the sixth crash within a minute quarantines that strategy alone (the daemon tells the guardian).
        intensity: { maxRestarts: 5, withinMs: 60_000 },
        onExceeded: "quarantine",
        backoff: { minMs: 50, maxMs: 5_000, factor: 2 },
        children: config.strategies.map((s) => strategySpec(config, s)),
      },
      // A replay feed only answers requests, so it starts before the adapter that asks; a pushing feed after it.
      ...(lockstep
        ? [feedSpec(config), exchangeSpec(config, lockstep)]
        : [exchangeSpec(config, lockstep), feedSpec(config)]),
    ],
  };
}
