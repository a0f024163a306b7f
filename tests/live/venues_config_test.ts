/**
 * Several venues in one config: `venues` by name, each strategy at its venue, the account's total in a base currency.
 * The live tree gets one adapter and one feed per venue; the single-venue form (`venue`) keeps its tree.
 */
import assert from "node:assert/strict";
import { type LiveConfig, LiveConfigError, resolveLiveConfig } from "../../actors/system/live_config.ts";
import { buildLiveTree, PATHS, venuePaths } from "../../actors/system/live_tree.ts";
import { type ActorSpec, validateTree } from "../../actors/runtime/spec.ts";
import { GOOG, paperConfig } from "./helpers.ts";

const noEnv = () => undefined;
const DIR = "/tmp/unused";
// A second daily series: the same file under another symbol.
const BTC = GOOG;

const strategy = (id: string, venue: string | undefined, extra: Record<string, unknown> = {}) => ({
  id,
  strategy: "sma_cross",
  params: { fast: 10, slow: 20 },
  ...(venue !== undefined ? { venue } : {}),
  ...extra,
});

/** Two paper venues: "us" in USD (the default) and "eu" in EUR at a fixed rate. */
function twoVenues(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { venue: _, ...base } = paperConfig(DIR);
  return {
    ...base,
    venues: {
      us: { type: "paper", initialCash: 10_000, commission: 0.001 },
      eu: { type: "paper", initialCash: 8_000, currency: "EUR", limits: { maxPositionQty: 5 } },
    },
    fx: { EUR: 1.25 },
    strategies: [strategy("ma-us", "us", { capital: 10_000 }), strategy("ma-eu", "eu")],
    ...overrides,
  };
}

async function problemsOf(raw: unknown): Promise<{ field: string; why: string }[]> {
  try {
    await resolveLiveConfig(raw, { env: noEnv });
  } catch (err) {
    if (err instanceof LiveConfigError) return [...err.problems];
    throw err;
  }
  assert.fail("the config was accepted");
}

const child = (config: LiveConfig, id: string) =>
  buildLiveTree(config).children.find((c) => c.id === id) as ActorSpec | undefined;

Deno.test("venues: two paper venues resolve; each strategy at its venue, capital shared per venue", async () => {
  const config = await resolveLiveConfig(twoVenues(), { env: noEnv });
  assert.deepEqual(Object.keys(config.venues), ["us", "eu"]);
  assert.equal(config.venue.name, "us", "the first venue is the default");
  assert.equal(config.venues.eu.currency, "EUR");
  assert.equal(config.venues.us.currency, "USD");
  assert.deepEqual(config.venues.eu.limits, { maxPositionQty: 5 });
  assert.deepEqual(config.fx, { base: "USD", rates: { EUR: 1.25 }, symbols: {} });
  assert.deepEqual(config.strategies.map((s) => [s.id, s.venue, s.capital]), [
    ["ma-us", "us", 10_000],
    ["ma-eu", "eu", 8_000], // no capital given: all of its venue's cash
  ]);
  validateTree(buildLiveTree(config));
});

