/**
 * /health tells the truth, through a real HTTP client: 200 only when everything is well, otherwise 503 with every
 * reason; the equity is the portfolio's; /health/live only says the process answers.
 */
import assert from "node:assert/strict";
import { simulatedClock } from "../../../actors/runtime/mod.ts";
import type { Journal } from "../../../storage/journal/types.ts";
import { type Harness, startHarness, stub } from "./harness.ts";

interface Health {
  ok: boolean;
  status: string;
  reasons: string[];
  equity?: number;
  trading?: string;
  venue?: { phase?: string };
  feed?: { state: string };
  strategies?: Record<string, { status: string; reason?: string }>;
}

async function health(h: Harness): Promise<{ code: number; body: Health }> {
  const res = await fetch(`${h.url}/api/v1/system/health`);
  return { code: res.status, body: await res.json() };
}

async function until(what: string, check: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + 20_000; // hang guard only
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("health: 200 when all is well, with the portfolio's equity (not the venue's balances); /health/live", async () => {
  const h = await startHarness();
  try {
    const { code, body } = await health(h);
    assert.equal(code, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.deepEqual(body.reasons, []);
    assert.equal(body.equity, 5_000, "the portfolio's equity; the stub venue reports 10,000 of balances");
    assert.equal(body.trading, "ACTIVE");
    assert.equal(body.venue?.phase, "ready");
    assert.deepEqual(body.strategies, {}, "a risk guardian without strategy statuses is tolerated");
    const old = await fetch(`${h.url}/health`);
    assert.equal(old.status, 200);
    await old.body?.cancel();
    const live = await fetch(`${h.url}/health/live`);
    assert.equal(live.status, 200);
    assert.equal(await live.text(), "", "liveness carries no data");
  } finally {
    await h.close();
  }
});

Deno.test("health: 503 'halted' after the kill switch, 'reducing' when reducing; liveness stays 200", async () => {
  const h = await startHarness();
  try {
    h.host.tell("g/risk", { type: "KillSwitch", reason: "test", flatten: true });
    let got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, ["halted"]);
    assert.equal(got.body.status, "unavailable");
    h.host.tell("g/risk", { type: "SetTradingState", state: "REDUCING", reason: "test" });
    got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, ["reducing"]);
    const live = await fetch(`${h.url}/health/live`);
    assert.equal(live.status, 200);
    await live.body?.cancel();
    h.host.tell("g/risk", { type: "SetTradingState", state: "ACTIVE", reason: "test" });
    assert.equal((await health(h)).code, 200);
  } finally {
    await h.close();
  }
});

Deno.test("health: a quarantined or stopped strategy makes it 503 (risk guardian stub with strategy statuses)", async () => {
  const h = await startHarness({
    risk: stub("risk", {
      GetRiskState: {
        trading: "ACTIVE",
        strategies: {
          "ma-goog": { status: "ACTIVE" },
          "bad-one": { status: "QUARANTINED", reason: "restart intensity exceeded", since: 1_700_000_000_000 },
          "done": { status: "STOPPED", reason: "max loss" },
        },
      },
    }),
  });
  try {
    const { code, body } = await health(h);
    assert.equal(code, 503);
    assert.deepEqual(body.reasons, ["strategy quarantined: bad-one", "strategy stopped: done"]);
    assert.equal(body.strategies?.["bad-one"].reason, "restart intensity exceeded");
  } finally {
    await h.close();
  }
});

Deno.test("health: 'venue not reconciled' while the adapter recovers", async () => {
  const h = await startHarness({ adapter: { phase: "recovering" } });
  try {
    const { code, body } = await health(h);
    assert.equal(code, 503);
    assert.deepEqual(body.reasons, ["venue not reconciled"]);
    h.host.tell("g/exchange", { type: "Set", for: "GetAdapterState", reply: { venue: "paper", phase: "ready" } });
    assert.equal((await health(h)).code, 200);
  } finally {
    await h.close();
  }
});

