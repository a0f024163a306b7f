/**
 * The daemon's side of the control endpoint: tokens and allowed names from the environment, the feed freshness
 * policy from the config, and `control.json` in the data directory (how `live kill|resume|status` find the daemon).
 *
 * Environment:
 *   TRADEACTOR_CONTROL_TOKEN   admin token (every mutating call); required to bind anything but loopback
 *   TRADEACTOR_READ_TOKEN      optional read-only token; when set, reads need a token on loopback too
 *   TRADEACTOR_CONTROL_HOSTS   extra host names the endpoint answers to (comma-separated)
 *   TRADEACTOR_CONTROL_ORIGINS extra browser origins allowed (comma-separated, e.g. https://ops.example.com)
 * Without an admin token on loopback, the daemon makes one up for this run and writes it to control.json (mode 0600),
 * so the command line on this machine can still halt it, and a browser logs in with it.
 */
import { rename } from "node:fs/promises";
import { resolve } from "node:path";
import type { Host, LogSink } from "../runtime/mod.ts";
import type { Journal } from "../../storage/journal/types.ts";
import { TIMEFRAME_MS } from "../protocol/mod.ts";
import type { Tokens } from "../gateway/auth.ts";
import type { FeedPolicy } from "../gateway/feed_health.ts";
import type { Statistics } from "../gateway/views/equity_view.ts";
import {
  type ControlOptions,
  ControlSecurityError,
  controlSecurityProblem,
  type ControlServer,
  startControlServer,
  type VenueWatch,
} from "../gateway/server.ts";
import type { LiveConfig } from "./live_config.ts";
import { feedSymbolsOf, PATHS, venuePaths } from "./live_tree.ts";

export type Env = (name: string) => string | undefined;

export interface ControlSettings {
  readonly tokens: Tokens;
  /** The admin token was made up for this run (written to control.json). */
  readonly generated: boolean;
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
}

const MIN_TOKEN = 16;

/** A bar overdue by more than this is a stale feed. */
export const FEED_GRACE_MS = 30_000;
/** Workers compile and venues connect before the first bar: allowed on top of one bar interval. */
export const FEED_STARTUP_MS = 60_000;

