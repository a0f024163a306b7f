/**
 * The operator API on a running paper daemon, through a real HTTP and WebSocket client: every /api/v1 endpoint and
 * /ws channel, each answer checked against the schema the OpenAPI document publishes, numbers checked against the
 * journal and the portfolio, limits changed live, and the command line on top.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { ROUTE_MODULES } from "../../actors/gateway/server.ts";
import { createRouter } from "../../actors/gateway/router.ts";
import type { ControlDeps } from "../../actors/gateway/routes/deps.ts";
import { problem } from "../../actors/gateway/schema.ts";
import { CLI, DENO_JSON, GOOG, paperConfig, sleep, spawnDaemon, writeConfig } from "./helpers.ts";

// The routes as data (their schemas do not depend on the daemon): what each answer must look like.
const ROUTER = createRouter(ROUTE_MODULES.flatMap((module) => module({} as ControlDeps)));

// One daily bar every 20 ms: the channels see the replay happen; 500 bars end it in about ten seconds.
const SPEED = 86_400_000 / 20;

type Doc = Record<string, unknown>;

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms; // hang guard only
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function client(url: string, token: string) {
  const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const doc = text ? JSON.parse(text) : undefined;
    // Every answer has the shape the OpenAPI document gives for its route and status.
    const match = ROUTER.match(method, new URL(path, url).pathname);
    assert.equal(match.kind, "found", path);
    if (match.kind === "found") {
      const schema = match.route.responses?.[res.status]?.schema;
      if (schema) assert.equal(problem(schema, doc, "response"), undefined, `${method} ${path} → ${res.status}`);
      else if (res.status >= 400) assert.equal(typeof doc.error, "string", `${method} ${path} → ${res.status}`);
      else assert.fail(`${method} ${path} answered ${res.status}, which its route does not document`);
    }
    return { status: res.status, doc: doc as Doc };
  };
  return {
    get: (path: string) => call("GET", path),
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      call("POST", path, { body: typeof body === "string" ? body : JSON.stringify(body), headers }),
  };
}

/** Keeps every message of a channel. */
function channel(url: string) {
  const messages: Doc[] = [];
  const socket = new WebSocket(url);
  socket.onmessage = (e) => messages.push(JSON.parse(e.data));
  const closed = new Promise((resolve) => (socket.onclose = resolve));
  return {
    messages,
    ofType: (type: string) => messages.filter((m) => m.type === type),
    close: async () => {
      socket.close();
      await closed;
    },
  };
}

function journalRows(dir: string, sql: string): Doc[] {
  const db = new DatabaseSync(join(dir, "journal.sqlite"), { readOnly: true });
  try {
    return db.prepare(sql).all() as Doc[];
  } finally {
    db.close();
  }
}

const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { TRADEACTOR_CONTROL_TOKEN: "" },
  }).output();
  return {
    code: out.code,
    out: new TextDecoder().decode(out.stdout),
    err: new TextDecoder().decode(out.stderr),
  };
}