Deno.test("health: a live feed goes stale when a bar is overdue by more than its timeframe plus the grace", async () => {
  const T0 = Date.UTC(2024, 0, 2, 3, 4, 0); // BTC's last bar opened 03:04 and closed 03:05
  let now = T0 + 60_000;
  const h = await startHarness({
    adapter: { bars: { "BTC/USDT": { ts: T0, at: T0 + 60_000 } } },
    control: {
      now: () => now,
      feed: {
        kind: "live",
        intervalMs: 60_000,
        graceMs: 30_000,
        startupGraceMs: 120_000,
        symbols: ["BTC/USDT", "ETH/USDT"],
      },
    },
  });
  try {
    let got = await health(h);
    assert.equal(got.code, 200, JSON.stringify(got.body));
    assert.equal(got.body.feed?.state, "awaiting first bar", "ETH has had no bar yet, within the startup grace");
    h.host.tell("g/exchange", {
      type: "Set",
      for: "GetAdapterState",
      reply: {
        venue: "paper",
        phase: "ready",
        bars: { "BTC/USDT": { ts: T0, at: T0 + 60_000 }, "ETH/USDT": { ts: T0, at: T0 + 60_000 } },
      },
    });
    now = T0 + 60_000 + 60_000 + 30_000; // the next bar is exactly one grace late
    got = await health(h);
    assert.equal(got.code, 200, JSON.stringify(got.body));
    assert.equal(got.body.feed?.state, "fresh");
    now += 1;
    got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, [
      "feed stale since 2024-01-02T03:05:00.000Z (BTC/USDT)",
      "feed stale since 2024-01-02T03:05:00.000Z (ETH/USDT)",
    ]);
  } finally {
    await h.close();
  }
});

Deno.test("health: a replay that has ended is not a stale feed", async () => {
  let now = 1_000_000;
  const policy = { kind: "paced", intervalMs: 100, graceMs: 1_000, startupGraceMs: 5_000 } as const;
  const h = await startHarness({
    extra: [{ ...stub("feed"), restart: "transient" }],
    control: { now: () => now, feed: policy },
  });
  try {
    now += 5_001; // no bar ever came, past the startup grace
    let got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, [`feed stale since ${new Date(1_000_000).toISOString()}`]);
    h.host.tell("g/feed", { type: "Stop" });
    await until("the feed's normal exit", async () => (await health(h)).code === 200);
    got = await health(h);
    assert.equal(got.body.feed?.state, "ended");
  } finally {
    await h.close();
  }
});

Deno.test("health: 'actor restarting' while a crashed actor waits for its restart, 200 once it is back", async () => {
  const clock = simulatedClock(1_000_000);
  const h = await startHarness({
    host: { clock, autoDrain: true },
    tree: { backoff: { minMs: 5_000, maxMs: 5_000, factor: 1 } },
    extra: [stub("flaky")],
  });
  try {
    assert.equal((await health(h)).code, 200);
    h.host.tell("g/flaky", { type: "Crash" });
    await until("the crash", async () => (await health(h)).body.reasons.includes("actor restarting: g/flaky"));
    const got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, ["actor restarting: g/flaky"]);
    clock.advanceTo(1_000_000 + 5_000); // the backoff elapses: the restart happens
    await until("the restart", async () => (await health(h)).code === 200);
  } finally {
    await h.close();
  }
});

Deno.test("health: a quarantined strategy's crash is reported as the quarantine, not as a restart", async () => {
  const clock = simulatedClock(1_000_000);
  const h = await startHarness({
    host: { clock, autoDrain: true },
    tree: { backoff: { minMs: 5_000, maxMs: 5_000, factor: 1 } },
    extra: [stub("flaky")],
    risk: stub("risk", {
      GetRiskState: { trading: "ACTIVE", strategies: { flaky: { status: "QUARANTINED", reason: "crash loop" } } },
    }),
    control: { paths: { strategy: (id: string) => `g/${id}` } },
  });
  try {
    h.host.tell("g/flaky", { type: "Crash" });
    await until("the crash", () => h.host.stats().some((s) => s.path === "g/flaky" && !s.running));
    const got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, ["strategy quarantined: flaky"]);
    clock.advanceTo(1_000_000 + 5_000);
    await until("the restart", () => h.host.stats().some((s) => s.path === "g/flaky" && s.running));
  } finally {
    await h.close();
  }
});

Deno.test("health: 'tree failed' once the supervision tree has given up", async () => {
  const h = await startHarness({
    tree: { intensity: { maxRestarts: 0, withinMs: 60_000 } },
    extra: [stub("flaky")],
    control: { askTimeoutMs: 1_000 },
  });
  try {
    h.host.tell("g/flaky", { type: "Crash" });
    await until("the fatal failure", () => h.host.fatal !== undefined);
    const { code, body } = await health(h);
    assert.equal(code, 503);
    assert.equal(body.reasons[0], "tree failed");
  } finally {
    await h.close();
  }
});

