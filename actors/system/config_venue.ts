/**
 * One venue of the live config (`venue`, or each entry of `venues`): the paper account, Binance with its keys from
 * the environment or the encrypted key store (`"apiKey": "keystore:NAME"`, unlocked by live_config.ts with
 * keystore.ts), or Interactive Brokers through a running TWS / IB Gateway (which holds the login; see README "Going
 * live"). Each type has its own fields (`VENUE_TYPES`); a new venue type adds a row there, a member to `VenueConfig`
 * and a branch to `parseVenue`.
 */
import type { InstrumentRules, OrderLimits } from "../risk_guardian/checks.ts";
import { limitProblems } from "../risk_guardian/limits.ts";
import type { NumberRule } from "../runtime/validate.ts";
import { show } from "../runtime/validate.ts";
import { parseSpec } from "../exchange/ib/mapping.ts";
import { at, bool, HTTP, known, num, obj, oneOf, type Problems, str, url } from "./config_fields.ts";

/** Symbol → increments and minimums the risk guardian checks orders against (see risk_guardian/checks.ts). */
export type VenueInstruments = Readonly<Record<string, InstrumentRules>>;

/** What every venue has, whatever its type. */
interface VenueCommon {
  readonly name: string;
  readonly instruments?: VenueInstruments;
  /** The account's currency: balances and P&L at this venue are in it (paper: "USD" by default; binance: `quote`). */
  readonly currency: string;
  /** This venue's own order limits, beside the account's (`risk`) and each strategy's. */
  readonly limits?: OrderLimits;
}

export type VenueConfig =
  | VenueCommon & {
    readonly type: "paper";
    readonly initialCash: number;
    /** Commission as a fraction of notional. */
    readonly commission: number;
    /** Slippage against the trader on every fill, in basis points of the price. */
    readonly slippageBps: number;
    readonly defaultStep: number;
    readonly allowShort: boolean;
  }
  | VenueCommon & {
    readonly type: "binance";
    readonly sandbox: boolean;
    /** Base URL replacing Binance's REST host (a fake, a mirror). */
    readonly apiUrl?: string;
    readonly apiKey: string;
    readonly secret: string;
    /** The key store entry the key and secret come from (its name; not secret). */
    readonly keystore?: string;
    readonly pollMs: number;
    readonly timeoutMs: number;
    readonly quote: string;
  }
  | VenueCommon & {
    readonly type: "ib";
    readonly host: string;
    /** TWS 7497 paper / 7496 live; IB Gateway 4002 paper / 4001 live. */
    readonly port: number;
    readonly clientId: number;
    readonly account?: string;
    /** Our symbol → IB contract (`{"secType": "FUT", "lastTradeDateOrContractMonth": "202612", ...}`). */
    readonly contracts: Readonly<Record<string, unknown>>;
    readonly pollMs: number;
    readonly timeoutMs: number;
  };

const INSTRUMENT_RULES = [
  "tickSize",
  "stepSize",
  "minQty",
  "minNotional",
  "multiplier",
  "margin",
  "commissionPerUnit",
] as const;
const VENUE_COMMON = ["type", "name", "instruments", "currency", "limits"];
/** What the simulated account is made of: a paper venue, or a binance venue run with --paper. */
const VENUE_SIM = ["initialCash", "commission", "slippageBps", "defaultStep", "allowShort"];
/** Each venue type's own fields (besides the common and simulated-account ones). */
export const VENUE_TYPES = {
  paper: [] as readonly string[],
  binance: [
    "sandbox",
    "apiUrl",
    "apiKey",
    "apiKeyEnv",
    "secretEnv",
    "pollMs",
    "timeoutMs",
    "quote",
  ] as readonly string[],
  ib: ["host", "port", "clientId", "account", "contracts", "pollMs", "timeoutMs"] as readonly string[],
} as const;
export type VenueType = keyof typeof VENUE_TYPES;
const TYPE_NAMES = Object.keys(VENUE_TYPES) as VenueType[];

/** The order limits a venue may have of its own (the account's order limits, counted over that venue only). */
export const VENUE_LIMIT_RULES: Readonly<Record<keyof OrderLimits, NumberRule>> = {
  maxPositionQty: { min: 0, hint: "units of the symbol" },
  maxGrossExposure: { min: 0, hint: "the venue's currency" },
  maxOrderNotional: { min: 0, hint: "the venue's currency" },
  maxOpenOrders: { min: 0, integer: true, hint: "a count of orders" },
  maxOrdersPerMinute: { min: 0, integer: true, hint: "a count of orders" },
};