Deno.test("venues: one adapter and one feed per venue, orders routed by the guardian, strategies at theirs", async () => {
  const config = await resolveLiveConfig(twoVenues(), { env: noEnv });
  const ids = buildLiveTree(config).children.map((c) => c.id);
  assert.deepEqual(ids, ["journal", "portfolio", "risk", "strategies", "feed", "exchange", "feed-eu", "exchange-eu"]);
  assert.deepEqual(venuePaths(config, "eu"), { exchange: "live/exchange-eu", feed: "live/feed-eu" });
  assert.deepEqual(venuePaths(config, "us"), { exchange: PATHS.exchange, feed: PATHS.feed });
  const risk = child(config, "risk")!.config as Record<string, unknown>;
  assert.deepEqual(risk.exchanges, { us: "live/exchange", eu: "live/exchange-eu" });
  assert.deepEqual(risk.strategyVenues, { "ma-us": "us", "ma-eu": "eu" });
  assert.deepEqual(risk.venueLimits, { eu: { maxPositionQty: 5 } });
  assert.deepEqual(risk.nativeBrackets, { us: true, eu: true });
  const eu = child(config, "exchange-eu")!.config as {
    venue: string;
    feed: string;
    client: { path: string; sim: { initialCash: number; currency: string; strategyCapital: object } };
  };
  assert.equal(eu.venue, "eu");
  assert.equal(eu.feed, "live/feed-eu");
  assert.match(eu.client.path, /paper_venue-eu\.sqlite$/);
  assert.deepEqual(eu.client.sim.strategyCapital, { "ma-eu": 8_000 }, "only its own strategies' capital");
  assert.equal(eu.client.sim.initialCash, 8_000);
  assert.equal(eu.client.sim.currency, "EUR");
  const us = child(config, "exchange")!.config as { client: { path: string; sim: { strategyCapital: object } } };
  assert.match(us.client.path, /paper_venue\.sqlite$/);
  assert.deepEqual(us.client.sim.strategyCapital, { "ma-us": 10_000 });
  const portfolio = child(config, "portfolio")!.config as { venues: unknown };
  assert.deepEqual(portfolio.venues, {
    currencies: { us: "USD", eu: "EUR" },
    strategyVenues: { "ma-us": "us", "ma-eu": "eu" },
    defaultVenue: "us",
    fx: { base: "USD", rates: { EUR: 1.25 }, symbols: {} },
  });
  const strategies = buildLiveTree(config).children.find((c) => c.id === "strategies");
  const venueOf = (id: string) =>
    ((strategies as { children: readonly ActorSpec[] }).children.find((c) => c.id === id)!.config as { venue: string })
      .venue;
  assert.equal(venueOf("ma-us"), "us");
  assert.equal(venueOf("ma-eu"), "eu");
});

Deno.test("venues: a venue's feed carries only its strategies' symbols; a venue with none has no feed", async () => {
  const feed = { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }, { file: BTC, symbol: "BTC" }] };
  const config = await resolveLiveConfig(
    twoVenues({
      feed,
      venues: { us: { type: "paper" }, eu: { type: "paper" }, idle: { type: "paper" } },
      fx: undefined,
      strategies: [strategy("ma-us", "us", { symbols: ["GOOG"] }), strategy("ma-eu", "eu", { symbols: ["BTC"] })],
    }),
    { env: noEnv },
  );
  const sources = (id: string) => (child(config, id)!.config as { sources: { symbol: string }[] }).sources;
  assert.deepEqual(sources("feed").map((s) => s.symbol), ["GOOG", "BTC"], "the default venue's feed has every symbol");
  assert.deepEqual(sources("feed-eu").map((s) => s.symbol), ["BTC"]);
  assert.equal(child(config, "feed-idle"), undefined);
  assert.equal((child(config, "exchange-idle")!.config as { feed?: string }).feed, undefined);
  validateTree(buildLiveTree(config));
});

Deno.test("venues: the single-venue form is one venue, and its tree is unchanged", async () => {
  const config = await resolveLiveConfig(paperConfig(DIR), { env: noEnv });
  assert.deepEqual(Object.keys(config.venues), ["paper"]);
  assert.equal(config.venues.paper, config.venue);
  assert.equal(config.strategies[0].venue, undefined);
  const ids = buildLiveTree(config).children.map((c) => c.id);
  assert.deepEqual(ids, ["journal", "portfolio", "risk", "strategies", "feed", "exchange"]);
  const risk = child(config, "risk")!.config as Record<string, unknown>;
  assert.deepEqual(risk.exchanges, { paper: "live/exchange" });
  assert.equal(risk.strategyVenues, undefined);
  assert.equal((child(config, "portfolio")!.config as { venues?: unknown }).venues, undefined);
});

Deno.test("venues: fx from the feed's own quotes: a symbol whose price is the rate", async () => {
  const config = await resolveLiveConfig(
    twoVenues({
      feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }, { file: BTC, symbol: "BTC" }] },
      venues: { us: { type: "paper" }, crypto: { type: "paper", currency: "BTC" } },
      fx: { BTC: "BTC" },
      strategies: [strategy("ma-us", "us", { symbols: ["GOOG"] }), strategy("ma-b", "crypto", { symbols: ["GOOG"] })],
    }),
    { env: noEnv },
  );
  assert.deepEqual(config.fx, { base: "USD", rates: {}, symbols: { BTC: "BTC" } });
});

