/**
 * The live supervision tree as data (mirrors backtest/engine.ts; only the edges differ): journal, portfolio, risk
 * guardian, strategies, and per venue its adapter and its data feed, each in its own Worker.
 *
 * Several venues: the default venue (the first) keeps the paths of the single-venue tree (`live/exchange`,
 * `live/feed`); each other venue NAME gets `live/exchange-NAME` and `live/feed-NAME`, its feed replaying (or
 * streaming) only the symbols of its strategies. Orders reach a venue through the risk guardian's `exchanges`.
 *
 * Start order matters: strategies start before the adapter, because the adapter replays the journal to them as
 * soon as it has reconciled. The root is one_for_one: a strategy crash restarts that strategy from its snapshot,
 * an adapter crash restarts the adapter, which reconciles before it accepts a command.
 */
import type { ActorSpec, SupervisorSpec } from "../runtime/spec.ts";
import { resolve } from "node:path";
import type { LiveConfig, StrategyConfig, VenueConfig } from "./live_config.ts";
import { venueOf } from "./config_strategies.ts";
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

/** A venue's adapter and feed: the default venue at the single-venue paths, the others suffixed with their name. */
export function venuePaths(config: LiveConfig, venue: string): { exchange: string; feed: string } {
  if (venue === config.venue.name) return { exchange: PATHS.exchange, feed: PATHS.feed };
  return { exchange: `${PATHS.exchange}-${venue}`, feed: `${PATHS.feed}-${venue}` };
}

const idOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** The strategies trading at one venue. */
const strategiesAt = (config: LiveConfig, venue: string) =>
  config.strategies.filter((s) => venueOf(s, config.venues).name === venue);

/** One strategy's supervisor, as the tree starts it (also when it is added while running). */
export function strategySpec(config: LiveConfig, s: StrategyConfig): ActorSpec {
  const venue = venueOf(s, config.venues ?? { [config.venue.name]: config.venue });
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
      venue: venue.name,
      riskPath: PATHS.risk,
      capital: s.capital,
      defaultStep: venue.type === "paper" ? venue.defaultStep : 0.00001,
      // Also without lockstep: the guardian learns the last bar each strategy handled (where a restarted daemon
      // stops feeding a quarantined one), and its pending acknowledgements complete instead of piling up.
      ackBars: true,
      // Ticks the guardian routes are acknowledged: a strategy behind gets only the newest per symbol.
      ackTicks: true,
    },
  };
}

/** A paper venue's own storage (its book), apart from the daemon's journal; one file per paper venue. */
export const paperVenuePath = (config: LiveConfig, venue = config.venue.name) =>
  resolve(config.dataDir, venue === config.venue.name ? "paper_venue.sqlite" : `paper_venue-${venue}.sqlite`);

