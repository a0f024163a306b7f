/**
 * Strategies added while running choose their venue: a daemon with two paper venues ("us" in USD, "eu" in EUR) takes
 * `venue` on POST /api/v1/strategies (an unknown venue, or capital beyond that venue's cash, is refused before
 * anything starts), the added strategy's orders go to that venue only and its capital joins that venue's account;
 * a restarted daemon brings it back at the same venue and replays it without sending an order again.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { finished, GOOG, paperConfig, readResult, sleep, spawnDaemon, writeConfig } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
/** Daily bars 20 ms apart: slow enough for calls to land while it trades. */
const PACED = 86_400_000 / 50;

interface Fill {
  clientOrderId: string;
  strategyId: string;
  venue: string;
  ts: number;
}

function rows<T>(file: string, sql: string): T[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const journal = (dir: string, stream: string) =>
  rows<{ type: string; ts: number; payload: string }>(
    join(dir, "journal.sqlite"),
    `SELECT type, ts, payload FROM journal_events WHERE stream = '${stream}' ORDER BY seq`,
  ).map((r) => ({ type: r.type, ts: Number(r.ts), payload: JSON.parse(r.payload) }));
const fillsOf = (dir: string, stream: string, id: string) =>
  journal(dir, stream).filter((r) => r.type === "OrderFilled" && r.payload.strategyId === id).length;
const submits = (dir: string, file: string) =>
  rows<{ id: string; ts: number }>(join(dir, file), "SELECT client_order_id AS id, ts FROM venue_submits ORDER BY n")
    .map((r) => ({ id: r.id, ts: Number(r.ts) }));

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>) {
  const start = Date.now();
  for (;;) {
    let value;
    try {
      value = await check();
    } catch { /* not there yet (the journal before the daemon made it) */ }
    if (value) return value;
    if (Date.now() - start > 90_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function connect(dir: string, pid: number) {
  const control = await until("control.json", async () => {
    const doc = await Deno.readTextFile(join(dir, "control.json")).then(JSON.parse).catch(() => undefined);
    return doc?.pid === pid ? doc as { url: string; token: string } : undefined;
  });
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${control.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${control.token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };
}

function config(dir: string, limit?: number, speed = PACED) {
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
    feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }], speed, ...(limit ? { limit } : {}) },
    venues: {
      us: { type: "paper", initialCash: 10_000, commission: 0.002, defaultStep: 1 },
      eu: { type: "paper", initialCash: 25_000, commission: 0.002, defaultStep: 1, currency: "EUR" },
    },
    fx: { EUR: 1.25 },
    strategies: [sma("ma-us", "us"), sma("ma-eu", "eu")],
  };
}

Deno.test({
  name: "strategies API: an added strategy trades at the venue it names, and comes back there after a restart",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-strategies-venue-" });
    try {
      const path = await writeConfig(dir, config(dir, 700));
      const first = spawnDaemon(path);
      const api = await connect(dir, first.pid);
      await until("100 bars", () => journal(dir, "venue:us").filter((r) => r.type === "Bar").length >= 100);
      const add = (body: Record<string, unknown>) =>
        api("POST", "/api/v1/strategies", { id: "b", strategy: "sma_cross", reason: "test", ...body });
      const unknown = await add({ capital: 1_000, venue: "asia" });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error, /venue "asia" is not configured \(venues: us, eu\)/);
      const badName = await add({ capital: 1_000, venue: "../us" });
      assert.equal(badName.status, 400, "a venue name is checked by the schema too");
      // us is full (ma-us has its 10,000); eu has 15,000 free.
      const full = await add({ capital: 1_000 });
      assert.equal(full.status, 400, "no venue: the default venue (us), whose cash is taken");
      assert.match(full.body.error, /venues\.us\.initialCash 10000/);
      const rich = await add({ capital: 20_000, venue: "eu" });
      assert.equal(rich.status, 400);
      assert.match(rich.body.error, /venues\.eu\.initialCash 25000\); 15000 is free/);
      const added = await add({ capital: 15_000, venue: "eu", params: { fast: 5, slow: 15 } });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(added.body.strategy.venue, "eu");
      await until("b trades at eu", () => fillsOf(dir, "venue:eu", "b") >= 2);
      assert.equal(fillsOf(dir, "venue:us", "b"), 0, "none of b's orders went to us");
      const status = await api("GET", "/api/v1/status");
      // Equity (balances differ by how opposite positions of two strategies net at the venue).
      const p = status.body.portfolio;
      const equity = (id: string) => p.strategies[id].equity;
      assert.ok(
        Math.abs(p.venues.eu.equity - (equity("ma-eu") + equity("b"))) < 1e-6,
        "b's capital is in eu's account",
      );
      assert.ok(Math.abs(p.venues.us.equity - equity("ma-us")) < 1e-6, "and not in us's");
      const listed = await api("GET", "/api/v1/strategies/b");
      assert.equal(listed.body.venue, "eu");
      const stopped = await finished(first);
      assert.equal(stopped.code, 0, stopped.stderr);

      const bars = journal(dir, "venue:eu").filter((r) => r.type === "Bar");
      const lastBar = bars[bars.length - 1].ts;
      const sentEu = submits(dir, "paper_venue-eu.sqlite").length;
      await writeConfig(dir, config(dir, undefined, PACED * 4));
      const second = spawnDaemon(path);
      const api2 = await connect(dir, second.pid);
      const back = await api2("GET", "/api/v1/strategies/b");
      assert.equal(back.body.venue, "eu", "b comes back at eu");
      const { code, stderr } = await finished(second);
      assert.equal(code, 0, stderr);
      assert.ok(!stderr.includes("replay diverged"), stderr.split("\n").find((l) => l.includes("diverged")));
      const fills = (await readResult(dir)).fills as unknown as Fill[];
      const b = fills.filter((f) => f.strategyId === "b");
      assert.ok(b.length > 2 && b.every((f) => f.venue === "eu"), "every fill of b at eu");
      assert.ok(b.some((f) => f.ts > lastBar), "b trades on after the restart");
      const later = submits(dir, "paper_venue-eu.sqlite").slice(sentEu);
      assert.deepEqual(later.filter((s) => s.ts <= lastBar), [], "the replay sent orders again");
      const usIds = submits(dir, "paper_venue.sqlite").map((s) => s.id);
      assert.ok(!usIds.some((id) => id.startsWith("b-")), "an order of b reached us");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
