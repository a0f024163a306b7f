/**
 * The live daemon's config file: schema, defaults and validation. Secrets come from the environment only.
 * Every field is checked and every problem is reported at once, each with its JSON path (`control.port`,
 * `strategies[0].limits.maxLoss`), before anything starts, so a bad config never reaches a venue.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { resolveStrategy, StrategyNotFoundError } from "../../strategies/registry.ts";
import { isTimeframe, type Timeframe, TIMEFRAMES } from "../protocol/mod.ts";
import type { InstrumentRules, RiskLimits } from "../risk_guardian/checks.ts";
import {
  DEFAULT_QUARANTINE_POLICY,
  limitProblems,
  QUARANTINE_POLICIES,
  type QuarantinePolicy,
  RISK_LIMIT_RULES,
  STRATEGY_LIMIT_RULES,
  type StrategyLimits,
} from "../risk_guardian/limits.ts";
import { loadBars } from "../../backtest/data/mod.ts";
import { resolveStrategies } from "../../backtest/engine.ts";
import { parseStorageUrl } from "../../storage/url.ts";
import { show } from "../runtime/validate.ts";
import { assertNever } from "../runtime/errors.ts";
import {
  at,
  bool,
  hostname,
  known,
  list,
  num,
  obj,
  oneOf,
  type Problem,
  type Problems,
  type Raw,
  str,
  url,
} from "./config_fields.ts";

export type { Problem, QuarantinePolicy, StrategyLimits };

/** Every problem found in a config file, each with its JSON path; `field` is the first one's. */
export class LiveConfigError extends Error {
  override name = "LiveConfigError";
  readonly field: string;
  constructor(readonly problems: readonly Problem[], source?: string) {
    const where = source ? ` in ${source}` : "";
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map((p) => `  ${p.field || "(the file)"}: ${p.why}`);
    super(`Invalid config${where} (${count}):\n${lines.join("\n")}`);
    this.field = problems[0]?.field ?? "";
  }
}

export interface StrategyConfig {
  readonly id: string;
  /** Module URL, resolved from a built-in name or a path. */
  readonly module: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly capital: number;
  /** This strategy's own limits (limits.ts), beside the account's; absent when the file gives none. */
  readonly limits?: StrategyLimits;
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
    /** Slippage against the trader on every fill, in basis points of the price. */
    readonly slippageBps: number;
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
  /** Journal database URL: `sqlite:ABSOLUTE_PATH` or `postgres://…` (storage/url.ts). */
  readonly db: string;
  readonly control: { readonly hostname: string; readonly port: number };
  readonly venue: VenueConfig;
  readonly feed: FeedConfig;
  readonly timeframe: Timeframe;
  readonly strategies: readonly StrategyConfig[];
  /** The account's limits. */
  readonly risk: RiskLimits;
  /** `risk.quarantinePolicy` in the file: what happens to a stopped or quarantined strategy's position. */
  readonly quarantinePolicy: QuarantinePolicy;
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
    if (err instanceof StrategyNotFoundError) throw new LiveConfigError([{ field, why: err.message }]);
    throw err;
  }
}

const TOP_KEYS = [
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
] as const;
const RISK_KEYS = Object.keys(RISK_LIMIT_RULES) as (keyof RiskLimits)[];
const INSTRUMENT_RULES = ["tickSize", "stepSize", "minQty", "minNotional", "multiplier"] as const;
const VENUE_COMMON = ["type", "name", "instruments"];
/** What the simulated account is made of: a paper venue, or a binance venue run with --paper. */
const VENUE_SIM = ["initialCash", "commission", "slippageBps", "defaultStep", "allowShort"];
const VENUE_BINANCE = ["sandbox", "apiUrl", "apiKeyEnv", "secretEnv", "pollMs", "timeoutMs", "quote"];
const HTTP = ["http:", "https:"];
const TIMEFRAME_LIST = TIMEFRAMES.join(", ");

