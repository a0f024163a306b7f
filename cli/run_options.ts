/**
 * The options of one simulated run (account, costs, fills, close at end, risk limits), shared by `backtest` and
 * `optimize`: one parser, one help text, so both commands take the same flags and config keys with the same checks.
 */
import { namedValues, UsageError } from "./args.ts";
import { combinedCommission, type CostModels, type SpreadMode } from "../actors/exchange/sim/costs.ts";
import type { SimConfig } from "../actors/exchange/sim/matching.ts";
import type { RiskLimits } from "../actors/risk_guardian/checks.ts";
import type { ContractTerms } from "../actors/protocol/mod.ts";
import {
  limitProblems,
  QUARANTINE_POLICIES,
  type QuarantinePolicy,
  RISK_LIMIT_RULES,
  STRATEGY_LIMIT_RULES,
  type StrategyLimits,
} from "../actors/risk_guardian/limits.ts";

export const RUN_OPTIONS = {
  cash: { type: "string" },
  commission: { type: "string" },
  "commission-fixed": { type: "string" },
  "commission-per-unit": { type: "string" },
  "slippage-bps": { type: "string" },
  spread: { type: "string" },
  "spread-mode": { type: "string" },
  impact: { type: "string" },
  fill: { type: "string" },
  "volume-share": { type: "string" },
  leverage: { type: "string" },
  "no-short": { type: "boolean" },
  step: { type: "string" },
  "close-at-end": { type: "boolean" },
  risk: { type: "string" },
  "risk-limit": { type: "string", multiple: true },
  "strategy-limit": { type: "string", multiple: true },
  instrument: { type: "string", multiple: true },
} as const;

export const RUN_HELP = `  --cash N                starting cash                                        [10000]
  --commission RATE       commission as a fraction of notional (0.001 = 10 bps)  [0]
  --commission-fixed N    fixed commission per fill, added to --commission's percentage (both are charged)
  --commission-per-unit N commission per unit traded, added to the others
  --slippage-bps N        fixed slippage in basis points
  --spread F              bid-ask spread as a fraction of price, paid as --spread-mode says
  --spread-mode MODE      both: half the spread on every fill, entries and exits (default);
                          entry: the whole spread on entries only, none on exits (backtesting.py's convention)
  --impact K              square-root market impact coefficient
  --fill next_open|close  market orders fill at the next open (default) or the close
  --volume-share F        cap each fill at this share of the bar's volume (partial fills)
  --leverage N            1 = cash account                                     [1]
  --no-short              forbid short selling
  --step N                quantity step (1 = whole units)                      [1]
  --close-at-end          close trades still open after the last bar and count them: at market, filled at the
                          last bar's open (backtesting.py's finalize_trades), or at its close with --fill close;
                          commission and costs apply
  --risk FILE             risk limits as in the live config: {"risk": {account limits, "quarantinePolicy"},
                          "limits": {the strategy's own limits}}, checked by the live rules
  --risk-limit NAME=N     one account limit (maxPositionQty, maxDrawdown, ...; repeat); wins over --risk
  --strategy-limit NAME=N one strategy limit (maxLoss, maxOrderNotional, ...; repeat); wins over --risk
  --instrument SYMBOL:TERMS  a contract's terms (futures), repeat per symbol: multiplier=N (P&L, notional and
                          exposure = qty × price × N), margin=N (initial margin per contract, instead of
                          notional / leverage), commission-per-unit=N (a fee per contract, added to the others);
                          e.g. --instrument ES:multiplier=10,margin=500,commission-per-unit=2.0`;

export interface RunOptions {
  readonly cash: number;
  readonly costs: CostModels;
  readonly fill: "next_open" | "close";
  readonly volumeShare?: number;
  readonly leverage: number;
  readonly allowShort: boolean;
  readonly step: number;
  readonly closeAtEnd: boolean;
  /** The account's limits (empty: none). */
  readonly risk: RiskLimits;
  /** The strategy's own limits (empty: none). */
  readonly strategyLimits: StrategyLimits;
  readonly quarantinePolicy?: QuarantinePolicy;
  /** Contract terms per symbol (`--instrument`); empty: every symbol is a spot unit. */
  readonly contracts: Readonly<Record<string, ContractTerms>>;
}

type Values = Readonly<Record<string, unknown>>;

