/**
 * The live daemon's config file: schema, defaults and validation. Secrets come from the environment or the encrypted
 * key store (config_keys.ts), never from the file.
 * Every field is checked and every problem is reported at once, each with its JSON path (`control.port`,
 * `strategies[0].limits.maxLoss`), before anything starts, so a bad config never reaches a venue.
 * The sections live beside it: config_venue.ts, config_feed.ts, config_strategies.ts; the field readers that
 * collect problems in config_fields.ts.
 */
import { dirname, resolve } from "node:path";
import type { Timeframe } from "../protocol/mod.ts";
import type { RiskLimits } from "../risk_guardian/checks.ts";
import {
  DEFAULT_QUARANTINE_POLICY,
  QUARANTINE_POLICIES,
  type QuarantinePolicy,
  RISK_LIMIT_RULES,
  type StrategyLimits,
} from "../risk_guardian/limits.ts";
import { parseStorageUrl } from "../../storage/url.ts";
import { assertNever } from "../runtime/errors.ts";
import {
  bool,
  hostname,
  known,
  LiveConfigError,
  num,
  obj,
  oneOf,
  type Problem,
  type Problems,
  str,
} from "./config_fields.ts";
import { type FeedConfig, parseFeed } from "./config_feed.ts";
import { type VenueConfig, type VenueInstruments } from "./config_venue.ts";
import { type FxConfig, parseFx, parseVenues } from "./config_venues.ts";
import { checkCapitalSum, parseStrategies, resolveStrategyModule, type StrategyConfig } from "./config_strategies.ts";
import { type ApiConfig, parseApi } from "./config_api.ts";
import { type AlertsConfig, parseAlerts } from "./config_alerts.ts";
import { unlockVenueKey } from "./config_keys.ts";

export { LiveConfigError, resolveStrategyModule };
export type {
  FeedConfig,
  FxConfig,
  Problem,
  QuarantinePolicy,
  StrategyConfig,
  StrategyLimits,
  VenueConfig,
  VenueInstruments,
};

export interface LiveConfig {
  readonly mode: "paper" | "live";
  readonly dataDir: string;
  /** Journal database URL: `sqlite:ABSOLUTE_PATH` or `postgres://…` (storage/url.ts). */
  readonly db: string;
  readonly control: { readonly hostname: string; readonly port: number };
  /** The default venue: the only one, or the first of `venues` (strategies added while running trade there). */
  readonly venue: VenueConfig;
  /**
   * Every venue by name, in file order (the default first): `venues` in the file, or the one `venue` of the
   * single-venue form. Each gets its own adapter and feed in the live tree.
   */
  readonly venues: Readonly<Record<string, VenueConfig>>;
  /** How the account's total is told in one currency (config_venues.ts). */
  readonly fx: FxConfig;
  readonly feed: FeedConfig;
  readonly timeframe: Timeframe;
  readonly strategies: readonly StrategyConfig[];
  /** The account's limits. */
  readonly risk: RiskLimits;
  /** `risk.quarantinePolicy` in the file: what happens to a stopped or quarantined strategy's position. */
  readonly quarantinePolicy: QuarantinePolicy;
  /** Where alerts go besides the journal (config_alerts.ts); the journal actor takes it as it is. */
  readonly alerts: AlertsConfig;
  readonly statusEveryMs: number;
  /** Stop (exit 0) when a replay feed has sent its last bar. */
  readonly exitAtEnd: boolean;
  /** What the operator API may reach: strategy files, backtest data, the backtest pool (config_api.ts). */
  readonly api: ApiConfig;
}

export interface ResolveOptions {
  /** `--paper` (true), `--live` (false), or neither (undefined: paper unless the venue has keys). */
  readonly paper?: boolean;
  readonly exitAtEnd?: boolean;
  readonly env?: (name: string) => string | undefined;
  /** Directory relative paths in the file are resolved against (default: the config file's). */
  readonly baseDir?: string;
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
  "api",
  // Several venues (config_venues.ts), after the single-venue form's fields.
  "venues",
  "baseCurrency",
  "fx",
] as const;
const DEFAULT_DATA_DIR = "./data/live";
const RISK_KEYS = Object.keys(RISK_LIMIT_RULES) as (keyof RiskLimits)[];

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