function timeframe(p: Problems, value: unknown, field: string, fallback?: Timeframe): Timeframe | undefined {
  if (value === undefined) return fallback;
  if (typeof value === "string" && isTimeframe(value)) return value;
  p.push({ field, why: `unknown timeframe ${show(value)} (known: ${TIMEFRAME_LIST})` });
  return undefined;
}

function parseInstruments(p: Problems, raw: unknown): VenueInstruments {
  const out: Record<string, InstrumentRules> = {};
  for (const [symbol, value] of Object.entries(obj(p, raw, "venue.instruments"))) {
    const field = `venue.instruments.${symbol}`;
    const r = obj(p, value, field);
    known(p, r, field, INSTRUMENT_RULES);
    const rules: Record<string, number> = {};
    for (const key of INSTRUMENT_RULES) {
      // A multiplier of 0 would make every notional 0; the other rules are off at 0.
      const rule = key === "multiplier" ? { above: 0 } : { min: 0, hint: "0 = not checked" };
      if (r[key] !== undefined) rules[key] = num(p, r[key], `${field}.${key}`, rule);
    }
    out[symbol] = rules;
  }
  return out;
}

function parseRisk(p: Problems, raw: unknown): { limits: RiskLimits; quarantinePolicy: QuarantinePolicy } {
  const r = obj(p, raw, "risk", true);
  known(p, r, "risk", [...RISK_KEYS, "quarantinePolicy"]);
  const limits: Record<string, number> = {};
  for (const key of RISK_KEYS) {
    if (r[key] !== undefined) limits[key] = num(p, r[key], `risk.${key}`, RISK_LIMIT_RULES[key]);
  }
  const policy = oneOf(p, r.quarantinePolicy, "risk.quarantinePolicy", QUARANTINE_POLICIES, DEFAULT_QUARANTINE_POLICY);
  return { limits, quarantinePolicy: policy ?? DEFAULT_QUARANTINE_POLICY };
}

function parseStrategyLimits(p: Problems, raw: unknown, field: string): StrategyLimits | undefined {
  if (raw === undefined) return undefined;
  const r = obj(p, raw, field);
  for (const { key, why } of limitProblems(r, STRATEGY_LIMIT_RULES)) p.push({ field: at(field, key), why });
  return Object.keys(r).length > 0 ? r as StrategyLimits : undefined;
}