function token(env: Env, name: string): string | undefined {
  const value = env(name)?.trim();
  if (value === undefined || value === "") return undefined;
  if (value.length < MIN_TOKEN || /[^\x21-\x7e]/.test(value)) {
    throw new ControlSecurityError(
      `${name} must be at least ${MIN_TOKEN} printable characters without spaces (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  return value;
}

const list = (env: Env, name: string) => (env(name) ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** Validates the environment against the config's control hostname; throws ControlSecurityError saying why not. */
export function controlSettings(config: LiveConfig, env: Env): ControlSettings {
  const admin = token(env, "TRADEACTOR_CONTROL_TOKEN");
  const read = token(env, "TRADEACTOR_READ_TOKEN");
  if (admin !== undefined && admin === read) {
    throw new ControlSecurityError("TRADEACTOR_READ_TOKEN must differ from TRADEACTOR_CONTROL_TOKEN");
  }
  const given: Tokens = { ...(admin ? { admin } : {}), ...(read ? { read } : {}) };
  const problem = controlSecurityProblem(config.control.hostname, given);
  if (problem) throw new ControlSecurityError(problem);
  const generated = admin === undefined;
  const tokens = generated ? { ...given, admin: randomToken() } : given;
  for (const origin of list(env, "TRADEACTOR_CONTROL_ORIGINS")) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new ControlSecurityError(
        `TRADEACTOR_CONTROL_ORIGINS: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path)`,
      );
    }
  }
  return {
    tokens,
    generated,
    allowedHosts: list(env, "TRADEACTOR_CONTROL_HOSTS"),
    allowedOrigins: list(env, "TRADEACTOR_CONTROL_ORIGINS"),
  };
}

function randomToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** How fresh a venue's feed must be (default: the default venue's), from what the config says about it. */
export function feedPolicyOf(config: LiveConfig, venue = config.venue.name): FeedPolicy {
  const feed = config.feed;
  if (feed.type === "replay") {
    if (feed.speed === "max") return { kind: "unpaced" };
    const barMs = Math.min(...feed.sources.map((s) => TIMEFRAME_MS[s.timeframe]));
    const intervalMs = barMs / feed.speed;
    return { kind: "paced", intervalMs, graceMs: FEED_GRACE_MS, startupGraceMs: intervalMs + FEED_STARTUP_MS };
  }
  const intervalMs = TIMEFRAME_MS[feed.timeframe];
  return {
    kind: "live",
    intervalMs,
    graceMs: FEED_GRACE_MS,
    startupGraceMs: intervalMs + FEED_GRACE_MS + FEED_STARTUP_MS,
    symbols: feedSymbolsOf(config, venue),
  };
}

/** Several venues: each one's adapter and feed, as the live tree places them (a venue without symbols has no feed). */
export function venueWatches(config: LiveConfig): VenueWatch[] | undefined {
  const names = Object.keys(config.venues);
  if (names.length < 2) return undefined;
  return names.map((name) => {
    const paths = venuePaths(config, name);
    const hasFeed = name === config.venue.name || feedSymbolsOf(config, name).length > 0;
    return {
      name,
      exchange: paths.exchange,
      ...(hasFeed ? { feed: { path: paths.feed, policy: feedPolicyOf(config, name) } } : {}),
    };
  });
}

export const controlFile = (config: Pick<LiveConfig, "dataDir">) => resolve(config.dataDir, "control.json");

/** Starts the endpoint and publishes where it listens (and a generated token) in control.json, mode 0600. */
export async function startDaemonControl(
  config: LiveConfig,
  host: Host,
  settings: ControlSettings,
  logSink?: LogSink,
  services: Pick<ControlOptions, "strategies" | "backtests" | "logs"> = {},
  /** The daemon's journal, read (never written) by the API's lists; the backtest report's statistics. */
  api: { readonly journal?: Journal; readonly statistics?: Statistics } = {},
): Promise<ControlServer> {
  const control = startControlServer({
    ...services,
    host,
    ...(logSink ? { logSink } : {}),
    ...(api.journal ? { journal: api.journal } : {}),
    ...(api.statistics ? { statistics: api.statistics } : {}),
    hostname: config.control.hostname,
    port: config.control.port,
    paths: {
      risk: PATHS.risk,
      portfolio: PATHS.portfolio,
      exchange: PATHS.exchange,
      journal: PATHS.journal,
      feed: PATHS.feed,
      strategy: PATHS.strategy,
    },
    tokens: settings.tokens,
    allowedHosts: settings.allowedHosts,
    allowedOrigins: settings.allowedOrigins,
    feed: feedPolicyOf(config),
    ...(venueWatches(config) ? { venues: venueWatches(config) } : {}),
  });
  const file = controlFile(config);
  const tmp = `${file}.${Deno.pid}.tmp`;
  const doc = { url: control.url, pid: Deno.pid, ...(settings.generated ? { token: settings.tokens.admin } : {}) };
  // Written aside and renamed: the token is never in a file anyone else may read, not even for a moment.
  await Deno.writeTextFile(tmp, JSON.stringify(doc), { mode: 0o600 });
  await Deno.chmod(tmp, 0o600);
  await rename(tmp, file);
  return control;
}

/** What a running daemon published: its URL, and its token when it generated one. */
export async function readControlFile(
  config: Pick<LiveConfig, "dataDir">,
): Promise<{ readonly url: string; readonly token?: string }> {
  const file = controlFile(config);
  try {
    const doc = JSON.parse(await Deno.readTextFile(file)) as { url?: unknown; token?: unknown };
    if (typeof doc.url !== "string") throw new Error("no url");
    return { url: doc.url, ...(typeof doc.token === "string" ? { token: doc.token } : {}) };
  } catch {
    throw new Error(`no running daemon found (cannot read ${file})`);
  }
}
