/**
 * Strategies managed while the daemon runs, through a real HTTP client against a paper daemon replaying GOOG in
 * lockstep: add → start → trade → update params → stop → delete of a strategy while another keeps trading (whose
 * fills must equal its fills alone: strategies are sub-accounts at the paper venue), and a restart that comes back
 * with the same set and replays the journal without sending any order again.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { finished, paperConfig, readResult, sleep, spawnDaemon, writeConfig } from "./helpers.ts";

const A = { id: "ma-goog", strategy: "sma_cross", params: { fast: 10, slow: 20 }, capital: 10_000 };
/** Milliseconds of wall time per daily bar: the replay is paced so that calls land while it trades. */
const PACED = 86_400_000 / 15;
const opts = { sanitizeResources: false, sanitizeOps: false };

interface Fill {
  clientOrderId: string;
  strategyId: string;
  side: string;
  qty: number;
  price: number;
  ts: number;
}

function venue(initialCash: number) {
  return { type: "paper", name: "paper", initialCash, commission: 0.002, defaultStep: 1 };
}

/** Rows of a journal stream (read-only, while the daemon may be writing). */
function journal(dir: string, stream: string): { type: string; ts: number; payload: Record<string, unknown> }[] {
  const db = new DatabaseSync(join(dir, "journal.sqlite"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT type, ts, payload FROM journal_events WHERE stream = ? ORDER BY seq").all(
      stream,
    ) as { type: string; ts: number; payload: string }[];
    return rows.map((r) => ({ type: r.type, ts: Number(r.ts), payload: JSON.parse(r.payload) }));
  } finally {
    db.close();
  }
}

const barsOf = (dir: string) => journal(dir, "venue:paper").filter((r) => r.type === "Bar").length;
const fillsOf = (dir: string, strategyId: string) =>
  journal(dir, "venue:paper").filter((r) => r.type === "OrderFilled" && r.payload.strategyId === strategyId).length;

/** A fill as the strategy sees it (venue-wide counters in fill and venue order ids depend on the others). */
const own = (fills: Fill[], strategyId: string) =>
  fills.filter((f) => f.strategyId === strategyId).map(({ clientOrderId, side, qty, price, ts }) => ({
    clientOrderId,
    side,
    qty,
    price,
    ts,
  }));