/** The feed, or undefined when its type is unusable (then nothing that depends on the feed is checked). */
async function parseFeed(p: Problems, raw: unknown, baseDir: string): Promise<FeedConfig | undefined> {
  const f = obj(p, raw, "feed");
  if (raw === undefined || f !== raw) return undefined;
  const type = oneOf(p, f.type, "feed.type", ["replay", "binance"] as const);
  if (type === undefined) {
    if (f.type === undefined) p.push({ field: "feed.type", why: 'required: "replay" or "binance"' });
    return undefined;
  }
  if (type === "replay") {
    known(p, f, "feed", ["type", "sources", "speed", "limit"]);
    const sources: { file: string; symbol: string; timeframe: Timeframe }[] = [];
    for (const [i, s] of list(p, f.sources, "feed.sources", "{ file }").entries()) {
      const field = `feed.sources[${i}]`;
      const source = obj(p, s, field);
      known(p, source, field, ["file", "symbol", "timeframe"]);
      const given = str(p, source.file, `${field}.file`);
      const symbol = source.symbol === undefined ? undefined : str(p, source.symbol, `${field}.symbol`);
      const tf = timeframe(p, source.timeframe, `${field}.timeframe`);
      if (given === "" || symbol === "" || (source.timeframe !== undefined && tf === undefined)) continue;
      const file = isAbsolute(given) ? given : resolve(baseDir, given);
      try {
        const loaded = await loadBars(file, { ...(symbol ? { symbol } : {}), ...(tf ? { timeframe: tf } : {}) });
        sources.push({ file, symbol: loaded.series.symbol, timeframe: loaded.series.timeframe });
      } catch (err) {
        p.push({ field: `${field}.file`, why: `cannot load ${file}: ${(err as Error).message}` });
      }
    }
    const speed = f.speed ?? "max";
    if (speed !== "max" && !(typeof speed === "number" && Number.isFinite(speed) && speed > 0)) {
      p.push({ field: "feed.speed", why: `must be a number > 0 (× real time) or "max", got ${show(speed)}` });
    }
    if (sources.length > 1 && sources.some((s) => s.timeframe !== sources[0].timeframe)) {
      const found = sources.map((s) => `${s.symbol} ${s.timeframe}`).join(", ");
      p.push({ field: "feed.sources", why: `every source needs the same timeframe (found ${found})` });
    }
    return {
      type,
      sources,
      speed: speed as number | "max",
      ...(f.limit !== undefined ? { limit: num(p, f.limit, "feed.limit", { min: 1, integer: true }) } : {}),
    };
  }
  known(p, f, "feed", ["type", "symbols", "timeframe", "sandbox", "apiUrl", "wsUrl"]);
  const symbols = list(p, f.symbols, "feed.symbols", 'symbol, e.g. "BTC/USDT"')
    .map((s, i) => str(p, s, `feed.symbols[${i}]`));
  return {
    type,
    symbols,
    timeframe: timeframe(p, f.timeframe, "feed.timeframe", "1m") ?? "1m",
    sandbox: bool(p, f.sandbox, "feed.sandbox", false),
    ...(f.apiUrl !== undefined ? { apiUrl: url(p, f.apiUrl, "feed.apiUrl", HTTP) } : {}),
    ...(f.wsUrl !== undefined ? { wsUrl: url(p, f.wsUrl, "feed.wsUrl", ["ws:", "wss:"]) } : {}),
  };
}

function parseVenue(p: Problems, raw: unknown, paper: boolean, env: (name: string) => string | undefined): VenueConfig {
  const v = obj(p, raw, "venue", true);
  const type = oneOf(p, v.type, "venue.type", ["paper", "binance"] as const, "paper") ?? "paper";
  if (type === "paper") {
    for (const key of Object.keys(v)) {
      if (VENUE_BINANCE.includes(key)) p.push({ field: `venue.${key}`, why: 'only used by venue type "binance"' });
    }
  }
  known(p, v, "venue", [...VENUE_COMMON, ...VENUE_SIM, ...VENUE_BINANCE]);
  const name = str(p, v.name, "venue.name", type);
  const instruments = v.instruments === undefined ? {} : { instruments: parseInstruments(p, v.instruments) };
  // The simulated account's fields are checked even when a live venue ignores them: a wrong value is a mistake.
  const sim = {
    initialCash: num(p, v.initialCash, "venue.initialCash", { above: 0, hint: "quote currency" }, 10_000),
    commission: num(p, v.commission, "venue.commission", {
      min: 0,
      below: 0.1,
      hint: "a fraction of notional: 0.001 is 0.1 %; 10 % or more is a unit mistake",
    }, 0),
    slippageBps: num(p, v.slippageBps, "venue.slippageBps", {
      min: 0,
      below: 1_000,
      hint: "basis points of the price: 5 is 0.05 %; 10 % or more is a unit mistake",
    }, 0),
    defaultStep: num(p, v.defaultStep, "venue.defaultStep", { above: 0 }, type === "binance" ? 0.00001 : 1),
    allowShort: bool(p, v.allowShort, "venue.allowShort", type === "paper"),
  };
  const envName = { hint: "an environment variable's name" };
  const keyEnv = envVar(p, v.apiKeyEnv, "venue.apiKeyEnv", "BINANCE_API_KEY", envName.hint);
  const secretEnv = envVar(p, v.secretEnv, "venue.secretEnv", "BINANCE_API_SECRET", envName.hint);
  const binance = {
    sandbox: bool(p, v.sandbox, "venue.sandbox", false),
    ...(v.apiUrl !== undefined ? { apiUrl: url(p, v.apiUrl, "venue.apiUrl", HTTP) } : {}),
    pollMs: num(p, v.pollMs, "venue.pollMs", { min: 10, hint: "milliseconds" }, 1_000),
    timeoutMs: num(p, v.timeoutMs, "venue.timeoutMs", { min: 1, hint: "milliseconds" }, 10_000),
    quote: str(p, v.quote, "venue.quote", "USDT"),
  };
  if (paper || type === "paper") return { type: "paper", name, ...instruments, ...sim };
  const apiKey = env(keyEnv);
  const secret = env(secretEnv);
  if (!apiKey) p.push({ field: "venue.apiKey", why: `live mode needs the API key in env ${keyEnv}` });
  if (!secret) p.push({ field: "venue.secret", why: `live mode needs the API secret in env ${secretEnv}` });
  return { type: "binance", name, ...instruments, ...binance, apiKey: apiKey ?? "", secret: secret ?? "" };
}