function num(name: string, raw: unknown, check: (n: number) => boolean, rule: string): number {
  const n = typeof raw === "number" ? raw : Number(raw);
  if (raw === undefined || raw === "" || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${rule}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * The run options from parsed flags (`values`, by flag name) and a config file's keys (`file`, camelCase); flags
 * win.
 */
export async function parseRunOptions(values: Values, file: Values = {}): Promise<RunOptions> {
  const pick = (flag: string, key: string) => values[flag] ?? file[key];
  const optional = (flag: string, key: string, check: (n: number) => boolean, rule: string) => {
    const raw = pick(flag, key);
    return raw === undefined ? undefined : num(flag, raw, check, rule);
  };
  const fill = (pick("fill", "fill") ?? "next_open") as string;
  if (fill !== "next_open" && fill !== "close") {
    throw new UsageError(`--fill must be next_open or close, got "${fill}"`);
  }
  const spreadMode = (pick("spread-mode", "spreadMode") ?? "both") as string;
  if (spreadMode !== "both" && spreadMode !== "entry") {
    throw new UsageError(`--spread-mode must be both or entry, got "${spreadMode}"`);
  }
  const slippageBps = optional("slippage-bps", "slippageBps", (n) => n >= 0, "≥ 0");
  const spread = optional("spread", "spread", (n) => n >= 0 && n < 1, "a fraction in [0, 1)");
  if (slippageBps !== undefined && spread !== undefined) {
    throw new UsageError("--slippage-bps and --spread are two slippage models; give one");
  }
  const commission = num(
    "commission",
    pick("commission", "commission") ?? 0,
    (n) => n >= 0 && n < 1,
    "a fraction in [0, 1)",
  );
  const commissionFixed = optional("commission-fixed", "commissionFixed", (n) => n >= 0, "≥ 0") ?? 0;
  const perUnit = optional("commission-per-unit", "commissionPerUnit", (n) => n >= 0, "≥ 0") ?? 0;
  const impact = optional("impact", "impact", (n) => n >= 0, "≥ 0");
  const volumeShare = optional("volume-share", "volumeShare", (n) => n > 0 && n <= 1, "a fraction in (0, 1]");
  const limits = await riskLimits(values, file);
  return {
    cash: num("cash", pick("cash", "cash") ?? 10_000, (n) => n > 0, "a positive number"),
    costs: {
      commission: combinedCommission(commissionFixed, commission, perUnit),
      slippage: slippageBps !== undefined
        ? { kind: "fixed_bps", bps: slippageBps }
        : spread !== undefined
        ? { kind: "spread", spread, mode: spreadMode as SpreadMode }
        : { kind: "none" },
      impact: impact !== undefined ? { kind: "sqrt", coefficient: impact } : { kind: "none" },
    },
    fill,
    ...(volumeShare !== undefined ? { volumeShare } : {}),
    leverage: num("leverage", pick("leverage", "leverage") ?? 1, (n) => n >= 1, "≥ 1"),
    allowShort: !(values["no-short"] ?? file.noShort ?? false),
    step: num("step", pick("step", "step") ?? 1, (n) => n > 0, "> 0"),
    closeAtEnd: Boolean(values["close-at-end"] ?? file.closeAtEnd ?? false),
    ...limits,
    contracts: contracts(values.instrument as string[] | undefined, file.instruments),
  };
}

/** The names `--instrument` takes (and the config file's `instruments` keys, camelCase), with their rules. */
const TERMS = {
  multiplier: { key: "multiplier", check: (n: number) => n > 0, rule: "> 0" },
  margin: { key: "margin", check: (n: number) => n >= 0, rule: "≥ 0 (0: notional / leverage)" },
  "commission-per-unit": { key: "commissionPerUnit", check: (n: number) => n >= 0, rule: "≥ 0" },
  // The and IB's word for the same fee.
  "commission-per-contract": { key: "commissionPerUnit", check: (n: number) => n >= 0, rule: "≥ 0" },
} as const;
const CAMEL: Readonly<Record<string, keyof typeof TERMS>> = {
  multiplier: "multiplier",
  margin: "margin",
  commissionPerUnit: "commission-per-unit",
};

/**
 * `--instrument SYMBOL:name=N,…` (repeat) over the config file's `"instruments": {"ES": {"multiplier": 10}}`; a
 * symbol given both ways takes the flag's terms over the file's, name by name.
 */
export function contracts(flags: readonly string[] | undefined, file: unknown): Record<string, ContractTerms> {
  const out: Record<string, Record<string, number>> = {};
  const term = (where: string, symbol: string, name: string, raw: unknown) => {
    const rule = TERMS[name as keyof typeof TERMS];
    if (!rule) {
      throw new UsageError(`${where}: unknown term "${name}" (known: ${Object.keys(TERMS).join(", ")})`);
    }
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
    if (!Number.isFinite(n) || !rule.check(n)) {
      throw new UsageError(`${where}: ${name} must be ${rule.rule}, got ${JSON.stringify(raw)}`);
    }
    (out[symbol] ??= {})[rule.key] = n;
  };
  if (file !== undefined) {
    if (!isObject(file)) throw new UsageError(`--config "instruments": must be an object {"SYMBOL": {terms}}`);
    for (const [symbol, terms] of Object.entries(file)) {
      const where = `--config "instruments.${symbol}"`;
      if (!isObject(terms)) throw new UsageError(`${where}: must be an object such as {"multiplier": 10}`);
      for (const [name, value] of Object.entries(terms)) term(where, symbol, CAMEL[name] ?? name, value);
    }
  }
  for (const spec of flags ?? []) {
    const colon = spec.indexOf(":");
    const symbol = spec.slice(0, colon).trim();
    const where = `--instrument ${spec}`;
    if (colon <= 0 || symbol === "") {
      throw new UsageError(`${where}: must be SYMBOL:name=N[,name=N…], e.g. ES:multiplier=10,margin=500`);
    }
    const pairs = spec.slice(colon + 1).split(",").filter((x) => x.trim() !== "");
    if (pairs.length === 0) throw new UsageError(`${where}: no terms after "${symbol}:"`);
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new UsageError(`${where}: "${pair}" must be name=N`);
      term(where, symbol, pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  return out;
}

/** The simulated venue's settings from the run options. */
export function simSettings(o: RunOptions): Partial<Omit<SimConfig, "initialCash">> {
  return {
    costs: o.costs,
    fillAt: o.fill,
    leverage: o.leverage,
    allowShort: o.allowShort,
    defaultStep: o.step,
    ...(o.volumeShare !== undefined ? { volumeShare: o.volumeShare } : {}),
    ...(Object.keys(o.contracts).length > 0 ? { contracts: o.contracts } : {}),
  };
}

type Limits = Pick<RunOptions, "risk" | "strategyLimits" | "quarantinePolicy">;

/**
 * `--risk FILE` (or the config file's "risk": a path or the object itself), then `--risk-limit` and
 * `--strategy-limit` name by name; every problem is listed, each with where it came from.
 */
async function riskLimits(values: Values, file: Values): Promise<Limits> {
  const source = values.risk ?? file.risk;
  let where = "--risk";
  let raw: unknown = {};
  if (typeof source === "string") {
    where = `--risk ${source}`;
    try {
      raw = JSON.parse(await Deno.readTextFile(source));
    } catch (err) {
      throw new UsageError(`${where}: ${(err as Error).message}`);
    }
  } else if (source !== undefined) {
    where = `--config "risk"`;
    raw = source;
  }
  if (!isObject(raw)) throw new UsageError(`${where}: must be a JSON object {"risk": {...}, "limits": {...}}`);
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (key !== "risk" && key !== "limits") problems.push(`${key}: unknown field (known: risk, limits)`);
  }
  const section = (name: string): Record<string, unknown> => {
    const v = raw[name] ?? {};
    if (isObject(v)) return { ...v };
    problems.push(`${name}: must be an object, got ${JSON.stringify(v)}`);
    return {};
  };
  const account = section("risk");
  const strategy = section("limits");
  const policy = account.quarantinePolicy;
  delete account.quarantinePolicy;
  if (policy !== undefined && !QUARANTINE_POLICIES.includes(policy as QuarantinePolicy)) {
    problems.push(
      `risk.quarantinePolicy: must be one of ${QUARANTINE_POLICIES.join(", ")}, got ${JSON.stringify(policy)}`,
    );
  }
  for (const p of limitProblems(account, RISK_LIMIT_RULES)) problems.push(`risk.${p.key}: ${p.why}`);
  for (const p of limitProblems(strategy, STRATEGY_LIMIT_RULES)) problems.push(`limits.${p.key}: ${p.why}`);
  if (problems.length > 0) throw new UsageError(`${where}: ${problems.join("; ")}`);
  const flags = (flag: string, rules: Readonly<Record<string, unknown>>, into: Record<string, unknown>) => {
    const given: Record<string, unknown> = {};
    for (const [name, value] of namedValues(flag, values[flag] as string[] | undefined)) {
      given[name] = value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
    }
    const bad = limitProblems(given, rules as never).map((p) => `--${flag} ${p.key}: ${p.why}`);
    if (bad.length > 0) throw new UsageError(bad.join("; "));
    Object.assign(into, given);
  };
  flags("risk-limit", RISK_LIMIT_RULES, account);
  flags("strategy-limit", STRATEGY_LIMIT_RULES, strategy);
  return {
    risk: account as RiskLimits,
    strategyLimits: strategy as StrategyLimits,
    ...(policy !== undefined ? { quarantinePolicy: policy as QuarantinePolicy } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
