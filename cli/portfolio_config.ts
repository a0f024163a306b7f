/**
 * A portfolio backtest's plan: several strategies, each with its symbols, params, capital and limits, in one simulated
 * account. The file has the live config's shape (`strategies`, `risk`, `venue`, `feed`), read by the live config's
 * own parser, so one file runs on paper and in a backtest; backtest options (`cash`, `commission`, `data`, ...) may
 * sit beside them. Paths in the file are relative to the file, as in the live config.
 */
import { basename, isAbsolute, resolve } from "node:path";
import { UsageError } from "./args.ts";
import { LiveConfigError, resolveLiveConfig } from "../actors/system/live_config.ts";
import { STRATEGY_ID } from "../actors/system/config_strategies.ts";
import type { RiskLimits } from "../actors/risk_guardian/checks.ts";
import type { QuarantinePolicy, StrategyLimits } from "../actors/risk_guardian/limits.ts";
import { type AllocationConfig, parseAllocation } from "../actors/portfolio/allocation.ts";

export interface PortfolioStrategy {
  readonly id: string;
  readonly module: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly capital: number;
  readonly limits?: StrategyLimits;
}

export interface PortfolioPlan {
  readonly strategies: readonly PortfolioStrategy[];
  /** "SYMBOL=ABSOLUTE_PATH" per data file. */
  readonly data: readonly string[];
  /** The account's limits (the live config's `risk`). */
  readonly risk: RiskLimits;
  readonly quarantinePolicy?: QuarantinePolicy;
  /** Capital allocation between the strategies (the file's "allocation"). */
  readonly allocation?: AllocationConfig;
}

/**
 * The plan's strategies as the engine runs them (backtest and optimize alike): `--risk`'s "limits" and
 * `--strategy-limit` (`extraLimits`) apply to every strategy, over its own.
 */
export const planRuns = (plan: PortfolioPlan, extraLimits: StrategyLimits) =>
  plan.strategies.map((s) => ({
    id: s.id,
    module: s.module,
    params: s.params,
    symbols: s.symbols,
    capital: s.capital,
    limits: { ...s.limits, ...extraLimits },
  }));

/** Keys of a backtest config that the live config does not have: taken out before the live parser reads the rest. */
export const BACKTEST_ONLY_KEYS = [
  "cash",
  "commission",
  "commissionFixed",
  "commissionPerUnit",
  "slippageBps",
  "spread",
  "spreadMode",
  "impact",
  "fill",
  "volumeShare",
  "leverage",
  "noShort",
  "step",
  "closeAtEnd",
  "out",
  "json",
  "data",
  "timeframe",
  "maxPrice",
  "calendar",
  "allocation",
] as const;

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The run options a paper venue in the file implies (cash, commission, slippage, step, shorting), for keys the file
 * does not give itself: the backtest then trades as the paper account would.
 */
export function venueDefaults(file: Readonly<Raw>): Raw {
  const venue = file.venue;
  if (!isObject(venue) || (venue.type !== undefined && venue.type !== "paper")) return {};
  const out: Raw = {};
  const take = (from: string, to: string, f: (v: unknown) => unknown = (v) => v) => {
    if (venue[from] !== undefined && file[to] === undefined) out[to] = f(venue[from]);
  };
  take("initialCash", "cash");
  take("commission", "commission");
  take("slippageBps", "slippageBps");
  take("defaultStep", "step");
  take("allowShort", "noShort", (v) => v === false);
  return out;
}

/**
 * Reads the strategies, data, limits and allocation of a portfolio file (`file`, already parsed JSON) through the
 * live config's parser. `cash` is the account's starting cash (flags, the file, or its paper venue).
 */