function envVar(p: Problems, value: unknown, field: string, fallback: string, hint: string): string {
  const name = str(p, value, field, fallback);
  if (name !== "" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    p.push({ field, why: `must be ${hint} (letters, digits, _), got ${show(name)}` });
  }
  return name;
}

const JOURNAL_SCHEMES = "sqlite:PATH (or a plain file path; the default) or postgres://… (postgresql://…)";

/** `db` through the storage URL parser; a SQLite path is made absolute (relative to the file, like every path). */
function parseDb(p: Problems, value: unknown, baseDir: string, dataDir: string): string {
  if (value === undefined) return `sqlite:${resolve(dataDir, "journal.sqlite")}`;
  const text = str(p, value, "db");
  if (text === "") return text;
  const parsed = parseStorageUrl(text);
  switch (parsed.kind) {
    case "sqlite":
      return `sqlite:${resolve(baseDir, parsed.path || resolve(dataDir, "journal.sqlite"))}`;
    case "postgres":
      return parsed.url;
    case "redis":
      p.push({
        field: "db",
        why: `the Redis Streams journal is not wired into the daemon yet: use ${JOURNAL_SCHEMES}`,
      });
      return "";
    case "invalid":
      p.push({ field: "db", why: `${parsed.why}: use ${JOURNAL_SCHEMES}` });
      return "";
    default:
      return assertNever(parsed, "storage URL");
  }
}

