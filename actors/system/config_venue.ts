/**
 * The live config's `venue`: the paper account, Binance with its keys from the environment, or Interactive Brokers
 * through a running TWS / IB Gateway (which holds the login; see README "Going live").
 */
import type { InstrumentRules } from "../risk_guardian/checks.ts";
import { show } from "../runtime/validate.ts";
import { parseSpec } from "../exchange/ib/mapping.ts";
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
    readonly pollMs: number;
    readonly timeoutMs: number;
    readonly quote: string;
  }
  | {
    readonly type: "ib";
    readonly name: string;
    readonly instruments?: VenueInstruments;
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

const INSTRUMENT_RULES = ["tickSize", "stepSize", "minQty", "minNotional", "multiplier"] as const;
const VENUE_COMMON = ["type", "name", "instruments"];
/** What the simulated account is made of: a paper venue, or a binance venue run with --paper. */
const VENUE_SIM = ["initialCash", "commission", "slippageBps", "defaultStep", "allowShort"];
const VENUE_BINANCE = ["sandbox", "apiUrl", "apiKeyEnv", "secretEnv", "pollMs", "timeoutMs", "quote"];
const VENUE_IB = ["host", "port", "clientId", "account", "contracts"];

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
  const given = oneOf(p, v.type, "venue.type", ["paper", "binance", "ib"] as const, "paper");
  const type = given ?? "paper";
  if (given === "paper") {
    for (const key of Object.keys(v)) {
      if (VENUE_BINANCE.includes(key)) p.push({ field: `venue.${key}`, why: 'only used by venue type "binance"' });
    }
  }
  known(p, v, "venue", [...VENUE_COMMON, ...VENUE_SIM, ...VENUE_BINANCE, ...VENUE_IB]);
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
  if (type === "ib") return { type, name, ...instruments, ...parseIb(p, v) };
  const apiKey = env(keyEnv);
  const secret = env(secretEnv);
  if (!apiKey) p.push({ field: "venue.apiKey", why: `live mode needs the API key in env ${keyEnv}` });
  if (!secret) p.push({ field: "venue.secret", why: `live mode needs the API secret in env ${secretEnv}` });
  return { type: "binance", name, ...instruments, ...binance, apiKey: apiKey ?? "", secret: secret ?? "" };
}

function parseIb(p: Problems, v: Record<string, unknown>) {
  const contracts = obj(p, v.contracts, "venue.contracts");
  if (Object.keys(contracts).length === 0) {
    p.push({ field: "venue.contracts", why: 'needs the symbols traded, e.g. {"AAPL": {"secType": "STK"}}' });
  }
  for (const [symbol, spec] of Object.entries(contracts)) {
    const why = parseSpec(symbol, spec);
    if (typeof why === "string") p.push({ field: `venue.contracts.${symbol}`, why });
  }
  const account = v.account === undefined ? {} : { account: str(p, v.account, "venue.account") };
  return {
    host: str(p, v.host, "venue.host", "127.0.0.1"),
    port: num(p, v.port, "venue.port", { min: 1, integer: true, hint: "TWS 7497 paper / 7496 live" }, 7497),
    clientId: num(p, v.clientId, "venue.clientId", { min: 0, integer: true }, 1),
    ...account,
    contracts,
    // TWS pushes order updates: a poll reads memory, so it can be frequent.
    pollMs: num(p, v.pollMs, "venue.pollMs", { min: 10, hint: "milliseconds" }, 250),
    timeoutMs: num(p, v.timeoutMs, "venue.timeoutMs", { min: 1, hint: "milliseconds" }, 10_000),
  };
}

/** The name of the environment variable holding a secret (the secret itself never sits in the file). */
function envVar(p: Problems, value: unknown, field: string, fallback: string): string {
  const name = str(p, value, field, fallback);
  if (name !== "" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    p.push({ field, why: `must be an environment variable's name (letters, digits, _), got ${show(name)}` });
  }
  return name;
}
