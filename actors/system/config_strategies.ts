/** The live config's `strategies`: ids, modules and parameters, symbols, capital and each one's own limits. */
import { loadStrategy, resolveStrategy, StrategyNotFoundError } from "../../strategies/registry.ts";
import { limitProblems, STRATEGY_LIMIT_RULES, type StrategyLimits } from "../risk_guardian/limits.ts";
import { show } from "../runtime/validate.ts";
import { at, known, list, LiveConfigError, num, obj, type Problems, type Raw, str } from "./config_fields.ts";
import type { VenueConfig } from "./config_venue.ts";

export interface StrategyConfig {
  readonly id: string;
  /** Module URL, resolved from a built-in name or a path. */
  readonly module: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly capital: number;
  /**
   * The venue it trades at (a key of the config's venues): its orders go there, its bars come from there, its capital
   * is part of that venue's account. Absent: the default venue (the only one, or the first).
   */
  readonly venue?: string;
  /** This strategy's own limits (limits.ts), beside the account's; absent when the file gives none. */
  readonly limits?: StrategyLimits;
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

function parseStrategyLimits(p: Problems, raw: unknown, field: string): StrategyLimits | undefined {
  if (raw === undefined) return undefined;
  const r = obj(p, raw, field);
  for (const { key, why } of limitProblems(r, STRATEGY_LIMIT_RULES)) p.push({ field: at(field, key), why });
  return Object.keys(r).length > 0 ? r as StrategyLimits : undefined;
}

/** A strategy id: a client order id prefix (`<id>-<n>`), at most 20 characters. */
export const STRATEGY_ID = /^[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*$/;
const ID = STRATEGY_ID;

/** The venue a strategy trades at: the one it names, else the default (the first). */
export function venueOf(s: StrategyConfig, venues: Readonly<Record<string, VenueConfig>>): VenueConfig {
  return (s.venue !== undefined ? venues[s.venue] : undefined) ?? Object.values(venues)[0];
}

/** `strategies[i].venue`: a key of `venues`; required when there are several. */
function strategyVenue(p: Problems, value: unknown, field: string, venues: Readonly<Record<string, VenueConfig>>) {
  const names = Object.keys(venues);
  if (value === undefined) {
    if (names.length > 1) {
      p.push({ field, why: `required with several venues: one of ${names.map((n) => `"${n}"`).join(", ")}` });
    }
    return names[0];
  }
  const name = str(p, value, field);
  if (name !== "" && !names.includes(name)) {
    p.push({ field, why: `unknown venue ${show(name)} (venues: ${names.map((n) => `"${n}"`).join(", ")})` });
  }
  return name;
}

/** The strategies, their symbols against the feed's, and their capital against their paper account's cash. */
export async function parseStrategies(
  p: Problems,
  raw: unknown,
  venues: Readonly<Record<string, VenueConfig>>,
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
  const venueNames = entries.map((s, i) =>
    strategyVenue(p, s && typeof s === "object" ? (s as Raw).venue : undefined, `strategies[${i}].venue`, venues)
  );
  // Each venue's strategies share its account: a strategy without capital gets a share of what the others leave.
  const defaultCapital = new Map<string, number | undefined>();
  for (const [name, venue] of Object.entries(venues)) {
    const on = given.map((c, i) => (venueNames[i] === name ? c : 0));
    defaultCapital.set(name, capitalDefault(p, on, venue, venueNames, name, Object.keys(venues).length > 1));
  }
  for (const [i, s] of entries.entries()) {
    const field = `strategies[${i}]`;
    const r = obj(p, s, field);
    known(p, r, field, ["id", "strategy", "params", "symbols", "capital", "limits", "venue"]);
    const id = str(p, r.id, `${field}.id`);
    if (id !== "" && (!ID.test(id) || id.length > 20)) {
      p.push({
        field: `${field}.id`,
        why: `"${id}" must be ≤ 20 letters, digits, _ . or - (a client order id prefix)`,
      });
    } else if (id !== "" && ids.has(id)) {
      p.push({ field: `${field}.id`, why: `duplicate strategy id "${id}"` });
    }
    ids.add(id);
    const params = obj(p, r.params, `${field}.params`, true);
    const symbols = strategySymbols(p, r.symbols, `${field}.symbols`, feedSymbols);
    const module = strategyModule(p, r.strategy, baseDir, `${field}.strategy`);
    const paramsOk = r.params === undefined || r.params === params;
    if (module !== "" && id !== "" && paramsOk) {
      try {
        await loadStrategy(module, undefined, params, id);
      } catch (err) {
        p.push({ field: `${field}.params`, why: (err as Error).message });
      }
    }
    const limits = parseStrategyLimits(p, r.limits, `${field}.limits`);
    const capital = given[i] ?? defaultCapital.get(venueNames[i]) ?? NaN;
    const venue = Object.keys(venues).length > 1 || r.venue !== undefined ? { venue: venueNames[i] } : {};
    strategies.push({ id, module, params, symbols, capital, ...(limits ? { limits } : {}), ...venue });
  }
  return strategies;
}

/** A strategy's symbols: all of the feed's by default; each one given must have a feed (when the feed is valid). */
function strategySymbols(p: Problems, value: unknown, field: string, feedSymbols: readonly string[] | undefined) {
  if (value === undefined) return feedSymbols ?? [];
  if (!Array.isArray(value)) {
    p.push({ field, why: `must be a list of symbols, got ${show(value)}` });
    return [];
  }
  const symbols = value.map((x, j) => str(p, x, `${field}[${j}]`));
  for (const [j, symbol] of symbols.entries()) {
    if (feedSymbols && symbol !== "" && !feedSymbols.includes(symbol)) {
      p.push({ field: `${field}[${j}]`, why: `no feed for ${symbol} (feed has ${feedSymbols.join(", ")})` });
    }
  }
  return symbols;
}

function strategyModule(p: Problems, value: unknown, baseDir: string, field: string): string {
  const name = str(p, value, field);
  if (name === "") return name;
  try {
    return resolveStrategyModule(name, baseDir, field);
  } catch (err) {
    if (!(err instanceof LiveConfigError)) throw err;
    p.push(...err.problems);
    return "";
  }
}

/**
 * The capital of a strategy that gives none: on a paper venue, an equal share of the cash the others leave; a live
 * venue's cash is not known before it starts, so there every strategy must state its capital. `given` holds 0 for
 * the strategies of other venues.
 */
function capitalDefault(
  p: Problems,
  given: readonly (number | undefined)[],
  venue: VenueConfig,
  venueNames: readonly string[],
  name: string,
  several: boolean,
): number | undefined {
  const missing = given.flatMap((c, i) => (c === undefined && venueNames[i] === name ? [i] : []));
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
      why: `not given, and the other strategies' capital (${stated}) leaves none of ${cashField(venue, several)} ` +
        `(${venue.initialCash}) to share`,
    });
  }
  return undefined;
}