const ID = /^[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*$/;

/** The strategies, their symbols against the feed's, and their capital against the paper account's cash. */
async function parseStrategies(
  p: Problems,
  raw: unknown,
  venue: VenueConfig,
  feedSymbols: readonly string[] | undefined,
  baseDir: string,
): Promise<StrategyConfig[]> {
  const entries = list(p, raw, "strategies", "strategy");
  const ids = new Set<string>();
  const strategies: StrategyConfig[] = [];
  const given = entries.map((s, i) => {
    const capital = s && typeof s === "object" ? (s as Raw).capital : undefined;
    return capital === undefined ? undefined : num(p, capital, `strategies[${i}].capital`, { above: 0 });
  });
  const defaultCapital = capitalDefault(p, given, venue);
  for (const [i, s] of entries.entries()) {
    const field = `strategies[${i}]`;
    const r = obj(p, s, field);
    known(p, r, field, ["id", "strategy", "params", "symbols", "capital", "limits"]);
    const id = str(p, r.id, `${field}.id`);
    if (id !== "" && (!ID.test(id) || id.length > 20)) {
      p.push({
        field: `${field}.id`,
        why: `"${id}" must be ≤ 20 letters, digits, _ . or - (a client order id prefix)`,
      });
    } else if (ids.has(id)) {
      p.push({ field: `${field}.id`, why: `duplicate strategy id "${id}"` });
    }
    ids.add(id);
    const params = obj(p, r.params, `${field}.params`, true);
    const symbols = r.symbols === undefined
      ? feedSymbols ?? []
      : Array.isArray(r.symbols)
      ? r.symbols.map((x, j) => str(p, x, `${field}.symbols[${j}]`))
      : (p.push({ field: `${field}.symbols`, why: `must be a list of symbols, got ${show(r.symbols)}` }), []);
    for (const [j, symbol] of (feedSymbols && r.symbols !== undefined ? symbols : []).entries()) {
      if (symbol !== "" && !feedSymbols!.includes(symbol)) {
        p.push({ field: `${field}.symbols[${j}]`, why: `no feed for ${symbol} (feed has ${feedSymbols!.join(", ")})` });
      }
    }
    const module = await strategyModule(p, r.strategy, baseDir, `${field}.strategy`);
    const paramsOk = r.params === undefined || r.params === params;
    if (module !== "" && id !== "" && paramsOk) {
      try {
        await resolveStrategies([{ id, module, params }]);
      } catch (err) {
        p.push({ field: `${field}.params`, why: (err as Error).message });
      }
    }
    const limits = parseStrategyLimits(p, r.limits, `${field}.limits`);
    const capital = given[i] ?? defaultCapital ?? NaN;
    strategies.push({ id, module, params, symbols, capital, ...(limits ? { limits } : {}) });
  }
  return strategies;
}

async function strategyModule(p: Problems, value: unknown, baseDir: string, field: string): Promise<string> {
  const name = str(p, value, field);
  if (name === "") return name;
  try {
    return await Promise.resolve(resolveStrategyModule(name, baseDir, field));
  } catch (err) {
    if (!(err instanceof LiveConfigError)) throw err;
    p.push(...err.problems);
    return "";
  }
}

/**
 * The capital of a strategy that gives none: on a paper venue, an equal share of the cash the others leave; a live
 * venue's cash is not known before it starts, so there every strategy must state its capital.
 */
function capitalDefault(p: Problems, given: readonly (number | undefined)[], venue: VenueConfig): number | undefined {
  const missing = given.flatMap((c, i) => (c === undefined ? [i] : []));
  if (missing.length === 0) return undefined;
  if (venue.type !== "paper") {
    for (const i of missing) {
      p.push({
        field: `strategies[${i}].capital`,
        why: "required with a live venue: the share of the account this strategy trades, in quote currency",
      });
    }
    return undefined;
  }
  const stated = given.reduce<number>((sum, c) => sum + (c ?? 0), 0);
  if (!Number.isFinite(stated) || !Number.isFinite(venue.initialCash)) return undefined;
  const left = venue.initialCash - stated;
  if (left > 0) return left / missing.length;
  for (const i of missing) {
    p.push({
      field: `strategies[${i}].capital`,
      why: `not given, and the other strategies' capital (${stated}) leaves none of venue.initialCash ` +
        `(${venue.initialCash}) to share`,
    });
  }
  return undefined;
}

/**
 * The rule: on a paper venue the strategies share the one account, so their capital adds up to at most its cash
 * (`venue.initialCash`); otherwise a strategy would size orders from money the account does not have.
 */
function checkCapitalSum(p: Problems, strategies: readonly StrategyConfig[], venue: VenueConfig): void {
  if (venue.type !== "paper" || !Number.isFinite(venue.initialCash)) return;
  if (!strategies.every((s) => Number.isFinite(s.capital))) return;
  let sum = 0;
  for (const [i, s] of strategies.entries()) {
    sum += s.capital;
    if (sum > venue.initialCash * (1 + 1e-9)) {
      p.push({
        field: `strategies[${i}].capital`,
        why: `brings the strategies' capital to ${sum}, above venue.initialCash (${venue.initialCash}): the ` +
          "strategies share the paper account, so their capital must add up to at most its cash",
      });
      return;
    }
  }
}

/** Validates a parsed config file and resolves defaults, files and strategies. Throws LiveConfigError. */
export async function resolveLiveConfig(raw: unknown, options: ResolveOptions = {}): Promise<LiveConfig> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const baseDir = options.baseDir ?? Deno.cwd();
  const p: Problems = [];
  const c = obj(p, raw, "");
  known(p, c, "", TOP_KEYS);
  const mode = oneOf(p, c.mode, "mode", ["paper", "live"] as const);
  const venueRaw = c.venue && typeof c.venue === "object" ? c.venue as Raw : {};
  const keyEnv = typeof venueRaw.apiKeyEnv === "string" ? venueRaw.apiKeyEnv : "BINANCE_API_KEY";
  // Paper is the default when no keys are configured; --live or mode "live" insists on them.
  const paper = options.paper ?? (mode === undefined ? !env(keyEnv) : mode === "paper");
  const venue = parseVenue(p, c.venue, paper, env);
  const feed = await parseFeed(p, c.feed, baseDir);
  const feedSymbols = feed === undefined
    ? undefined
    : feed.type === "replay"
    ? feed.sources.map((s) => s.symbol)
    : feed.symbols;
  const strategies = await parseStrategies(p, c.strategies, venue, feedSymbols, baseDir);
  checkCapitalSum(p, strategies, venue);
  const dataDir = resolve(baseDir, str(p, c.dataDir, "dataDir", "./data/live"));
  const control = obj(p, c.control, "control", true);
  known(p, control, "control", ["hostname", "port"]);
  const alerts = obj(p, c.alerts, "alerts", true);
  known(p, alerts, "alerts", ["webhookUrl"]);
  const webhookUrl = alerts.webhookUrl === undefined ? undefined : url(p, alerts.webhookUrl, "alerts.webhookUrl", HTTP);
  const { limits, quarantinePolicy } = parseRisk(p, c.risk);
  const config: LiveConfig = {
    mode: venue.type === "paper" ? "paper" : "live",
    dataDir,
    db: parseDb(p, c.db, baseDir, dataDir),
    control: {
      hostname: hostname(p, control.hostname, "control.hostname", "127.0.0.1"),
      port: num(p, control.port, "control.port", { min: 0, max: 65_535, integer: true, hint: "0 = any free port" }, 0),
    },
    venue,
    feed: feed ?? { type: "replay", sources: [], speed: "max" },
    timeframe: feed === undefined ? "1m" : feed.type === "replay" ? feed.sources[0]?.timeframe ?? "1m" : feed.timeframe,
    strategies,
    risk: limits,
    quarantinePolicy,
    alerts: webhookUrl === undefined ? {} : { webhookUrl },
    statusEveryMs: num(
      p,
      c.statusEveryMs,
      "statusEveryMs",
      { min: 0, hint: "milliseconds; 0 = no status lines" },
      5_000,
    ),
    exitAtEnd: options.exitAtEnd ?? bool(p, c.exitAtEnd, "exitAtEnd", false),
  };
  if (p.length > 0) throw new LiveConfigError(inFileOrder(p, Object.keys(c)));
  return config;
}

/** Problems sorted by where their top-level key is in the file (stable: within a key, in the order found). */
function inFileOrder(problems: Problems, keys: readonly string[]): Problems {
  const rank = (field: string) => {
    const i = keys.indexOf(field.split(/[.[]/)[0]);
    return i < 0 ? keys.length : i;
  };
  return problems.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p.field) - rank(b.p.field) || a.i - b.i)
    .map(({ p }) => p);
}

/** Reads and validates a config file; relative paths in it are relative to the file. */
export async function loadLiveConfig(path: string, options: ResolveOptions = {}): Promise<LiveConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new LiveConfigError([{ field: "--config", why: `cannot read ${path}: ${(err as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LiveConfigError([{ field: "--config", why: `${path} is not valid JSON: ${(err as Error).message}` }]);
  }
  try {
    return await resolveLiveConfig(raw, { baseDir: dirname(resolve(path)), ...options });
  } catch (err) {
    throw err instanceof LiveConfigError ? new LiveConfigError(err.problems, path) : err;
  }
}
