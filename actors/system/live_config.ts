/**
 * The live daemon's config file: schema, defaults and validation. Secrets come from the environment only.
 * Every error names the field (`strategies[0].strategy`, `risk.maxOrderNotional`), and validation runs before
 * anything starts, so a bad config never reaches a venue.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { resolveStrategy, StrategyNotFoundError } from "../../strategies/registry.ts";
import { isTimeframe, type Timeframe } from "../protocol/mod.ts";
import type { InstrumentRules, RiskLimits } from "../risk_guardian/checks.ts";
import { loadBars } from "../../backtest/data/mod.ts";
import { resolveStrategies } from "../../backtest/engine.ts";

export class LiveConfigError extends Error {
  override name = "LiveConfigError";
  constructor(readonly field: string, why: string) {
    super(`Invalid config at "${field}": ${why}`);
  }
}

export interface StrategyConfig {
  readonly id: string;
  /** Module URL, resolved from a built-in name or a path. */
  readonly module: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly capital: number;
}

/** Symbol → increments and minimums the risk guardian checks orders against (see risk_guardian/checks.ts). */
export type VenueInstruments = Readonly<Record<string, InstrumentRules>>;

export type VenueConfig =
  | {
    readonly type: "paper";
    readonly instruments?: VenueInstruments;
    readonly name: string;
    readonly initialCash: number;
    /** Commission as a fraction of notional. */
    readonly commission: number;
    readonly defaultStep: number;
    readonly allowShort: boolean;
  }
  | {
    readonly type: "binance";
    readonly name: string;
    readonly instruments?: VenueInstruments;
    readonly sandbox: boolean;
    /** Base URL replacing Binance's REST host (a fake, a mirror). */
    readonly apiUrl?: string;
    readonly apiKey: string;
    readonly secret: string;
    readonly pollMs: number;
    readonly timeoutMs: number;
    readonly quote: string;
  };

export type FeedConfig =
  | {
    readonly type: "replay";
    readonly sources: readonly { readonly file: string; readonly symbol: string; readonly timeframe: Timeframe }[];
    readonly speed: number | "max";
    readonly limit?: number;
  }
  | {
    readonly type: "binance";
    readonly symbols: readonly string[];
    readonly timeframe: Timeframe;
    /** Binance's spot testnet. */
    readonly sandbox: boolean;
    readonly apiUrl?: string;
    readonly wsUrl?: string;
  };

export interface LiveConfig {
  readonly mode: "paper" | "live";
  readonly dataDir: string;
  /** Journal database URL. */
  readonly db: string;
  readonly control: { readonly hostname: string; readonly port: number };
  readonly venue: VenueConfig;
  readonly feed: FeedConfig;
  readonly timeframe: Timeframe;
  readonly strategies: readonly StrategyConfig[];
  readonly risk: RiskLimits;
  readonly alerts: { readonly webhookUrl?: string };
  readonly statusEveryMs: number;
  /** Stop (exit 0) when a replay feed has sent its last bar. */
  readonly exitAtEnd: boolean;
}

export interface ResolveOptions {
  /** `--paper` (true), `--live` (false), or neither (undefined: paper unless the venue has keys). */
  readonly paper?: boolean;
  readonly exitAtEnd?: boolean;
  readonly env?: (name: string) => string | undefined;
  /** Directory relative paths in the file are resolved against (default: the config file's). */
  readonly baseDir?: string;
}

/** A built-in strategy name or a path (relative to the config file) → module URL, through the strategy registry. */
export function resolveStrategyModule(nameOrPath: string, baseDir: string, field: string): string {
  if (/^(https?|npm):/.test(nameOrPath)) return nameOrPath;
  try {
    return resolveStrategy(nameOrPath, baseDir).module;
  } catch (err) {
    if (err instanceof StrategyNotFoundError) throw new LiveConfigError(field, err.message);
    throw err;
  }
}

type Raw = Record<string, unknown>;

function obj(value: unknown, field: string, optional = false): Raw {
  if (value === undefined && optional) return {};
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new LiveConfigError(field, `must be an object, got ${JSON.stringify(value)}`);
  }
  return value as Raw;
}