Deno.test("health: several venues: an unreconciled adapter or a stale feed at any venue is a reason naming it", async () => {
  const T0 = Date.UTC(2024, 0, 2, 3, 4, 0);
  let now = T0 + 60_000;
  const live = (symbols: string[]) =>
    ({ kind: "live", intervalMs: 60_000, graceMs: 30_000, startupGraceMs: 120_000, symbols }) as const;
  const bars = (...symbols: string[]) => Object.fromEntries(symbols.map((s) => [s, { ts: T0, at: T0 + 60_000 }]));
  const h = await startHarness({
    adapter: { venue: "us", bars: bars("AAPL") },
    extra: [
      stub("exchange-eu", { GetAdapterState: { venue: "eu", phase: "ready", bars: bars("SAP") } }),
      { ...stub("exchange-fx", { GetAdapterState: { venue: "fx", phase: "ready" } }), restart: "transient" },
    ],
    control: {
      now: () => now,
      askTimeoutMs: 500,
      feed: live(["AAPL"]),
      venues: [
        { name: "us", exchange: "g/exchange", feed: { path: "g/feed", policy: live(["AAPL"]) } },
        { name: "eu", exchange: "g/exchange-eu", feed: { path: "g/feed-eu", policy: live(["SAP"]) } },
        // A venue without a feed of its own: only its adapter counts.
        { name: "fx", exchange: "g/exchange-fx" },
      ],
    },
  });
  const detail = (body: Health) => (body as unknown as { venues: Record<string, { phase?: string }> }).venues;
  try {
    let got = await health(h);
    assert.equal(got.code, 200, JSON.stringify(got.body));
    assert.deepEqual(Object.keys(detail(got.body)), ["us", "eu", "fx"]);
    h.host.tell("g/exchange-eu", {
      type: "Set",
      for: "GetAdapterState",
      reply: { venue: "eu", phase: "recovering", bars: bars("SAP") },
    });
    got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, ["venue eu: not reconciled"]);
    assert.equal(detail(got.body).eu.phase, "recovering");
    // The us feed keeps coming; eu's stops: only eu's feed is stale.
    h.host.tell("g/exchange-eu", {
      type: "Set",
      for: "GetAdapterState",
      reply: { venue: "eu", phase: "ready", bars: bars("SAP") },
    });
    h.host.tell("g/exchange", {
      type: "Set",
      for: "GetAdapterState",
      reply: { venue: "us", phase: "ready", bars: { AAPL: { ts: T0 + 120_000, at: T0 + 180_000 } } },
    });
    now = T0 + 60_000 + 60_000 + 30_001;
    got = await health(h);
    assert.equal(got.code, 503);
    assert.deepEqual(got.body.reasons, ["venue eu: feed stale since 2024-01-02T03:05:00.000Z (SAP)"]);
    assert.equal(got.body.feed?.state, "fresh", "`feed` stays the default venue's");
    // An adapter that does not answer is not reconciled either.
    h.host.tell("g/exchange-fx", { type: "Stop" });
    await until("fx's adapter gone", async () => (await health(h)).body.reasons.includes("venue fx: not reconciled"));
    // /status has every venue's adapter.
    const status = await (await fetch(`${h.url}/api/v1/status`)).json() as { venues: Record<string, unknown> };
    assert.deepEqual(Object.keys(status.venues), ["us", "eu", "fx"]);
    assert.equal((status.venues.eu as { phase: string }).phase, "ready");
  } finally {
    await h.close();
  }
});

Deno.test("health and status stay cheap with several venues: no journal read, one ask per adapter per read", async () => {
  const calls: string[] = [];
  const journal = new Proxy({}, {
    get: (_, name) => (..._args: unknown[]) => {
      calls.push(String(name));
      return Promise.resolve([]);
    },
  }) as unknown as Journal;
  const h = await startHarness({
    adapter: { venue: "us" },
    extra: [stub("exchange-eu", { GetAdapterState: { venue: "eu", phase: "ready" } })],
    control: {
      journal,
      venues: [{ name: "us", exchange: "g/exchange" }, { name: "eu", exchange: "g/exchange-eu" }],
    },
  });
  try {
    const requests = 10;
    for (let i = 0; i < requests; i++) {
      assert.equal((await health(h)).code, 200);
      await (await fetch(`${h.url}/api/v1/status`)).body?.cancel();
    }
    assert.deepEqual(calls, [], "the journal is not read by /health or /status");
    for (const path of ["g/exchange", "g/exchange-eu"]) {
      const asked = (await h.received(path)).asked.GetAdapterState;
      assert.ok(asked >= 1 && asked <= 2 * requests, `${path} asked ${asked} times for ${2 * requests} reads`);
    }
  } finally {
    await h.close();
  }
});