/** How the file names a paper venue's cash: `venue.initialCash`, or `venues.NAME.initialCash` with several. */
function cashField(venue: VenueConfig, several: boolean): string {
  return several ? `venues.${venue.name}.initialCash` : "venue.initialCash";
}

/**
 * The rule: on a paper venue the strategies share the one account, so their capital adds up to at most its cash
 * (`initialCash`); otherwise a strategy would size orders from money the account does not have. Per venue.
 */
export function checkCapitalSum(
  p: Problems,
  strategies: readonly StrategyConfig[],
  venues: Readonly<Record<string, VenueConfig>>,
): void {
  if (!strategies.every((s) => Number.isFinite(s.capital))) return;
  const names = strategies.map((s) => venueOf(s, venues).name);
  for (const venue of Object.values(venues)) {
    if (venue.type !== "paper" || !Number.isFinite(venue.initialCash)) continue;
    const cash = cashField(venue, Object.keys(venues).length > 1);
    let sum = 0;
    for (const [i, s] of strategies.entries()) {
      if (names[i] !== venue.name) continue;
      sum += s.capital;
      if (sum > venue.initialCash * (1 + 1e-9)) {
        p.push({
          field: `strategies[${i}].capital`,
          why: `brings the strategies' capital to ${sum}, above ${cash} (${venue.initialCash}): the ` +
            "strategies share the paper account, so their capital must add up to at most its cash",
        });
        break;
      }
    }
  }
}