Deno.test("venues: every mistake is named by its path", async () => {
  const at = async (overrides: Record<string, unknown>) =>
    Object.fromEntries((await problemsOf(twoVenues(overrides))).map((p) => [p.field, p.why]));
  assert.match((await at({ venue: { type: "paper" } })).venues, /give either "venue" \(one venue\) or "venues"/);
  assert.match((await at({ venues: {} })).venues, /needs at least one venue/);
  assert.match((await at({ venues: [] })).venues, /must be an object/);
  const badName = await at({ venues: { "1st": { type: "paper" } }, strategies: [strategy("a", undefined)] });
  assert.match(badName["venues.1st"], /must start with a letter/);
  const named = await at({ venues: { us: { type: "paper", name: "other" }, eu: { type: "paper", currency: "EUR" } } });
  assert.match(named["venues.us.name"], /the key of venues is the venue's name \("us"\): leave name out/);
  assert.match(
    (await at({ venues: { us: { type: "ftx" }, eu: { type: "paper" } }, fx: undefined }))["venues.us.type"],
    /must be "paper" or "binance" or "ib", got "ftx"/,
  );
  assert.match(
    (await at({ venues: { us: { type: "paper", sandbox: true }, eu: { type: "paper" } }, fx: undefined }))[
      "venues.us.sandbox"
    ],
    /only used by venue type "binance"/,
  );
  assert.match(
    (await at({ venues: { us: { type: "paper", limits: { maxLoss: 5 } }, eu: { type: "paper" } }, fx: undefined }))[
      "venues.us.limits.maxLoss"
    ],
    /unknown field/,
  );
  assert.match(
    (await at({ venues: { us: { type: "paper", currency: "U$D" }, eu: { type: "paper" } }, fx: undefined }))[
      "venues.us.currency"
    ],
    /must be a currency code/,
  );
  const strategies = [strategy("a", undefined), strategy("b", "asia", { capital: 1 })];
  const noVenue = await at({ strategies });
  assert.match(noVenue["strategies[0].venue"], /required with several venues: one of "us", "eu"/);
  assert.match(noVenue["strategies[1].venue"], /unknown venue "asia" \(venues: "us", "eu"\)/);
  assert.match((await at({ fx: undefined }))["fx.EUR"], /required: venue eu is in EUR, the account's total in USD/);
  assert.match((await at({ fx: { EUR: 0 } }))["fx.EUR"], /must be a rate > 0 \(1 EUR = N USD\)/);
  assert.match((await at({ fx: { EUR: "EURUSD" } }))["fx.EUR"], /no feed for EURUSD \(feed has GOOG\)/);
  assert.match((await at({ fx: { EUR: 1.2, GBP: 1.3 } }))["fx.GBP"], /unknown field/);
  assert.match((await at({ baseCurrency: "" }))["baseCurrency"], /must be a non-empty string/);
  const over = await at({
    strategies: [strategy("a", "eu", { capital: 5_000 }), strategy("b", "eu", { capital: 5_000 })],
  });
  assert.match(over["strategies[1].capital"], /above venues\.eu\.initialCash \(8000\)/);
});

Deno.test("venues: the base currency may be any venue's, and a live venue in the set needs its keys", async () => {
  const config = await resolveLiveConfig(twoVenues({ baseCurrency: "EUR", fx: { USD: 0.8 } }), { env: noEnv });
  assert.deepEqual(config.fx, { base: "EUR", rates: { USD: 0.8 }, symbols: {} });
  const live = twoVenues({
    mode: "live",
    venues: { us: { type: "paper" }, bn: { type: "binance", quote: "USDT" } },
    fx: { USDT: 1 },
    strategies: [strategy("ma-us", "us", { capital: 5_000 }), strategy("ma-bn", "bn", { capital: 1_000 })],
  });
  const problems = await problemsOf(live);
  assert.deepEqual(problems.map((p) => p.field), ["venues.bn.apiKey", "venues.bn.secret"]);
  const resolved = await resolveLiveConfig(live, { env: (n: string) => `value-of-${n}` });
  assert.equal(resolved.mode, "live");
  assert.equal(resolved.venues.bn.type, "binance");
  assert.equal(resolved.venues.bn.currency, "USDT");
  const risk = (buildLiveTree(resolved).children.find((c) => c.id === "risk") as ActorSpec).config as {
    nativeBrackets: object;
  };
  assert.deepEqual(risk.nativeBrackets, { us: true, bn: false });
});