/** The environment variable that holds a venue's API key (live mode needs it). */
export function venueKeyEnv(raw: unknown): string {
  const v = raw && typeof raw === "object" ? raw as Record<string, unknown> : {};
  return typeof v.apiKeyEnv === "string" ? v.apiKeyEnv : "BINANCE_API_KEY";
}

function parseInstruments(p: Problems, raw: unknown, where: string): VenueInstruments {
  const out: Record<string, InstrumentRules> = {};
  for (const [symbol, value] of Object.entries(obj(p, raw, `${where}.instruments`))) {
    const field = `${where}.instruments.${symbol}`;
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

function parseLimits(p: Problems, raw: unknown, field: string): OrderLimits | undefined {
  if (raw === undefined) return undefined;
  const r = obj(p, raw, field);
  for (const { key, why } of limitProblems(r, VENUE_LIMIT_RULES)) p.push({ field: at(field, key), why });
  return Object.keys(r).length > 0 ? r as OrderLimits : undefined;
}

/**
 * One venue at JSON path `where` ("venue", or "venues.NAME" whose key is its name: `named`). With `paper`, a live
 * venue type runs as the paper account (its simulated fields apply).
 */
export function parseVenue(
  p: Problems,
  raw: unknown,
  paper: boolean,
  env: (name: string) => string | undefined,
  where = "venue",
  named?: string,
): VenueConfig {
  const v = obj(p, raw, where, true);
  const given = oneOf(p, v.type, `${where}.type`, TYPE_NAMES, "paper");
  const type = given ?? "paper";
  const others = TYPE_NAMES.flatMap((t) =>
    t === type ? [] : VENUE_TYPES[t].filter((k) => !VENUE_TYPES[type].includes(k))
  );
  if (given !== undefined) {
    for (const key of Object.keys(v)) {
      const owner = TYPE_NAMES.find((t) => VENUE_TYPES[t].includes(key));
      if (others.includes(key) && owner) {
        p.push({ field: `${where}.${key}`, why: `only used by venue type "${owner}"` });
      }
    }
  }
  const allKeys = [...VENUE_COMMON, ...VENUE_SIM, ...TYPE_NAMES.flatMap((t) => VENUE_TYPES[t])];
  known(p, v, where, allKeys.filter((k) => named === undefined || k !== "name"));
  if (named !== undefined && v.name !== undefined) {
    p.push({ field: `${where}.name`, why: `the key of venues is the venue's name ("${named}"): leave name out` });
  }
  const name = named ?? str(p, v.name, `${where}.name`, type);
  const instruments = v.instruments === undefined ? {} : { instruments: parseInstruments(p, v.instruments, where) };
  const limits = parseLimits(p, v.limits, `${where}.limits`);
  const common = { name, ...instruments, ...(limits ? { limits } : {}) };
  // The simulated account's fields are checked even when a live venue ignores them: a wrong value is a mistake.
  const sim = {
    initialCash: num(p, v.initialCash, `${where}.initialCash`, { above: 0, hint: "quote currency" }, 10_000),
    commission: num(p, v.commission, `${where}.commission`, {
      min: 0,
      below: 0.1,
      hint: "a fraction of notional: 0.001 is 0.1 %; 10 % or more is a unit mistake",
    }, 0),
    slippageBps: num(p, v.slippageBps, `${where}.slippageBps`, {
      min: 0,
      below: 1_000,
      hint: "basis points of the price: 5 is 0.05 %; 10 % or more is a unit mistake",
    }, 0),
    defaultStep: num(p, v.defaultStep, `${where}.defaultStep`, { above: 0 }, type === "binance" ? 0.00001 : 1),
    allowShort: bool(p, v.allowShort, `${where}.allowShort`, type === "paper"),
  };
  const stored = type === "binance" ? keystoreRef(p, v, where) : undefined;
  const keyEnv = envVar(p, v.apiKeyEnv, `${where}.apiKeyEnv`, "BINANCE_API_KEY");
  const secretEnv = envVar(p, v.secretEnv, `${where}.secretEnv`, "BINANCE_API_SECRET");
  const binance = {
    sandbox: bool(p, v.sandbox, `${where}.sandbox`, false),
    ...(v.apiUrl !== undefined ? { apiUrl: url(p, v.apiUrl, `${where}.apiUrl`, HTTP) } : {}),
    pollMs: num(p, v.pollMs, `${where}.pollMs`, { min: 10, hint: "milliseconds" }, 1_000),
    timeoutMs: num(p, v.timeoutMs, `${where}.timeoutMs`, { min: 1, hint: "milliseconds" }, 10_000),
    quote: str(p, v.quote, `${where}.quote`, "USDT"),
  };
  const currency = v.currency === undefined
    ? type === "binance" ? binance.quote : "USD"
    : currencyCode(p, v.currency, `${where}.currency`);
  switch (type) {
    case "paper":
      return { type: "paper", ...common, currency, ...sim };
    case "binance": {
      if (paper) return { type: "paper", ...common, currency, ...sim };
      // Filled in from the store once it is unlocked (live_config.ts), or a problem says why not.
      if (stored !== undefined) {
        return { type: "binance", ...common, currency, ...binance, apiKey: "", secret: "", keystore: stored };
      }
      const apiKey = env(keyEnv);
      const secret = env(secretEnv);
      if (!apiKey) p.push({ field: `${where}.apiKey`, why: `live mode needs the API key in env ${keyEnv}` });
      if (!secret) p.push({ field: `${where}.secret`, why: `live mode needs the API secret in env ${secretEnv}` });
      return { type: "binance", ...common, currency, ...binance, apiKey: apiKey ?? "", secret: secret ?? "" };
    }
    case "ib":
      if (paper) return { type: "paper", ...common, currency, ...sim };
      return { type: "ib", ...common, currency, ...parseIb(p, v, where) };
  }
}

function parseIb(p: Problems, v: Record<string, unknown>, where: string) {
  const contracts = obj(p, v.contracts, `${where}.contracts`);
  if (Object.keys(contracts).length === 0) {
    p.push({ field: `${where}.contracts`, why: 'needs the symbols traded, e.g. {"AAPL": {"secType": "STK"}}' });
  }
  for (const [symbol, spec] of Object.entries(contracts)) {
    const why = parseSpec(symbol, spec);
    if (typeof why === "string") p.push({ field: `${where}.contracts.${symbol}`, why });
  }
  const account = v.account === undefined ? {} : { account: str(p, v.account, `${where}.account`) };
  return {
    host: str(p, v.host, `${where}.host`, "127.0.0.1"),
    port: num(p, v.port, `${where}.port`, { min: 1, integer: true, hint: "TWS 7497 paper / 7496 live" }, 7497),
    clientId: num(p, v.clientId, `${where}.clientId`, { min: 0, integer: true }, 1),
    ...account,
    contracts,
    // TWS pushes order updates: a poll reads memory, so it can be frequent.
    pollMs: num(p, v.pollMs, `${where}.pollMs`, { min: 10, hint: "milliseconds" }, 250),
    timeoutMs: num(p, v.timeoutMs, `${where}.timeoutMs`, { min: 1, hint: "milliseconds" }, 10_000),
  };
}

export const KEYSTORE_PREFIX = "keystore:";

/** The venue's raw `apiKey` names a key store entry (such a venue has live keys, as one with env keys does). */
export const hasStoredKey = (raw: unknown) => {
  const key = raw && typeof raw === "object" ? (raw as Record<string, unknown>).apiKey : undefined;
  return typeof key === "string" && key.startsWith(KEYSTORE_PREFIX);
};

/**
 * `apiKey`: only a reference to the key store, `keystore:NAME` (the entry holds the key and its secret). A key
 * itself in the file is refused: config files get copied, committed and pasted into tickets.
 */
export function keystoreRef(p: Problems, v: Record<string, unknown>, where = "venue"): string | undefined {
  if (v.apiKey === undefined) return undefined;
  if (typeof v.apiKey !== "string" || !v.apiKey.startsWith(KEYSTORE_PREFIX)) {
    p.push({
      field: `${where}.apiKey`,
      why: `must be "keystore:NAME" (a key stored with \`live keys add NAME\`); keys never sit in the config file`,
    });
    return undefined;
  }
  const name = v.apiKey.slice(KEYSTORE_PREFIX.length);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    p.push({ field: `${where}.apiKey`, why: `${show(name)} is not a key store name (letters, digits, _ . -)` });
    return undefined;
  }
  for (const other of ["apiKeyEnv", "secretEnv"]) {
    if (v[other] !== undefined) {
      p.push({ field: `${where}.${other}`, why: `not with ${where}.apiKey (the key store entry holds both)` });
    }
  }
  return name;
}

/** A currency code: letters and digits (USD, USDT, EUR, BTC). */
export function currencyCode(p: Problems, value: unknown, field: string): string {
  const code = str(p, value, field);
  if (code !== "" && !/^[A-Za-z0-9]{2,12}$/.test(code)) {
    p.push({ field, why: `must be a currency code such as "USD" or "USDT" (letters and digits), got ${show(code)}` });
  }
  return code;
}

/** The name of the environment variable holding a secret (the secret itself never sits in the file). */
function envVar(p: Problems, value: unknown, field: string, fallback: string): string {
  const name = str(p, value, field, fallback);
  if (name !== "" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    p.push({ field, why: `must be an environment variable's name (letters, digits, _), got ${show(name)}` });
  }
  return name;
}
