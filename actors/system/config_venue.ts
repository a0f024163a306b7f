/**
 * The live config's `venue`: the paper account, or Binance with its keys from the environment or from the encrypted
 * key store (`"apiKey": "keystore:NAME"`, unlocked by live_config.ts with keystore.ts).
 */
import type { InstrumentRules } from "../risk_guardian/checks.ts";
import { show } from "../runtime/validate.ts";
import { bool, HTTP, known, num, obj, oneOf, type Problems, str, url } from "./config_fields.ts";

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
    /** The key store entry the key and secret come from (its name; not secret). */
    readonly keystore?: string;
    readonly pollMs: number;
    readonly timeoutMs: number;
    readonly quote: string;
  };

const INSTRUMENT_RULES = ["tickSize", "stepSize", "minQty", "minNotional", "multiplier"] as const;
const VENUE_COMMON = ["type", "name", "instruments"];
/** What the simulated account is made of: a paper venue, or a binance venue run with --paper. */
const VENUE_SIM = ["initialCash", "commission", "slippageBps", "defaultStep", "allowShort"];
const VENUE_BINANCE = ["sandbox", "apiUrl", "apiKey", "apiKeyEnv", "secretEnv", "pollMs", "timeoutMs", "quote"];

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

export function parseVenue(
  p: Problems,
  raw: unknown,
  paper: boolean,
  env: (name: string) => string | undefined,
): VenueConfig {
  const v = obj(p, raw, "venue", true);
  const given = oneOf(p, v.type, "venue.type", ["paper", "binance"] as const, "paper");
  const type = given ?? "paper";
  if (given === "paper") {
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
  const stored = keystoreRef(p, v);
  const keyEnv = envVar(p, v.apiKeyEnv, "venue.apiKeyEnv", "BINANCE_API_KEY");
  const secretEnv = envVar(p, v.secretEnv, "venue.secretEnv", "BINANCE_API_SECRET");
  const binance = {
    sandbox: bool(p, v.sandbox, "venue.sandbox", false),
    ...(v.apiUrl !== undefined ? { apiUrl: url(p, v.apiUrl, "venue.apiUrl", HTTP) } : {}),
    pollMs: num(p, v.pollMs, "venue.pollMs", { min: 10, hint: "milliseconds" }, 1_000),
    timeoutMs: num(p, v.timeoutMs, "venue.timeoutMs", { min: 1, hint: "milliseconds" }, 10_000),
    quote: str(p, v.quote, "venue.quote", "USDT"),
  };
  if (paper || type === "paper") return { type: "paper", name, ...instruments, ...sim };
  // Filled in from the store once it is unlocked (live_config.ts), or a problem says why not.
  if (stored !== undefined) {
    return { type: "binance", name, ...instruments, ...binance, apiKey: "", secret: "", keystore: stored };
  }
  const apiKey = env(keyEnv);
  const secret = env(secretEnv);
  if (!apiKey) p.push({ field: "venue.apiKey", why: `live mode needs the API key in env ${keyEnv}` });
  if (!secret) p.push({ field: "venue.secret", why: `live mode needs the API secret in env ${secretEnv}` });
  return { type: "binance", name, ...instruments, ...binance, apiKey: apiKey ?? "", secret: secret ?? "" };
}

/** The name of the environment variable holding a secret (the secret itself never sits in the file). */
function envVar(p: Problems, value: unknown, field: string, fallback: string): string {
  const name = str(p, value, field, fallback);
  if (name !== "" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    p.push({ field, why: `must be an environment variable's name (letters, digits, _), got ${show(name)}` });
  }
  return name;
}

export const KEYSTORE_PREFIX = "keystore:";

/**
 * `venue.apiKey`: only a reference to the key store, `keystore:NAME` (the entry holds the key and its secret). A key
 * itself in the file is refused: config files get copied, committed and pasted into tickets.
 */
export function keystoreRef(p: Problems, v: Record<string, unknown>): string | undefined {
  if (v.apiKey === undefined) return undefined;
  if (typeof v.apiKey !== "string" || !v.apiKey.startsWith(KEYSTORE_PREFIX)) {
    p.push({
      field: "venue.apiKey",
      why: `must be "keystore:NAME" (a key stored with \`live keys add NAME\`); keys never sit in the config file`,
    });
    return undefined;
  }
  const name = v.apiKey.slice(KEYSTORE_PREFIX.length);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    p.push({ field: "venue.apiKey", why: `${show(name)} is not a key store name (letters, digits, _ . -)` });
    return undefined;
  }
  for (const other of ["apiKeyEnv", "secretEnv"]) {
    if (v[other] !== undefined) {
      p.push({ field: `venue.${other}`, why: "not with venue.apiKey (the key store entry holds both)" });
    }
  }
  return name;
}
