/**
 * Several venues in one daemon: `venues: {"NAME": {venue}, …}` (or the single-venue form `venue`, one entry named by
 * its `name`), and how the account's total is told in one currency: `baseCurrency` (default: the first venue's) and
 * `fx`, each other venue currency's rate in it: a number (a fixed rate, 1 EUR = 1.08 USD) or the symbol of a feed
 * whose price is that rate (`"BTC": "BTC/USDT"`: the venue's own quotes).
 */
import { show } from "../runtime/validate.ts";
import { known, obj, type Problems, type Raw } from "./config_fields.ts";
import { currencyCode, hasStoredKey, parseVenue, type VenueConfig, venueKeyEnv } from "./config_venue.ts";

export interface FxConfig {
  /** The currency the account's total is reported in. */
  readonly base: string;
  /** Fixed rates: 1 unit of the currency = rate × base. */
  readonly rates: Readonly<Record<string, number>>;
  /** Rates from market data: the last price of the symbol is the rate. */
  readonly symbols: Readonly<Record<string, string>>;
}

/** A venue's name: part of actor paths, journal streams and file names. */
export const VENUE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

interface VenueOptions {
  /** `--paper` (true), `--live` (false), or neither. */
  readonly paper?: boolean;
  readonly mode: "paper" | "live" | undefined;
  readonly env: (name: string) => string | undefined;
}

/** Every venue by name, in file order; at least one (a default paper account when the file has neither form). */
export function parseVenues(p: Problems, c: Raw, options: VenueOptions): Record<string, VenueConfig> {
  // Paper is the default when a venue's keys are not configured; --live or mode "live" insists on them.
  const paperFor = (raw: unknown) =>
    options.paper ??
      (options.mode === undefined ? !options.env(venueKeyEnv(raw)) && !hasStoredKey(raw) : options.mode === "paper");
  if (c.venues === undefined) {
    const venue = parseVenue(p, c.venue, paperFor(c.venue), options.env);
    return { [venue.name]: venue };
  }
  if (c.venue !== undefined) {
    p.push({ field: "venues", why: 'give either "venue" (one venue) or "venues" (several), not both' });
  }
  const raw = obj(p, c.venues, "venues");
  const out: Record<string, VenueConfig> = {};
  if (raw === c.venues && Object.keys(raw).length === 0) {
    p.push({ field: "venues", why: 'needs at least one venue, e.g. {"paper": {"type": "paper"}}' });
  }
  for (const [name, value] of Object.entries(raw)) {
    const where = `venues.${name}`;
    if (!VENUE_NAME.test(name)) {
      p.push({
        field: where,
        why: `venue name ${show(name)} must start with a letter and have at most 32 letters, digits, _ or -`,
      });
    }
    out[name] = parseVenue(p, value, paperFor(value), options.env, where, name);
  }
  if (Object.keys(out).length === 0) out.paper = parseVenue([], {}, true, options.env);
  return out;
}

/** `baseCurrency` and `fx`: every venue currency other than the base needs a rate. */
export function parseFx(
  p: Problems,
  c: Raw,
  venues: Readonly<Record<string, VenueConfig>>,
  feedSymbols: readonly string[] | undefined,
): FxConfig {
  const list = Object.values(venues);
  const base = c.baseCurrency === undefined ? list[0].currency : currencyCode(p, c.baseCurrency, "baseCurrency");
  const f = obj(p, c.fx, "fx", true);
  const used = new Map<string, string>(); // currency → the first venue in it
  for (const v of list) if (!used.has(v.currency)) used.set(v.currency, v.name);
  known(p, f, "fx", [...used.keys()].filter((cur) => cur !== base));
  const rates: Record<string, number> = {};
  const symbols: Record<string, string> = {};
  for (const [currency, value] of Object.entries(f)) {
    const field = `fx.${currency}`;
    if (!used.has(currency) || currency === base) continue; // reported by `known`
    if (typeof value === "number" && Number.isFinite(value) && value > 0) rates[currency] = value;
    else if (typeof value === "string" && value !== "") {
      if (feedSymbols && !feedSymbols.includes(value)) {
        p.push({
          field,
          why: `no feed for ${value} (feed has ${feedSymbols.join(", ")}): its price would be the rate`,
        });
      }
      symbols[currency] = value;
    } else {
      p.push({
        field,
        why: `must be a rate > 0 (1 ${currency} = N ${base}) or the symbol of a feed whose price is that rate, got ${
          show(value)
        }`,
      });
    }
  }
  for (const [currency, venue] of used) {
    if (currency === base || f[currency] !== undefined) continue;
    p.push({
      field: `fx.${currency}`,
      why: `required: venue ${venue} is in ${currency}, the account's total in ${base}; give a rate ` +
        `(1 ${currency} = N ${base}) or the symbol of a feed whose price is that rate`,
    });
  }
  return { base, rates, symbols };
}