export async function resolvePortfolio(file: Readonly<Raw>, cash: number, baseDir: string): Promise<PortfolioPlan> {
  const live: Raw = {};
  for (const [key, value] of Object.entries(file)) {
    if (!(BACKTEST_ONLY_KEYS as readonly string[]).includes(key)) live[key] = value;
  }
  live.strategies = weightsToCapital(file.strategies, cash);
  live.venue = isObject(file.venue) ? { ...file.venue, type: "paper", initialCash: cash } : {
    type: "paper",
    initialCash: cash,
  };
  if (file.data !== undefined) {
    if (file.feed !== undefined) throw new UsageError(`--config: give "data" or "feed", not both`);
    if (!Array.isArray(file.data) || !file.data.every((d) => typeof d === "string")) {
      throw new UsageError(
        `--config: data must be a list of "[SYMBOL=]PATH" strings, got ${JSON.stringify(file.data)}`,
      );
    }
    live.feed = { type: "replay", sources: file.data.map((spec) => source(spec)) };
  }
  if (live.feed === undefined) {
    throw new UsageError(`--config: a portfolio needs its bars: "data": ["SYMBOL=PATH", ...] or a replay "feed"`);
  }
  let config;
  try {
    config = await resolveLiveConfig(live, { paper: true, baseDir, env: () => undefined });
  } catch (err) {
    if (err instanceof LiveConfigError) throw new UsageError(`--config: ${err.message}`);
    throw err;
  }
  if (config.feed.type !== "replay") {
    throw new UsageError(`--config: feed.type must be "replay" in a backtest (bars from files), got "binance"`);
  }
  let allocation: AllocationConfig | undefined;
  if (file.allocation !== undefined) {
    const parsed = parseAllocation(
      file.allocation,
      config.strategies.map((s) => s.id),
      config.strategies.map((s) => s.capital),
    );
    if (typeof parsed === "string") throw new UsageError(`--config: allocation${parsed}`);
    allocation = parsed;
  }
  return {
    ...(allocation ? { allocation } : {}),
    strategies: config.strategies.map((s) => ({
      id: s.id,
      module: s.module,
      params: s.params,
      symbols: s.symbols,
      capital: s.capital,
      ...(s.limits ? { limits: s.limits } : {}),
    })),
    data: config.feed.sources.map((s) => `${s.symbol}=${s.file}`),
    risk: config.risk,
    ...(isObject(file.risk) && file.risk.quarantinePolicy !== undefined
      ? { quarantinePolicy: config.quarantinePolicy }
      : {}),
  };
}

/** "[SYMBOL=]PATH" → a replay source; the live parser resolves the path against the file's directory. */
function source(spec: string): Raw {
  const eq = spec.indexOf("=");
  if (eq > 0 && !spec.slice(0, eq).includes("/")) return { symbol: spec.slice(0, eq), file: spec.slice(eq + 1) };
  return { file: spec };
}

/**
 * `weight` (a share of the account's cash, (0, 1]) as the live config's `capital`; a strategy gives one or the other.
 */
function weightsToCapital(strategies: unknown, cash: number): unknown {
  if (!Array.isArray(strategies)) return strategies;
  const problems: string[] = [];
  const out = strategies.map((s, i) => {
    if (!isObject(s) || s.weight === undefined) return s;
    const { weight, ...rest } = s;
    if (typeof weight !== "number" || !(weight > 0 && weight <= 1)) {
      problems.push(`strategies[${i}].weight: must be a share of the cash in (0, 1], got ${JSON.stringify(weight)}`);
    } else if (rest.capital !== undefined) {
      problems.push(`strategies[${i}]: give capital or weight, not both`);
    } else rest.capital = weight * cash;
    return rest;
  });
  if (problems.length > 0) throw new UsageError(`--config: ${problems.join("; ")}`);
  return out;
}

/**
 * Several `--strategy [ID=]NAME|PATH` flags as a portfolio file: ids from the names (deduplicated), every data
 * symbol each, the cash shared equally; `--param ID.NAME=VALUE` gives one strategy a parameter.
 */
export function strategiesFromFlags(specs: readonly string[], cwd: string): Raw[] {
  const used = new Set<string>();
  const entries = specs.map((spec) => {
    const eq = spec.indexOf("=");
    const named = eq > 0 && STRATEGY_ID.test(spec.slice(0, eq));
    const strategy = named ? spec.slice(eq + 1) : spec;
    let id = named ? spec.slice(0, eq) : basename(strategy).replace(/\.[jt]s$/, "").replace(/[^A-Za-z0-9_.]+/g, "_")
      .slice(0, 17);
    if (!named) {
      const base = id;
      for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    }
    if (used.has(id)) throw new UsageError(`--strategy: the id "${id}" is given twice`);
    used.add(id);
    const path = strategy.includes("/") && !isAbsolute(strategy) ? resolve(cwd, strategy) : strategy;
    return { id, strategy: path, params: {} as Record<string, string> };
  });
  return entries;
}

/** `--param ID.NAME=VALUE` into the named strategy's params (flags win over the file's). */
export function applyParams(entries: readonly unknown[], params: ReadonlyMap<string, string>): unknown[] {
  const out = entries.map((e): unknown =>
    isObject(e) ? { ...e, params: isObject(e.params) ? { ...e.params } : e.params ?? {} } : e
  );
  for (const [name, value] of params) {
    const dot = name.indexOf(".");
    const target = dot > 0 ? out.find((e): e is Raw => isObject(e) && e.id === name.slice(0, dot)) : undefined;
    if (!target || !isObject(target.params)) {
      const ids = out.map((e) => isObject(e) ? e.id : undefined).filter((id) => typeof id === "string");
      throw new UsageError(
        `--param ${name}: with several strategies, name the strategy: --param ID.NAME=VALUE (ids: ${ids.join(", ")})`,
      );
    }
    target.params[name.slice(dot + 1)] = value;
  }
  return out;
}