function exchangeSpec(config: LiveConfig, venue: VenueConfig, feed: string | undefined): ActorSpec {
  const path = venuePaths(config, venue.name).exchange;
  const strategies = strategiesAt(config, venue.name);
  const common = {
    venue: venue.name,
    db: config.db,
    downstream: PATHS.risk,
    fillSubscribers: [PATHS.portfolio],
    barSubscribers: [PATHS.portfolio],
    ...(feed !== undefined ? { feed } : {}),
    tap: GATEWAY_TAP,
  };
  if (venue.type === "paper") {
    return {
      kind: "actor",
      id: idOf(path),
      module: ACTOR("exchange/paper/adapter.ts"),
      config: {
        ...common,
        client: {
          path: paperVenuePath(config, venue.name),
          sim: {
            initialCash: venue.initialCash,
            currency: venue.currency,
            // Each strategy's equity-fraction orders are sized from its own capital, as in backtests (also a lone
            // strategy: one added while running must not size from its money).
            strategyCapital: Object.fromEntries(strategies.map((s) => [s.id, s.capital])),
            defaultStep: venue.defaultStep,
            allowShort: venue.allowShort,
            // Multiplier, margin and commission per contract of the symbols that have them (futures).
            ...(venue.instruments ? { contracts: venue.instruments } : {}),
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
  if (venue.type === "ib") {
    return {
      kind: "actor",
      id: idOf(path),
      module: ACTOR("exchange/ib/adapter.ts"),
      // A fresh adapter connects to TWS and syncs before it answers; mailbox messages wait meanwhile.
      shutdownMs: 10_000,
      config: {
        ...common,
        pollMs: venue.pollMs,
        client: {
          host: venue.host,
          port: venue.port,
          clientId: venue.clientId,
          ...(venue.account ? { account: venue.account } : {}),
          symbols: venue.contracts,
          timeoutMs: venue.timeoutMs,
        },
      },
    };
  }
  return {
    kind: "actor",
    id: idOf(path),
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
        symbols: strategies.flatMap((s) => s.symbols),
        ...(venue.apiUrl ? { apiUrl: venue.apiUrl } : {}),
      },
    },
  };
}

/** A symbol the IB feed's config does not describe: "BASE/QUOTE" is forex, anything else a SMART stock in USD. */
const defaultContract = (symbol: string) => ({ secType: symbol.includes("/") ? "CASH" : "STK" });

/**
 * The symbols a venue's feed carries: every feed symbol for the default venue (strategies added while running trade
 * there, on any of them), only its strategies' symbols for the others (none: that venue has no feed).
 */
export function feedSymbolsOf(config: LiveConfig, venue: string): readonly string[] {
  const feed = config.feed;
  const all = feed.type === "replay" ? feed.sources.map((s) => s.symbol) : feed.symbols;
  if (venue === config.venue.name) return all;
  const wanted = new Set(strategiesAt(config, venue).flatMap((s) => s.symbols));
  return all.filter((symbol) => wanted.has(symbol));
}

function feedSpec(config: LiveConfig, venue: string): ActorSpec {
  const feed = config.feed;
  const paths = venuePaths(config, venue);
  const symbols = new Set(feedSymbolsOf(config, venue));
  if (feed.type === "replay") {
    const sources = venue === config.venue.name ? feed.sources : feed.sources.filter((s) => symbols.has(s.symbol));
    return {
      kind: "actor",
      id: idOf(paths.feed),
      module: ACTOR("data_feed/replay_feed.ts"),
      // transient: the end of the replay is a normal exit, not a crash to restart.
      restart: "transient",
      config: { sources, speed: feed.speed, ...(feed.limit ? { limit: feed.limit } : {}) },
    };
  }
  if (feed.type === "ib") {
    const mine = venue === config.venue.name ? feed.symbols : feed.symbols.filter((s) => symbols.has(s));
    return {
      kind: "actor",
      id: idOf(paths.feed),
      module: ACTOR("data_feed/ib_feed.ts"),
      config: {
        symbols: Object.fromEntries(mine.map((s) => [s, feed.contracts[s] ?? defaultContract(s)])),
        timeframe: feed.timeframe,
        target: paths.exchange,
        host: feed.host,
        port: feed.port,
        clientId: feed.clientId,
        ticks: feed.ticks,
        // A restarted daemon's feed backfills from the last bar the adapter journaled.
        resumeFrom: { db: config.db, stream: `venue:${venue}` },
      },
    };
  }
  return {
    kind: "actor",
    id: idOf(paths.feed),
    module: ACTOR("data_feed/binance_feed.ts"),
    config: {
      symbols: venue === config.venue.name ? feed.symbols : feed.symbols.filter((s) => symbols.has(s)),
      timeframe: feed.timeframe,
      target: paths.exchange,
      sandbox: feed.sandbox,
      // A restarted daemon's feed backfills from the last bar the adapter journaled.
      resumeFrom: { db: config.db, stream: `venue:${venue}` },
      ...(feed.apiUrl ? { apiUrl: feed.apiUrl } : {}),
      ...(feed.wsUrl ? { wsUrl: feed.wsUrl } : {}),
    },
  };
}

/** Per venue: its feed (when it has symbols) and its adapter, in start order. */
function venueChildren(config: LiveConfig): ActorSpec[] {
  const lockstep = config.feed.type === "replay";
  return Object.values(config.venues).flatMap((venue) => {
    const hasFeed = feedSymbolsOf(config, venue.name).length > 0 || venue.name === config.venue.name;
    const feed = hasFeed ? feedSpec(config, venue.name) : undefined;
    const adapter = exchangeSpec(config, venue, lockstep && feed ? venuePaths(config, venue.name).feed : undefined);
    // A replay feed only answers requests, so it starts before the adapter that asks; a pushing feed after it.
    if (!feed) return [adapter];
    return lockstep ? [feed, adapter] : [adapter, feed];
  });
}

/** The portfolio's view of the venues (several only): each one's currency and strategies, and the base currency. */
function portfolioVenues(config: LiveConfig) {
  const venues = Object.values(config.venues);
  if (venues.length < 2) return {};
  return {
    venues: {
      currencies: Object.fromEntries(venues.map((v) => [v.name, v.currency])),
      strategyVenues: Object.fromEntries(config.strategies.map((s) => [s.id, venueOf(s, config.venues).name])),
      defaultVenue: config.venue.name,
      fx: config.fx,
    },
  };
}

/** The guardian's view of the venues: where each one's adapter is, its rules, and (several) its strategies. */
function guardianVenues(config: LiveConfig) {
  const venues = Object.values(config.venues);
  const instruments = venues.filter((v) => v.instruments).map((v) => [v.name, v.instruments]);
  const limits = venues.filter((v) => v.limits).map((v) => [v.name, v.limits]);
  return {
    exchanges: Object.fromEntries(venues.map((v) => [v.name, venuePaths(config, v.name).exchange])),
    // Binance spot has no bracket for a market entry: the guardian places and manages the exits itself.
    nativeBrackets: Object.fromEntries(venues.map((v) => [v.name, v.type !== "binance"])),
    ...(instruments.length > 0 ? { instruments: Object.fromEntries(instruments) } : {}),
    ...(limits.length > 0 ? { venueLimits: Object.fromEntries(limits) } : {}),
    ...(venues.length > 1
      ? { strategyVenues: Object.fromEntries(config.strategies.map((s) => [s.id, venueOf(s, config.venues).name])) }
      : {}),
  };
}

export function buildLiveTree(config: LiveConfig): SupervisorSpec {
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
          ...portfolioVenues(config),
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
          owners: Object.fromEntries(config.strategies.map((s) => [s.id, PATHS.strategy(s.id)])),
          barSubscribers,
          journalPath: PATHS.journal,
          ...guardianVenues(config),
          // For /metrics: order latency on the guardian's (live) clock.
          measureLatency: true,
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
      ...venueChildren(config),
    ],
  };
}