const JOURNAL_SCHEMES =
  "sqlite:PATH (or a plain file path; the default), redis://…[?prefix=NAME] or postgres://… (postgresql://…)";

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
      return parsed.url;
    case "invalid":
      p.push({ field: "db", why: `${parsed.why}: use ${JOURNAL_SCHEMES}` });
      return "";
    default:
      return assertNever(parsed, "storage URL");
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
  const dataDir = resolve(baseDir, str(p, c.dataDir, "dataDir", DEFAULT_DATA_DIR));
  const venues = parseVenues(p, c, { ...options, mode, env });
  // Keys from the encrypted store: unlocked once, before anything starts (a locked or altered store is a problem).
  for (const [name, v] of Object.entries(venues)) {
    venues[name] = await unlockVenueKey(p, v, dataDir, env, c.venues === undefined ? "venue" : `venues.${name}`);
  }
  const venue = Object.values(venues)[0];
  const feed = await parseFeed(p, c.feed, baseDir);
  const feedSymbols = feed === undefined
    ? undefined
    : feed.type === "replay"
    ? feed.sources.map((s) => s.symbol)
    : feed.symbols;
  const strategies = await parseStrategies(p, c.strategies, venues, feedSymbols, baseDir);
  checkCapitalSum(p, strategies, venues);
  const fx = parseFx(p, c, venues, feedSymbols);
  const control = obj(p, c.control, "control", true);
  known(p, control, "control", ["hostname", "port"]);
  const alerts = parseAlerts(p, c.alerts, env);
  const { limits, quarantinePolicy } = parseRisk(p, c.risk);
  const config: LiveConfig = {
    mode: Object.values(venues).every((v) => v.type === "paper") ? "paper" : "live",
    dataDir,
    db: parseDb(p, c.db, baseDir, dataDir),
    control: {
      hostname: hostname(p, control.hostname, "control.hostname", "127.0.0.1"),
      port: num(p, control.port, "control.port", { min: 0, max: 65_535, integer: true, hint: "0 = any free port" }, 0),
    },
    venue,
    venues,
    fx,
    feed: feed ?? { type: "replay", sources: [], speed: "max" },
    timeframe: feed === undefined ? "1m" : feed.type === "replay" ? feed.sources[0]?.timeframe ?? "1m" : feed.timeframe,
    strategies,
    risk: limits,
    quarantinePolicy,
    alerts,
    statusEveryMs: num(
      p,
      c.statusEveryMs,
      "statusEveryMs",
      { min: 0, hint: "milliseconds; 0 = no status lines" },
      5_000,
    ),
    exitAtEnd: options.exitAtEnd ?? bool(p, c.exitAtEnd, "exitAtEnd", false),
    api: parseApi(p, c.api, baseDir),
  };
  if (p.length > 0) throw new LiveConfigError(inFileOrder(p, Object.keys(c)));
  return config;
}

/** Problems sorted by where their top-level key is in the file (stable: within a key, in the order found). */
function inFileOrder(problems: Problems, keys: readonly string[]): Problems {
  const rank = (field: string) => {
    if (field === "") return -1;
    const i = keys.indexOf(field.split(/[.[]/)[0]);
    return i < 0 ? keys.length : i;
  };
  return problems.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p.field) - rank(b.p.field) || a.i - b.i)
    .map(({ p }) => p);
}

/** Reads and validates a config file; relative paths in it are relative to the file. */
export async function loadLiveConfig(path: string, options: ResolveOptions = {}): Promise<LiveConfig> {
  const raw = await readConfigFile(path);
  try {
    return await resolveLiveConfig(raw, { baseDir: dirname(resolve(path)), ...options });
  } catch (err) {
    throw err instanceof LiveConfigError ? new LiveConfigError(err.problems, path) : err;
  }
}

/**
 * Only the data directory of a config file, where a running daemon leaves its control URL: the kill switch must
 * find the daemon even when the file was since edited into something invalid, and without loading strategies.
 */
export async function loadDataDir(path: string): Promise<string> {
  const raw = await readConfigFile(path);
  const p: Problems = [];
  const dataDir = str(p, obj(p, raw, "").dataDir, "dataDir", DEFAULT_DATA_DIR);
  if (p.length > 0) throw new LiveConfigError(p, path);
  return resolve(dirname(resolve(path)), dataDir);
}

async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new LiveConfigError([{ field: "--config", why: `cannot read ${path}: ${(err as Error).message}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LiveConfigError([{ field: "--config", why: `${path} is not valid JSON: ${(err as Error).message}` }]);
  }
}