Deno.test({
  name: "api: every endpoint and channel on a running paper daemon",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "live-api-" });
    const configPath = await writeConfig(
      dir,
      paperConfig(dir, {
        exitAtEnd: false,
        venue: { type: "paper", name: "paper", initialCash: 20_000, commission: 0.002, defaultStep: 1 },
        feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }], speed: SPEED, limit: 500 },
        strategies: [
          { id: "ma-goog", strategy: "sma_cross", params: { fast: 10, slow: 20 }, capital: 10_000 },
          {
            id: "ma-fast",
            strategy: "sma_cross",
            params: { fast: 5, slow: 15 },
            capital: 10_000,
            limits: { maxPositionQty: 1_000 },
          },
        ],
      }),
    );
    const child = spawnDaemon(configPath);
    const sockets: { close(): Promise<void> }[] = [];
    try {
      const { url, token } = await until("control.json", async () => {
        try {
          return JSON.parse(await Deno.readTextFile(join(dir, "control.json"))) as { url: string; token: string };
        } catch {
          return undefined;
        }
      });
      const api = client(url, token);
      const ws = url.replace("http", "ws");
      const market = channel(`${ws}/ws/market/GOOG`);
      const positions = channel(`${ws}/ws/positions`);
      const orders = channel(`${ws}/ws/orders`);
      const performance = channel(`${ws}/ws/performance`);
      const alerts = channel(`${ws}/ws/alerts`);
      const logs = channel(`${ws}/ws/logs`);
      sockets.push(market, positions, orders, performance, alerts, logs);
      await until("the replay's end", async () => {
        const health = (await fetch(`${url}/api/v1/system/health`).then((r) => r.json())) as Doc;
        return (health.feed as Doc | undefined)?.state === "ended" || undefined;
      });

      await t.step("channels: a versioned snapshot first, then the replay's events as they happened", async () => {
        for (const c of [market, positions, orders, performance, alerts, logs]) {
          await until("a snapshot", () => c.messages.length > 0 || undefined);
          assert.equal(c.messages[0].v, 1);
          assert.equal(c.messages[0].type, "snapshot");
          assert.ok(c.messages.every((m) => m.v === 1 && typeof m.type === "string" && typeof m.channel === "string"));
        }
        const bars = market.ofType("bar");
        assert.ok(bars.length >= 10, `${bars.length} bars pushed`);
        const times = bars.map((m) => (m.bar as { ts: number }).ts);
        assert.deepEqual(times, [...times].sort((a, b) => a - b), "bars in order");
        assert.ok(bars.every((m) => m.symbol === "GOOG" && typeof m.seq === "number"));
        assert.ok(performance.ofType("equity").length >= 10);
        const pushed = orders.ofType("order").map((m) => m.order as Doc);
        assert.ok(pushed.some((o) => o.status === "filled"), "fills pushed as they happened");
        assert.ok(positions.ofType("positions").length >= 1);
      });

      await t.step(
        "GET /api/v1/strategies and /positions: the portfolio per strategy, the guardian's status",
        async () => {
          const { status, doc } = await api.get("/api/v1/strategies");
          assert.equal(status, 200);
          const list = doc.strategies as Doc[];
          assert.deepEqual(list.map((s) => [s.id, s.status, s.capital]), [
            ["ma-fast", "ACTIVE", 10_000],
            ["ma-goog", "ACTIVE", 10_000],
          ]);
          assert.deepEqual(list[0].limits, { maxPositionQty: 1_000 });
          for (const s of list) near(s.equity as number, (s.balance as number) + (s.unrealized as number), "equity");

          const all = (await api.get("/api/v1/positions")).doc;
          const strategies = all.strategies as Record<string, { symbol: string; qty: number }[]>;
          const summed = Object.values(strategies).flat().reduce((n, p) => n + p.qty, 0);
          const total = (all.total as { qty: number }[]).reduce((n, p) => n + p.qty, 0);
          assert.equal(total, summed, "the account's position is the strategies' sum");
          const one = (await api.get("/api/v1/positions?strategy=ma-goog")).doc;
          assert.deepEqual([one.total, Object.keys(one.strategies as Doc)], [[], ["ma-goog"]]);
          const none = (await api.get("/api/v1/positions?symbol=NONE")).doc;
          assert.deepEqual(none, { total: [], strategies: { "ma-fast": [], "ma-goog": [] } });
          assert.equal((await api.get("/api/v1/positions?strategy=a%20b")).status, 400);
        },
      );

      await t.step("GET /api/v1/orders and /trades: the journal's, paginated newest first, filtered", async () => {
        const submits = journalRows(
          dir,
          `SELECT COUNT(*) AS n FROM journal_events WHERE stream = 'venue:paper' AND type = 'Command'
           AND payload LIKE '%"kind":"submit"%'`,
        )[0].n as number;
        const fills = journalRows(
          dir,
          `SELECT COUNT(*) AS n FROM journal_events WHERE stream = 'venue:paper'
           AND type IN ('OrderFilled', 'OrderPartiallyFilled')`,
        )[0].n as number;
        assert.ok(submits > 4 && fills > 4, `${submits} orders, ${fills} fills`);

        const seen: Doc[] = [];
        let cursor: string | null = null;
        do {
          const { doc } = await api.get(`/api/v1/orders?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
          seen.push(...(doc.items as Doc[]));
          cursor = doc.nextCursor as string | null;
        } while (cursor !== null);
        assert.equal(seen.length, submits, "every order once, across pages");
        const seqs = seen.map((o) => o.seq as number);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), "newest first");
        assert.equal(new Set(seen.map((o) => o.clientOrderId)).size, seen.length);

        const filled = (await api.get("/api/v1/orders?status=filled&strategy=ma-goog&limit=500")).doc.items as Doc[];
        assert.ok(filled.length > 0 && filled.every((o) => o.status === "filled" && o.strategyId === "ma-goog"));
        assert.deepEqual((await api.get("/api/v1/orders?status=open")).doc.items, []);
        assert.deepEqual((await api.get(`/api/v1/orders?since=${Date.now() + 86_400_000}`)).doc.items, []);
        assert.equal((await api.get("/api/v1/orders?since=2099-01-01")).doc.nextCursor, null);
        assert.equal((await api.get("/api/v1/orders?status=lost")).status, 400);
        assert.equal((await api.get("/api/v1/orders?limit=0")).status, 400);
        assert.equal((await api.get("/api/v1/orders?page=2")).status, 400);

        const trades: Doc[] = [];
        cursor = null;
        do {
          const { doc } = await api.get(`/api/v1/trades?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
          trades.push(...(doc.items as Doc[]));
          cursor = doc.nextCursor as string | null;
        } while (cursor !== null);
        assert.equal(trades.length, fills);
        const mine = (await api.get("/api/v1/trades?strategy=ma-fast&limit=500")).doc.items as Doc[];
        assert.deepEqual(mine, trades.filter((f) => f.strategyId === "ma-fast"));
        // The positions are what the fills add up to.
        const qty = (id: string) =>
          trades.filter((f) => f.strategyId === id).reduce(
            (n, f) => n + (f.side === "buy" ? 1 : -1) * (f.qty as number),
            0,
          );
        const positionsNow = (await api.get("/api/v1/positions")).doc.strategies as Record<string, { qty: number }[]>;
        for (const id of ["ma-goog", "ma-fast"]) assert.equal(positionsNow[id][0]?.qty ?? 0, qty(id), id);
      });

      await t.step(
        "GET /api/v1/performance and /strategies/{id}/performance: the portfolio's equity, the backtest stats",
        async () => {
          const status = (await api.get("/api/v1/status")).doc as {
            portfolio: { total: { equity: number }; strategies: Record<string, { equity: number }> };
          };
          const { doc } = await api.get("/api/v1/performance");
          const account = doc.account as { capital: number; equity: number; stats: Doc };
          assert.equal(account.capital, 20_000);
          near(account.equity, status.portfolio.total.equity, "account equity");
          near(account.stats.equityFinal as number, account.equity, "the report's final equity");
          for (const id of ["ma-goog", "ma-fast"]) {
            near(
              (doc.strategies as Record<string, { equity: number }>)[id].equity,
              status.portfolio.strategies[id].equity,
              id,
            );
          }
          const one = (await api.get("/api/v1/strategies/ma-goog/performance?points=50")).doc;
          const points = one.points as [number, number][];
          assert.ok(points.length === 50, `${points.length} points`);
          near(points.at(-1)![1], status.portfolio.strategies["ma-goog"].equity, "the curve's last point");
          assert.equal(points[0][0], Date.UTC(2004, 7, 19), "the curve starts at the first bar");
          assert.equal(((one.stats as Doc).tradeCount as number) > 0, true);
          assert.equal((await api.get("/api/v1/strategies/nope/performance")).status, 404);
          assert.equal((await api.get("/api/v1/strategies/a%20b/performance")).status, 400);
          assert.equal((await api.get("/api/v1/strategies/ma-goog/performance?points=0")).status, 400);
        },
      );

      await t.step(
        "risk: metrics, a limit changed live (journaled, alerted, in force), refusals change nothing",
        async () => {
          const metrics = (await api.get("/api/v1/risk/metrics")).doc;
          assert.equal(metrics.trading, "ACTIVE");
          const fast = (metrics.strategies as Record<string, Doc>)["ma-fast"];
          const fastQty =
            ((await api.get("/api/v1/positions?strategy=ma-fast")).doc.strategies as Record<string, { qty: number }[]>)[
              "ma-fast"
            ][0]?.qty ?? 0;
          assert.deepEqual((fast.limits as Doc).maxPositionQty, {
            limit: 1_000,
            used: Math.abs(fastQty),
            usage: Math.abs(fastQty) / 1_000,
          });

          const limitsJournaled = () =>
            journalRows(dir, "SELECT COUNT(*) AS n FROM journal_events WHERE stream = 'risk' AND type = 'limits'")[0]
              .n as number;
          const before = limitsJournaled();
          const body = { scope: { kind: "account" }, limits: { maxOpenOrders: 7 }, reason: "api test" };
          // Refused before anything happens: no token, a foreign page, a simple request, malformed JSON, a bad limit.
          const raw = (headers: Record<string, string>, text: string) =>
            fetch(`${url}/api/v1/risk/limits`, { method: "POST", headers, body: text }).then(async (r) => {
              await r.body?.cancel();
              return r.status;
            });
          assert.equal(await raw({ "content-type": "application/json" }, JSON.stringify(body)), 401);
          assert.equal((await api.post("/api/v1/risk/limits", body, { origin: "http://evil.example" })).status, 403);
          assert.equal((await api.post("/api/v1/risk/limits", body, { "content-type": "text/plain" })).status, 415);
          assert.equal((await api.post("/api/v1/risk/limits", '{"scope": {"kind": "account"}')).status, 400);
          const refused = await api.post("/api/v1/risk/limits", { ...body, limits: { maxLoss: 5 } });
          assert.equal(refused.status, 400);
          assert.match((refused.doc.errors as string[])[0], /^limits\.maxLoss: unknown field/);
          assert.equal(limitsJournaled(), before, "nothing journaled for a refused change");

          const set = await api.post("/api/v1/risk/limits", body);
          assert.equal(set.status, 200);
          assert.equal((set.doc.limits as Doc).maxOpenOrders, 7);
          // The guardian journals the change through the journal actor: it lands a moment after the answer.
          await until("the change in the journal", () => limitsJournaled() === before + 1 || undefined);
          const after = (await api.get("/api/v1/risk/metrics")).doc;
          assert.deepEqual(((after.account as Doc).limits as Doc).maxOpenOrders, { limit: 7, used: 0, usage: 0 });
          assert.equal((after.limits as Doc).maxOpenOrders, 7);

          const pushed = await until(
            "the alert on /ws/alerts",
            () => alerts.ofType("alert").find((m) => m.message === "risk limits changed"),
          );
          const listed = (await api.get("/api/v1/risk/alerts?level=warn&limit=1")).doc.items as Doc[];
          assert.equal(listed[0].seq, pushed.seq, "the pushed alert is the newest in the list");
          assert.deepEqual((listed[0].fields as Doc).limits, { maxOpenOrders: 7 });
          assert.equal((await api.get("/api/v1/risk/alerts?level=info")).status, 400);
        },
      );

      await t.step("GET /api/v1/logs and /ws/logs: the daemon's log lines, filtered; pushed as written", async () => {
        const all = (await api.get("/api/v1/logs?limit=500")).doc.items as Doc[];
        const started = all.find((l) => l.msg === "daemon started");
        assert.ok(started, "the daemon's start is in the tail");
        assert.equal(started.actor, "daemon");
        assert.equal((started.fields as Doc).mode, "paper");
        const seqs = all.map((l) => l.seq as number);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), "newest first");
        const warnings = (await api.get("/api/v1/logs?level=warn&limit=500")).doc.items as Doc[];
        assert.ok(warnings.every((l) => l.level === "warn" || l.level === "error"));
        assert.ok(!warnings.some((l) => l.msg === "daemon started"), "an info line is below warn");
        const firstPage = await api.get("/api/v1/logs?limit=1");
        assert.equal((firstPage.doc.items as Doc[]).length, 1);
        const older = await api.get(`/api/v1/logs?limit=500&cursor=${firstPage.doc.nextCursor}`);
        assert.ok((older.doc.items as Doc[]).every((l) => (l.seq as number) < (seqs[0] ?? 0)));
        assert.equal((await api.get("/api/v1/logs?level=loud")).status, 400);
        assert.deepEqual((await api.get("/api/v1/logs?strategy=nobody")).doc.items, []);

        // The snapshot and the pushes together are the tail as the socket saw it: in seq order, nothing repeated.
        const [snapshot] = logs.ofType("snapshot");
        const seen = [...(snapshot.items as Doc[]), ...logs.ofType("log").map((m) => m.record as Doc)];
        assert.ok(seen.some((l) => l.msg === "daemon started"), "the socket saw the start");
        // The guardian's warnings of the limits step (one refused, one applied) were pushed to the open socket.
        const pushed = logs.ofType("log").map((m) => m.record as Doc);
        for (const msg of ["limit change refused", "risk limits changed"]) {
          const line = pushed.find((l) => l.msg === msg);
          assert.ok(line, `"${msg}" pushed`);
          assert.equal(line.level, "warn");
          assert.ok(warnings.some((l) => l.seq === line.seq), `"${msg}" listed with level=warn`);
        }
        const ordered = pushed.map((l) => l.seq as number);
        assert.deepEqual(ordered, [...ordered].sort((a, b) => a - b), "pushed in seq order");
      });

      await t.step("openapi: every route, its parameters, bodies and errors", async () => {
        const { doc } = await api.get("/api/v1/openapi.json");
        assert.equal(doc.openapi, "3.1.0");
        const paths = doc.paths as Record<string, Record<string, Doc>>;
        for (const route of ROUTER.routes) {
          const op = paths[route.path]?.[route.method.toLowerCase()];
          assert.ok(op, `${route.method} ${route.path}`);
          const responses = op.responses as Doc;
          if (!route.unmetered) assert.ok(responses["429"], `${route.path} documents 429`);
          if (route.body) assert.ok(responses["413"] && responses["415"] && responses["400"], route.path);
        }
        const limits = paths["/api/v1/risk/limits"].post;
        assert.deepEqual(
          ((limits.requestBody as Doc).content as Record<string, { schema: Doc }>)["application/json"].schema.required,
          ["scope", "limits", "reason"],
        );
        const orderParams = (paths["/api/v1/orders"].get.parameters as Doc[]).map((p) => p.name);
        assert.deepEqual(orderParams, ["strategy", "symbol", "status", "since", "limit", "cursor"]);
      });

      await t.step("command line: live strategies, positions, orders, limits [set] talk to the API", async () => {
        const strategies = await cli(["strategies", "--config", configPath]);
        assert.equal(strategies.code, 0, strategies.err);
        assert.match(strategies.out, /^trading: ACTIVE\nid\s+status\s+capital/);
        assert.match(strategies.out, /\nma-fast\s+ACTIVE\s+10000/);
        const json = await cli(["positions", "--config", configPath, "--json", "--strategy", "ma-goog"]);
        assert.equal(json.code, 0, json.err);
        assert.deepEqual(JSON.parse(json.out), (await api.get("/api/v1/positions?strategy=ma-goog")).doc);
        const listed = await cli(["orders", "--config", configPath, "--status", "filled", "--limit", "2"]);
        assert.equal(listed.code, 0, listed.err);
        assert.equal(listed.out.trim().split("\n").filter((l) => / filled /.test(l)).length, 2);
        assert.match(listed.out, /\nmore: --cursor \d+\n$/);
        const removed = await cli([
          "limits",
          "set",
          "maxOpenOrders=none",
          "--reason",
          "cli test",
          "--config",
          configPath,
        ]);
        assert.equal(removed.code, 0, removed.err);
        assert.equal(((await api.get("/api/v1/risk/metrics")).doc.limits as Doc).maxOpenOrders, undefined);
        const bad = await cli(["limits", "set", "maxLoss=5", "--reason", "x", "--config", configPath]);
        assert.equal(bad.code, 1);
        assert.match(bad.err, /daemon answered 400: limits\.maxLoss: unknown field/);
        const table = await cli(["limits", "--config", configPath]);
        assert.equal(table.code, 0, table.err);
        assert.match(table.out, /\nma-fast\s+maxPositionQty\s+1000\s/);
        const usage = await cli(["limits", "set", "--config", configPath, "--reason", "x"]);
        assert.equal(usage.code, 2, "no NAME=VALUE: a usage error");
      });
    } finally {
      for (const s of sockets) await s.close().catch(() => {});
      child.kill("SIGTERM");
      await child.status;
      await child.stderr.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});
