/**
 * A daemon with two paper venues ("us" in USD, "eu" in EUR at 1.25) running one strategy on each, through the real
 * Worker tree: every order goes to its strategy's venue and nowhere else, each venue's bars reach only its own
 * strategies, the portfolio keeps each venue's books in its currency and the total in USD, and the kill switch
 * flattens the positions of both venues (each where it is held).
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { CLI, DENO_JSON, finished, GOOG, paperConfig, readResult, sleep, spawnDaemon, writeConfig } from "./helpers.ts";
import { startFakeTrading } from "../fakes/binance_trading.ts";

interface Book {
  balance: number;
  equity: number;
  positions: { symbol: string; qty: number }[];
}
interface Portfolio {
  total: Book;
  strategies: Record<string, Book>;
  venues: Record<string, Book & { currency: string; rate: number | null }>;
  base: { currency: string; equity: number | null };
}
interface Fill {
  strategyId: string;
  venue: string;
  side: string;
  qty: number;
  price: number;
  ts: number;
}

function twoVenueConfig(dir: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { venue: _, ...base } = paperConfig(dir);
  const sma = (id: string, venue: string) => ({
    id,
    venue,
    strategy: "sma_cross",
    params: { fast: 10, slow: 20 },
    capital: 10_000,
  });
  return {
    ...base,
    venues: {
      us: { type: "paper", initialCash: 10_000, commission: 0.002, defaultStep: 1 },
      eu: { type: "paper", initialCash: 10_000, commission: 0.002, defaultStep: 1, currency: "EUR" },
    },
    fx: { EUR: 1.25 },
    strategies: [sma("ma-us", "us"), sma("ma-eu", "eu")],
    ...overrides,
  };
}

function rows<T>(path: string, sql: string): T[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** The strategies whose orders a journal stream holds (by client order id prefix). */
function strategiesInStream(dir: string, stream: string): string[] {
  const records = rows<{ payload: string }>(
    join(dir, "journal.sqlite"),
    `SELECT payload FROM journal_events WHERE stream = '${stream}'`,
  );
  const ids = new Set<string>();
  for (const r of records) {
    const p = JSON.parse(r.payload);
    const id = p.intent?.command?.order?.strategyId ?? p.order?.strategyId ?? p.fill?.strategyId ?? p.strategyId;
    if (typeof id === "string") ids.add(id);
  }
  return [...ids].sort();
}