/** Every submit the paper venue received: its client order id and market time. */
function submits(dir: string): { id: string; ts: number }[] {
  const db = new DatabaseSync(join(dir, "paper_venue.sqlite"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT client_order_id AS id, ts FROM venue_submits ORDER BY n").all() as {
      id: string;
      ts: number;
    }[];
    return rows.map((r) => ({ id: r.id, ts: Number(r.ts) }));
  } finally {
    db.close();
  }
}

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>) {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > 60_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The running daemon's API: the URL and generated token it published in control.json. */
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

type Api = Awaited<ReturnType<typeof connect>>;

async function ok(api: Api, method: string, path: string, body?: unknown, want = 200) {
  const r = await api(method, path, body);
  assert.equal(r.status, want, `${method} ${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

let alone: Promise<Fill[]> | undefined;
/** The first strategy by itself, on the same account: the fills every run with changes must reproduce. */
function reference(): Promise<Fill[]> {
  alone ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "live-strategies-ref-" });
    const path = await writeConfig(dir, paperConfig(dir, { strategies: [A], venue: venue(30_000) }));
    const { code, stderr } = await finished(spawnDaemon(path));
    assert.equal(code, 0, stderr);
    const fills = (await readResult(dir)).fills as unknown as Fill[];
    assert.ok(own(fills, A.id).length > 100, "the reference strategy should trade");
    await Deno.remove(dir, { recursive: true });
    return fills;
  })();
  return alone;
}

Deno.test({
  name: "strategies API: add → start → trade → update → stop → delete while another strategy trades on unchanged",
  ...opts,
  async fn() {
    const ref = await reference();
    const dir = await Deno.makeTempDir({ prefix: "live-strategies-" });
    const feed = { type: "replay", sources: [{ file: "/work/shared/data/backtesting_py/GOOG.csv", symbol: "GOOG" }] };
    const config = paperConfig(dir, { strategies: [A], venue: venue(30_000), feed: { ...feed, speed: PACED } });
    const child = spawnDaemon(await writeConfig(dir, config));
    const api = await connect(dir, child.pid);

    // This daemon has no api.dataDirs: backtests are refused by its configuration.
    const noData = await api("POST", "/api/v1/backtest", { reason: "none" });
    assert.equal(noData.status, 403);
    assert.match(noData.body.error, /set api\.dataDirs/);

    const available = await ok(api, "GET", "/api/v1/strategies/available");
    assert.deepEqual(available.strategies.map((s: { name: string }) => s.name), [
      "sma_cross",
      "mean_reversion",
      "momentum",
    ]);
    assert.equal(available.strategies[0].params.fast.type, "int");

    // Refused before anything starts, each saying why.
    const bad = await api("POST", "/api/v1/strategies", {
      id: "b",
      strategy: "sma_cross",
      params: { fast: 30, slow: 10 },
      capital: 10_000,
      reason: "test",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /parameter "fast" must be below slow/);
    const path = await api("POST", "/api/v1/strategies", {
      id: "b",
      strategy: "../../etc/passwd.ts",
      capital: 10_000,
      reason: "test",
    });
    assert.equal(path.status, 400);
    assert.match(path.body.error, /built-ins are sma_cross/);
    const rich = await api("POST", "/api/v1/strategies", {
      id: "b",
      strategy: "sma_cross",
      capital: 30_000,
      reason: "t",
    });
    assert.equal(rich.status, 400);
    assert.match(rich.body.error, /above the paper account's cash/);
    const unknownSymbol = await api("POST", "/api/v1/strategies", {
      id: "b",
      strategy: "sma_cross",
      symbols: ["MSFT"],
      capital: 10_000,
      reason: "t",
    });
    assert.match(unknownSymbol.body.error, /no feed for MSFT/);

    const added = await ok(api, "POST", "/api/v1/strategies", {
      id: "b",
      strategy: "sma_cross",
      params: { fast: 5, slow: 15 },
      capital: 10_000,
      limits: { maxPositionQty: 10_000 },
      reason: "second opinion",
    }, 201);
    assert.deepEqual(added.strategy.params, { fast: 5, slow: 15, average: "sma", mode: "long_short", fraction: 1 });
    const twice = await api("POST", "/api/v1/strategies", { id: "b", strategy: "sma_cross", capital: 1, reason: "t" });
    assert.equal(twice.status, 409);

    const started = await ok(api, "POST", "/api/v1/strategies/b/start", { reason: "go" });
    assert.equal(started.strategy.status, "ACTIVE");
    await until("b trades", () => fillsOf(dir, "b") >= 2);

    const updated = await ok(api, "PUT", "/api/v1/strategies/b", {
      params: { fast: 3, slow: 12 },
      limits: { maxPositionQty: 5_000 },
      reason: "faster",
    });
    assert.equal(updated.strategy.params.fast, 3);
    assert.deepEqual(updated.strategy.limits, { maxPositionQty: 5_000 });
    const afterUpdate = fillsOf(dir, "b");
    await until("b trades with its new parameters", () => fillsOf(dir, "b") >= afterUpdate + 2);

    const stopped = await ok(api, "POST", "/api/v1/strategies/b/stop", { reason: "enough", flatten: true });
    assert.equal(stopped.strategy.status, "STOPPED");
    const listed = await ok(api, "GET", "/api/v1/strategies/b");
    assert.equal(listed.status, "STOPPED");
    assert.equal(listed.reason, "enough (by admin)");

    const removed = await ok(api, "DELETE", "/api/v1/strategies/b", { reason: "done", flatten: true });
    assert.equal(removed.removed, "b");
    assert.deepEqual((await ok(api, "GET", "/api/v1/strategies")).strategies.map((s: { id: string }) => s.id), [A.id]);
    assert.equal((await api("GET", "/api/v1/strategies/b")).status, 404);
    const health = await ok(api, "GET", "/api/v1/system/health");
    assert.equal(health.strategies.b, undefined, "a removed strategy is not reported");
    const reused = await api("POST", "/api/v1/strategies", { id: "b", strategy: "sma_cross", capital: 1, reason: "t" });
    assert.equal(reused.status, 409);
    assert.match(reused.body.error, /choose another id/);

    const { code, stderr } = await finished(child);
    assert.equal(code, 0, stderr);
    const result = await readResult(dir);
    const fills = result.fills as unknown as Fill[];
    assert.deepEqual(own(fills, A.id), own(ref, A.id), "the other strategy's fills changed");
    const b = own(fills, "b");
    assert.ok(b.length >= 4, "b traded");
    const held = b.reduce((q, f) => q + (f.side === "buy" ? f.qty : -f.qty), 0);
    assert.equal(held, 0, "b was flattened when stopped");
    // Every change journaled with who and why; the roster records what a restart needs.
    const control = journal(dir, "control").filter((r) => r.type.startsWith("control:strategy:"));
    assert.deepEqual(control.map((r) => [r.type, r.payload.who, r.payload.why]), [
      ["control:strategy:add", "admin", "second opinion"],
      ["control:strategy:start", "admin", "go"],
      ["control:strategy:update", "admin", "faster"],
      ["control:strategy:stop", "admin", "enough"],
      ["control:strategy:remove", "admin", "done"],
    ]);
    assert.deepEqual(journal(dir, "strategies").map((r) => r.type), [
      "strategy:add",
      "strategy:update",
      "strategy:remove",
    ]);
    assert.equal(submits(dir).length, new Set(submits(dir).map((s) => s.id)).size, "an order was sent twice");
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "strategies API: a restarted daemon comes back with the same set and replays it without sending an order again",
  ...opts,
  async fn() {
    const ref = await reference();
    const dir = await Deno.makeTempDir({ prefix: "live-strategies-restart-" });
    const feed = { type: "replay", sources: [{ file: "/work/shared/data/backtesting_py/GOOG.csv", symbol: "GOOG" }] };
    // The first run ends in order after 900 bars (everything decided by then is at the venue); the second goes on.
    const config = (limit?: number) =>
      paperConfig(dir, {
        strategies: [A],
        venue: venue(40_000),
        feed: { ...feed, speed: PACED, ...(limit ? { limit } : {}) },
      });
    const path = await writeConfig(dir, config(900));
    const first = spawnDaemon(path);
    let api = await connect(dir, first.pid);
    // Well into the replay: a replay that fed it from the start would send orders it never sent.
    await until("150 bars", () => barsOf(dir) >= 150);
    await ok(api, "POST", "/api/v1/strategies", {
      id: "b",
      strategy: "sma_cross",
      params: { fast: 5, slow: 15 },
      capital: 10_000,
      reason: "added",
    }, 201);
    await until("b trades", () => fillsOf(dir, "b") >= 2);
    await ok(api, "PUT", "/api/v1/strategies/b", { params: { fast: 3, slow: 12 }, reason: "faster" });
    const n = fillsOf(dir, "b");
    await until("b trades with its new parameters", () => fillsOf(dir, "b") >= n + 2);
    await ok(api, "POST", "/api/v1/strategies", {
      id: "c",
      strategy: "mean_reversion",
      capital: 10_000,
      reason: "third",
    }, 201);
    await ok(api, "POST", "/api/v1/strategies/c/stop", { reason: "paused", flatten: false });
    await ok(api, "POST", "/api/v1/strategies/b/stop", { reason: "held", flatten: false });
    // Long enough to have traded, had it been fed.
    const held = barsOf(dir);
    await until("60 bars while b is stopped", () => barsOf(dir) >= held + 60);
    await ok(api, "POST", "/api/v1/strategies/b/start", { reason: "back" });
    const m = fillsOf(dir, "b");
    await until("b trades again", () => fillsOf(dir, "b") >= m + 1);
    // d holds a position when it is stopped and flattened: the restart must not flatten it a second time.
    await ok(api, "POST", "/api/v1/strategies", {
      id: "d",
      strategy: "sma_cross",
      params: { fast: 4, slow: 10 },
      capital: 10_000,
      reason: "fourth",
    }, 201);
    await until("d holds a position", () => fillsOf(dir, "d") >= 1);
    await ok(api, "POST", "/api/v1/strategies/d/stop", { reason: "flat now", flatten: true });
    const flattened = () =>
      journal(dir, "venue:paper").some((r) =>
        r.type === "OrderFilled" && String(r.payload.clientOrderId).startsWith("d-flatten-")
      );
    await until("d flattened", flattened);
    const before = (await ok(api, "GET", "/api/v1/strategies")).strategies;
    const stopped = await finished(first);
    assert.equal(stopped.code, 0, stopped.stderr);

    const bars = journal(dir, "venue:paper").filter((r) => r.type === "Bar");
    assert.equal(bars.length, 900, "the changes were made before the first run ended");
    const lastBar = bars[bars.length - 1].ts;
    const sent = submits(dir).length;

    await writeConfig(dir, config());
    const second = spawnDaemon(path);
    api = await connect(dir, second.pid);
    const after = (await ok(api, "GET", "/api/v1/strategies")).strategies;
    // The roster's part (what runs, how, its status); the book beside it is the portfolio's, still recovering.
    const roster = (list: Record<string, unknown>[]) =>
      list.map(({ id, strategy, origin, params, symbols, capital, limits, status, reason, since }) => ({
        id,
        strategy,
        origin,
        params,
        symbols,
        capital,
        limits,
        status,
        reason,
        since,
      }));
    assert.deepEqual(roster(after), roster(before));
    assert.deepEqual(after.map((s: { id: string; status: string }) => [s.id, s.status]), [
      ["b", "ACTIVE"],
      ["c", "STOPPED"],
      ["d", "STOPPED"],
      [A.id, "ACTIVE"],
    ]);
    const { code, stderr } = await finished(second);
    assert.equal(code, 0, stderr);
    assert.ok(!stderr.includes("replay diverged"), stderr.split("\n").find((l) => l.includes("diverged")));

    // The replay re-sent every strategy's journaled orders (the adapter knew them all): the venue got nothing at
    // or before the last bar of the first run (a strategy fed other bars than the first time would send orders
    // it never sent), and no order twice.
    const later = submits(dir).slice(sent);
    assert.deepEqual(later.filter((s) => s.ts <= lastBar), [], `the replay sent orders again (${dir}, ${sent})`);
    assert.equal(submits(dir).length, new Set(submits(dir).map((s) => s.id)).size, "an order was sent twice");
    const fills = (await readResult(dir)).fills as unknown as Fill[];
    assert.deepEqual(own(fills, A.id), own(ref, A.id), "the first strategy's fills changed");
    assert.ok(own(fills, "b").some((f) => f.ts > lastBar), "b trades on after the restart");
    assert.ok(!own(fills, "c").some((f) => f.ts > lastBar), "c stays stopped");
    const d = own(fills, "d");
    assert.equal(d.filter((f) => f.clientOrderId.startsWith("d-flatten-")).length, 1, "d was flattened twice");
    assert.equal(d.reduce((q, f) => q + (f.side === "buy" ? f.qty : -f.qty), 0), 0, "d is flat");
    await Deno.remove(dir, { recursive: true });
  },
});