function str(value: unknown, field: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.length === 0) {
    throw new LiveConfigError(field, `must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function num(value: unknown, field: string, fallback?: number, min = 0): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new LiveConfigError(field, `must be a number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new LiveConfigError(field, `must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

function known(raw: Raw, field: string, keys: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) {
      throw new LiveConfigError(field ? `${field}.${key}` : key, `unknown field (known: ${keys.join(", ")})`);
    }
  }
}

const RISK_LIMITS = [
  "maxPositionQty",
  "maxGrossExposure",
  "maxOrderNotional",
  "maxOpenOrders",
  "maxOrdersPerMinute",
  "priceBand",
  "dailyLossLimit",
  "maxDrawdown",
  "minNotional",
] as const;

const INSTRUMENT_RULES = ["tickSize", "stepSize", "minQty", "minNotional", "multiplier"] as const;

function parseInstruments(raw: unknown): VenueInstruments {
  const out: Record<string, InstrumentRules> = {};
  for (const [symbol, value] of Object.entries(obj(raw, "venue.instruments"))) {
    const field = `venue.instruments.${symbol}`;
    const r = obj(value, field);
    known(r, field, INSTRUMENT_RULES);
    const rules: Record<string, number> = {};
    for (const key of INSTRUMENT_RULES) if (r[key] !== undefined) rules[key] = num(r[key], `${field}.${key}`);
    out[symbol] = rules;
  }
  return out;
}

function parseRisk(raw: unknown): RiskLimits {
  const r = obj(raw, "risk", true);
  known(r, "risk", RISK_LIMITS);
  const out: Record<string, number> = {};
  for (const key of RISK_LIMITS) if (r[key] !== undefined) out[key] = num(r[key], `risk.${key}`);
  return out as RiskLimits;
}

async function parseFeed(raw: unknown, baseDir: string): Promise<FeedConfig> {
  const f = obj(raw, "feed");
  const type = str(f.type, "feed.type");
  if (type === "replay") {
    known(f, "feed", ["type", "sources", "speed", "limit"]);
    if (!Array.isArray(f.sources) || f.sources.length === 0) {
      throw new LiveConfigError("feed.sources", "needs at least one { file }");
    }
    const sources = [];
    for (const [i, s] of (f.sources as unknown[]).entries()) {
      const field = `feed.sources[${i}]`;
      const source = obj(s, field);
      known(source, field, ["file", "symbol", "timeframe"]);
      const given = str(source.file, `${field}.file`);
      const file = isAbsolute(given) ? given : resolve(baseDir, given);
      if (source.timeframe !== undefined && !(typeof source.timeframe === "string" && isTimeframe(source.timeframe))) {
        throw new LiveConfigError(`${field}.timeframe`, `unknown timeframe ${JSON.stringify(source.timeframe)}`);
      }
      let loaded;
      try {
        loaded = await loadBars(file, {
          ...(source.symbol !== undefined ? { symbol: str(source.symbol, `${field}.symbol`) } : {}),
          ...(source.timeframe !== undefined ? { timeframe: source.timeframe as Timeframe } : {}),
        });
      } catch (err) {
        throw new LiveConfigError(`${field}.file`, `cannot load ${file}: ${(err as Error).message}`);
      }
      sources.push({ file, symbol: loaded.series.symbol, timeframe: loaded.series.timeframe });
    }
    const speed = f.speed ?? "max";
    if (speed !== "max" && !(typeof speed === "number" && speed > 0)) {
      throw new LiveConfigError("feed.speed", `must be a positive number or "max", got ${JSON.stringify(speed)}`);
    }
    return {
      type,
      sources,
      speed: speed as number | "max",
      ...(f.limit !== undefined ? { limit: num(f.limit, "feed.limit", undefined, 1) } : {}),
    };
  }
  if (type === "binance") {
    known(f, "feed", ["type", "symbols", "timeframe", "sandbox", "apiUrl", "wsUrl"]);
    if (!Array.isArray(f.symbols) || f.symbols.length === 0) {
      throw new LiveConfigError("feed.symbols", 'needs at least one symbol, e.g. "BTC/USDT"');
    }
    const symbols = (f.symbols as unknown[]).map((s, i) => str(s, `feed.symbols[${i}]`));
    const timeframe = str(f.timeframe, "feed.timeframe", "1m");
    if (!isTimeframe(timeframe)) throw new LiveConfigError("feed.timeframe", `unknown timeframe "${timeframe}"`);
    return {
      type,
      symbols,
      timeframe,
      sandbox: bool(f.sandbox, "feed.sandbox", false),
      ...(f.apiUrl !== undefined ? { apiUrl: str(f.apiUrl, "feed.apiUrl") } : {}),
      ...(f.wsUrl !== undefined ? { wsUrl: str(f.wsUrl, "feed.wsUrl") } : {}),
    };
  }
  throw new LiveConfigError("feed.type", `must be "replay" or "binance", got ${JSON.stringify(type)}`);
}

function parseVenue(raw: unknown, paper: boolean, env: (name: string) => string | undefined): VenueConfig {
  const v = obj(raw, "venue", true);
  const type = str(v.type, "venue.type", "paper");
  if (type !== "paper" && type !== "binance") {
    throw new LiveConfigError("venue.type", `must be "paper" or "binance", got ${JSON.stringify(type)}`);
  }
  known(v, "venue", [
    "type",
    "name",
    "initialCash",
    "commission",
    "defaultStep",
    "allowShort",
    "sandbox",
    "apiUrl",
    "apiKeyEnv",
    "secretEnv",
    "pollMs",
    "timeoutMs",
    "quote",
    "instruments",
  ]);
  const name = str(v.name, "venue.name", type);
  const instruments = v.instruments === undefined ? {} : { instruments: parseInstruments(v.instruments) };
  if (paper || type === "paper") {
    return {
      type: "paper",
      name,
      ...instruments,
      initialCash: num(v.initialCash, "venue.initialCash", 10_000, Number.MIN_VALUE),
      commission: num(v.commission, "venue.commission", 0),
      defaultStep: num(v.defaultStep, "venue.defaultStep", type === "binance" ? 0.00001 : 1, Number.MIN_VALUE),
      allowShort: bool(v.allowShort, "venue.allowShort", type === "paper"),
    };
  }
  const keyEnv = str(v.apiKeyEnv, "venue.apiKeyEnv", "BINANCE_API_KEY");
  const secretEnv = str(v.secretEnv, "venue.secretEnv", "BINANCE_API_SECRET");
  const apiKey = env(keyEnv);
  const secret = env(secretEnv);
  if (!apiKey) throw new LiveConfigError("venue.apiKey", `live mode needs the API key in env ${keyEnv}`);
  if (!secret) throw new LiveConfigError("venue.secret", `live mode needs the API secret in env ${secretEnv}`);
  return {
    type: "binance",
    name,
    ...instruments,
    sandbox: bool(v.sandbox, "venue.sandbox", false),
    ...(v.apiUrl !== undefined ? { apiUrl: str(v.apiUrl, "venue.apiUrl") } : {}),
    apiKey,
    secret,
    pollMs: num(v.pollMs, "venue.pollMs", 1_000, 10),
    timeoutMs: num(v.timeoutMs, "venue.timeoutMs", 10_000, 1),
    quote: str(v.quote, "venue.quote", "USDT"),
  };
}

/** Validates a parsed config file and resolves defaults, files and strategies. Throws LiveConfigError. */
export async function resolveLiveConfig(raw: unknown, options: ResolveOptions = {}): Promise<LiveConfig> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const baseDir = options.baseDir ?? Deno.cwd();
  const c = obj(raw, "");
  known(c, "", [
    "mode",
    "dataDir",
    "db",
    "control",
    "venue",
    "feed",
    "strategies",
    "risk",
    "alerts",
    "statusEveryMs",
    "exitAtEnd",
  ]);
  const mode = c.mode === undefined ? undefined : str(c.mode, "mode");
  if (mode !== undefined && mode !== "paper" && mode !== "live") {
    throw new LiveConfigError("mode", `must be "paper" or "live", got ${JSON.stringify(mode)}`);
  }
  const venueRaw = obj(c.venue, "venue", true);
  const keyEnv = typeof venueRaw.apiKeyEnv === "string" ? venueRaw.apiKeyEnv : "BINANCE_API_KEY";
  // Paper is the default when no keys are configured; --live or mode "live" insists on them.
  const paper = options.paper ?? (mode === undefined ? !env(keyEnv) : mode === "paper");
  const venue = parseVenue(c.venue, paper, env);
  const feed = await parseFeed(c.feed, baseDir);
  const feedSymbols = feed.type === "replay" ? feed.sources.map((s) => s.symbol) : feed.symbols;
  const timeframe = feed.type === "replay" ? feed.sources[0].timeframe : feed.timeframe;
  if (feed.type === "replay" && feed.sources.some((s) => s.timeframe !== timeframe)) {
    throw new LiveConfigError("feed.sources", "every source needs the same timeframe");
  }
  if (!Array.isArray(c.strategies) || c.strategies.length === 0) {
    throw new LiveConfigError("strategies", "needs at least one strategy");
  }
  const ids = new Set<string>();
  const strategies: StrategyConfig[] = [];
  for (const [i, s] of (c.strategies as unknown[]).entries()) {
    const field = `strategies[${i}]`;
    const r = obj(s, field);
    known(r, field, ["id", "strategy", "params", "symbols", "capital"]);
    const id = str(r.id, `${field}.id`);
    if (!/^[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*$/.test(id) || id.length > 20) {
      throw new LiveConfigError(
        `${field}.id`,
        `"${id}" must be ≤ 20 letters, digits, _ . or - (a client order id prefix)`,
      );
    }
    if (ids.has(id)) throw new LiveConfigError(`${field}.id`, `duplicate strategy id "${id}"`);
    ids.add(id);
    const module = resolveStrategyModule(str(r.strategy, `${field}.strategy`), baseDir, `${field}.strategy`);
    const params = obj(r.params, `${field}.params`, true);
    const symbols = r.symbols === undefined
      ? feedSymbols
      : Array.isArray(r.symbols)
      ? r.symbols.map((x, j) => str(x, `${field}.symbols[${j}]`))
      : (() => {
        throw new LiveConfigError(`${field}.symbols`, "must be a list of symbols");
      })();
    for (const [j, symbol] of symbols.entries()) {
      if (!feedSymbols.includes(symbol)) {
        throw new LiveConfigError(
          `${field}.symbols[${j}]`,
          `no feed for ${symbol} (feed has ${feedSymbols.join(", ")})`,
        );
      }
    }
    const capital = num(
      r.capital,
      `${field}.capital`,
      venue.type === "paper" ? venue.initialCash / (c.strategies as unknown[]).length : undefined,
      Number.MIN_VALUE,
    );
    try {
      await resolveStrategies([{ id, module, params }]);
    } catch (err) {
      throw new LiveConfigError(`${field}.params`, (err as Error).message);
    }
    strategies.push({ id, module, params, symbols, capital });
  }
  const dataDir = resolve(baseDir, str(c.dataDir, "dataDir", "./data/live"));
  const control = obj(c.control, "control", true);
  known(control, "control", ["hostname", "port"]);
  const alerts = obj(c.alerts, "alerts", true);
  known(alerts, "alerts", ["webhookUrl"]);
  if (alerts.webhookUrl !== undefined) {
    try {
      new URL(str(alerts.webhookUrl, "alerts.webhookUrl"));
    } catch {
      throw new LiveConfigError("alerts.webhookUrl", `not a URL: ${JSON.stringify(alerts.webhookUrl)}`);
    }
  }
  return {
    mode: venue.type === "paper" ? "paper" : "live",
    dataDir,
    db: c.db === undefined ? `sqlite:${resolve(dataDir, "journal.sqlite")}` : str(c.db, "db"),
    control: {
      hostname: str(control.hostname, "control.hostname", "127.0.0.1"),
      port: num(control.port, "control.port", 0),
    },
    venue,
    feed,
    timeframe,
    strategies,
    risk: parseRisk(c.risk),
    alerts: alerts.webhookUrl === undefined ? {} : { webhookUrl: alerts.webhookUrl as string },
    statusEveryMs: num(c.statusEveryMs, "statusEveryMs", 5_000),
    exitAtEnd: options.exitAtEnd ?? bool(c.exitAtEnd, "exitAtEnd", false),
  };
}

/** Reads and validates a config file; relative paths in it are relative to the file. */
export async function loadLiveConfig(path: string, options: ResolveOptions = {}): Promise<LiveConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new LiveConfigError("--config", `cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LiveConfigError("--config", `${path} is not valid JSON: ${(err as Error).message}`);
  }
  return await resolveLiveConfig(raw, { baseDir: dirname(resolve(path)), ...options });
}