Deno.test({
  name: "two paper venues: orders route to their strategy's venue, books per venue, the total in the base currency",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-venues-" });
    try {
      const { code, stderr } = await finished(spawnDaemon(await writeConfig(dir, twoVenueConfig(dir))));
      assert.equal(code, 0, stderr);
      const result = await readResult(dir) as unknown as { fills: Fill[]; portfolio: Portfolio };
      const us = result.fills.filter((f) => f.strategyId === "ma-us");
      const eu = result.fills.filter((f) => f.strategyId === "ma-eu");
      assert.ok(us.length > 10, `${us.length} fills at us`);
      assert.equal(us.length + eu.length, result.fills.length);
      assert.ok(us.every((f) => f.venue === "us") && eu.every((f) => f.venue === "eu"), "each fill at its venue");
      // Same strategy, same bars, same costs at both venues: the same trades. A venue's bars reaching the other
      // venue's strategy (twice the bars) or an order sent to the wrong venue would break this.
      const trades = (fills: Fill[]) => fills.map((f) => [f.side, f.qty, f.price, f.ts]);
      assert.deepEqual(trades(eu), trades(us));
      // Each venue saw only its own strategy's orders: in the journal and at the venue itself.
      assert.deepEqual(strategiesInStream(dir, "venue:us"), ["ma-us"]);
      assert.deepEqual(strategiesInStream(dir, "venue:eu"), ["ma-eu"]);
      const submits = (file: string) =>
        rows<{ id: string }>(join(dir, file), "SELECT DISTINCT client_order_id AS id FROM venue_submits")
          .map((r) => r.id.split("-").slice(0, 2).join("-"));
      assert.deepEqual([...new Set(submits("paper_venue.sqlite"))], ["ma-us"]);
      assert.deepEqual([...new Set(submits("paper_venue-eu.sqlite"))], ["ma-eu"]);
      // Books per venue, each in its currency; the account's total in USD at the configured rate.
      const p = result.portfolio;
      assert.deepEqual(Object.keys(p.venues), ["us", "eu"]);
      assert.equal(p.venues.us.currency, "USD");
      assert.equal(p.venues.us.rate, 1);
      assert.equal(p.venues.eu.currency, "EUR");
      assert.equal(p.venues.eu.rate, 1.25);
      assert.equal(p.venues.us.balance, p.strategies["ma-us"].balance);
      assert.equal(p.venues.eu.balance, p.strategies["ma-eu"].balance);
      assert.equal(p.venues.us.equity, p.venues.eu.equity);
      assert.notEqual(p.venues.us.equity, 10_000, "it traded");
      assert.equal(p.base.currency, "USD");
      assert.ok(Math.abs(p.base.equity! - (p.venues.us.equity + 1.25 * p.venues.eu.equity)) < 1e-6);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function status(dir: string): Promise<{ portfolio: Portfolio; risk: { trading: string } } | undefined> {
  try {
    const { url } = JSON.parse(await Deno.readTextFile(join(dir, "control.json")));
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
    return await res.json();
  } catch {
    return undefined;
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const held = (book: Book | undefined) => (book?.positions ?? []).filter((p) => p.qty !== 0).length;

Deno.test({
  name: "two paper venues: the kill switch flattens the positions of both venues, each at its own",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-venues-kill-" });
    // One daily bar every ~20 ms: slow enough to act on a running daemon, fast enough to trade.
    const feed = { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }], speed: 86_400_000 / 20 };
    const child = spawnDaemon(await writeConfig(dir, twoVenueConfig(dir, { exitAtEnd: false, feed })));
    try {
      await until("positions at both venues", async () => {
        const s = await status(dir);
        return held(s?.portfolio.venues?.us) > 0 && held(s?.portfolio.venues?.eu) > 0;
      });
      child.kill("SIGUSR2");
      await until("HALTED and flat at both venues", async () => {
        const s = await status(dir);
        return s?.risk.trading === "HALTED" && held(s.portfolio.venues.us) === 0 && held(s.portfolio.venues.eu) === 0 &&
          held(s.portfolio.total) === 0;
      });
      // The flatten of ma-eu's position went to venue eu (not to the first venue, which has no such position).
      const killOrders = (stream: string) =>
        rows<{ payload: string }>(
          join(dir, "journal.sqlite"),
          `SELECT payload FROM journal_events WHERE stream = '${stream}' AND type = 'Command'`,
        ).map((r) => JSON.parse(r.payload).intent.command?.order).filter((o) => o && /-kill-/.test(o.clientOrderId))
          .map((o) => o.strategyId);
      assert.deepEqual(killOrders("venue:us"), ["ma-us"]);
      assert.deepEqual(killOrders("venue:eu"), ["ma-eu"]);
      child.kill("SIGTERM");
      assert.equal((await child.status).code, 0);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.stderr.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const BUY_ONCE = new URL("./fixtures/buy_once.ts", import.meta.url).pathname;

Deno.test({
  name: "paper and Binance (the fake) in one daemon: each strategy trades at its venue; the kill flattens both",
  sanitizeResources: false,
  async fn() {
    const fake = startFakeTrading({
      markets: [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }],
      apiKey: "k",
      secret: "s",
      prices: { BTCUSDT: 50_000 },
      balances: { USDT: 100_000, BTC: 0 },
    });
    const dir = await Deno.makeTempDir({ prefix: "live-venues-binance-" });
    const { venue: _, ...base } = paperConfig(dir);
    const config = {
      ...base,
      mode: "live",
      exitAtEnd: false,
      feed: {
        type: "replay",
        // The same daily bars as GOOG and as BTC/USDT: the Binance venue fills at its own price (50,000).
        sources: [{ file: GOOG, symbol: "GOOG" }, { file: GOOG, symbol: "BTC/USDT" }],
        speed: 86_400_000 / 20,
      },
      venues: {
        us: { type: "paper", initialCash: 10_000, defaultStep: 1 },
        bn: { type: "binance", apiUrl: fake.url, quote: "USDT", pollMs: 50 },
      },
      fx: { USDT: 1 },
      strategies: [
        { id: "p1", venue: "us", strategy: BUY_ONCE, params: { qty: 3 }, symbols: ["GOOG"], capital: 10_000 },
        { id: "b1", venue: "bn", strategy: BUY_ONCE, params: { qty: 0.01 }, symbols: ["BTC/USDT"], capital: 1_000 },
      ],
    };
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        DENO_JSON,
        CLI,
        "run",
        "--config",
        await writeConfig(dir, config),
        "--no-watchdog",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { TRADEACTOR_LOG: "warn", BINANCE_API_KEY: "k", BINANCE_API_SECRET: "s" },
    }).spawn();
    try {
      await until("a position at each venue", async () => {
        const s = await status(dir);
        return held(s?.portfolio.venues?.us) > 0 && held(s?.portfolio.venues?.bn) > 0;
      });
      // Only the Binance strategy's order reached Binance; the paper strategy's stayed on paper.
      assert.deepEqual(fake.submits.map((cid) => cid.split("-")[0]), ["b1"]);
      const s = (await status(dir))!;
      assert.equal(s.portfolio.venues.bn.currency, "USDT");
      assert.deepEqual(s.portfolio.venues.bn.positions.map((p) => [p.symbol, p.qty]), [["BTC/USDT", 0.01]]);
      assert.deepEqual(s.portfolio.venues.us.positions.map((p) => [p.symbol, p.qty]), [["GOOG", 3]]);
      child.kill("SIGUSR2");
      await until("HALTED and flat at both venues", async () => {
        const s = await status(dir);
        return s?.risk.trading === "HALTED" && held(s.portfolio.venues.us) === 0 && held(s.portfolio.venues.bn) === 0;
      });
      const kills = fake.submits.filter((cid) => cid.includes("-kill-"));
      assert.equal(kills.length, 1, `one flatten at Binance: ${fake.submits}`);
      assert.match(kills[0], /^b1-kill-/);
      child.kill("SIGTERM");
      assert.equal((await child.status).code, 0);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.stderr.cancel().catch(() => {});
      await fake.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
