import assert from "node:assert/strict";
import { createApi } from "../../../actors/tui/api.ts";
import { emptySnapshot } from "../../../actors/tui/model.ts";
import { runCommand } from "../../../actors/tui/tui.ts";

/** A fake daemon: answers from `routes`, records every request. */
function fake(routes: Record<string, (url: URL) => Response>) {
  const seen: { method: string; path: string; auth: string | null; body: unknown }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "POST" ? await req.json() : undefined;
    seen.push({ method: req.method, path: url.pathname + url.search, auth: req.headers.get("authorization"), body });
    const route = routes[`${req.method} ${url.pathname}`];
    return route ? route(url) : Response.json({ error: `no route ${req.method} ${url.pathname}` }, { status: 404 });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, seen, close: () => server.shutdown() };
}

const ok = (doc: unknown) => () => Response.json(doc);
const BASE = {
  "GET /api/v1/status": ok({ risk: { trading: "ACTIVE" } }),
  "GET /api/v1/system/health": () => Response.json({ ok: false, reasons: ["halted"] }, { status: 503 }),
  "GET /api/v1/strategies": ok({ strategies: [{ id: "a", status: "ACTIVE" }] }),
  "GET /api/v1/orders": ok({ items: [], nextCursor: null }),
  "GET /api/v1/risk/metrics": ok({ trading: "ACTIVE" }),
  "GET /api/v1/risk/alerts": ok({ items: [], nextCursor: null }),
};

Deno.test("tui api: a daemon without /api/v1/logs is 'log unavailable'; a degraded health is still read", async () => {
  const daemon = fake(BASE);
  try {
    const api = createApi({ url: daemon.url, token: "t0k3n" });
    const s = await api.poll(emptySnapshot(daemon.url), { level: "info" }, () => 42);
    assert.deepEqual(s.log, { kind: "unavailable", why: "log unavailable: this daemon has no /api/v1/logs" });
    assert.deepEqual(s.health, { ok: false, reasons: ["halted"] });
    assert.deepEqual(s.errors, []);
    assert.equal(s.fetchedAt, 42);
    assert.ok(daemon.seen.every((r) => r.auth === "Bearer t0k3n"));
    assert.ok(daemon.seen.some((r) => r.path === "/api/v1/orders?status=open&limit=200"));
  } finally {
    await daemon.close();
  }
});

Deno.test("tui api: an endpoint that keeps no log (503) is 'log unavailable' with the daemon's reason", async () => {
  const daemon = fake({
    ...BASE,
    "GET /api/v1/logs": () => Response.json({ error: "this endpoint keeps no log" }, { status: 503 }),
  });
  try {
    const s = await createApi({ url: daemon.url }).poll(emptySnapshot(daemon.url), { level: "info" }, () => 1);
    assert.deepEqual(s.log, { kind: "unavailable", why: "log unavailable: this endpoint keeps no log" });
    assert.deepEqual(s.errors, []);
  } finally {
    await daemon.close();
  }
});

Deno.test("tui api: the log is followed with its filters, merged by seq; a failing call keeps the last value", async () => {
  let page = [{ seq: 2, ts: 2, level: "warn", actor: "x", msg: "two" }, {
    seq: 1,
    ts: 1,
    level: "info",
    actor: "x",
    msg: "one",
  }];
  let strategiesUp = true;
  const daemon = fake({
    ...BASE,
    "GET /api/v1/logs": () => Response.json({ items: page, nextCursor: null }),
    "GET /api/v1/strategies": () =>
      strategiesUp
        ? Response.json({ strategies: [{ id: "a", status: "ACTIVE" }] })
        : Response.json({ error: "the portfolio did not answer" }, { status: 503 }),
  });
  try {
    const api = createApi({ url: daemon.url });
    let s = await api.poll(emptySnapshot(daemon.url), { level: "warn", strategy: "ma-1" }, () => 1);
    assert.ok(daemon.seen.some((r) => r.path === "/api/v1/logs?level=warn&limit=200&strategy=ma-1"));
    page = [{ seq: 3, ts: 3, level: "error", actor: "x", msg: "three" }, page[0]];
    strategiesUp = false;
    s = await api.poll(s, { level: "warn" }, () => 2);
    assert.equal(s.log.kind, "lines");
    if (s.log.kind === "lines") assert.deepEqual(s.log.lines.map((l) => l.seq), [3, 2, 1]);
    assert.deepEqual(s.strategies, [{ id: "a", status: "ACTIVE" }], "the last good list stays");
    assert.deepEqual(s.errors, ["GET /api/v1/strategies answered 503: the portfolio did not answer"]);
  } finally {
    await daemon.close();
  }
});

Deno.test("tui api: commands post what the daemon's routes take, and a refusal is shown with its reason", async () => {
  const daemon = fake({
    "POST /api/v1/strategies/ma-1/stop": ok({ strategy: {} }),
    "POST /api/v1/strategies/ma-1/start": () =>
      Response.json({ error: "strategy ma-1 is QUARANTINED" }, { status: 409 }),
    "POST /api/v1/system/kill": ok({ ok: true }),
    "POST /api/v1/system/resume": ok({ ok: true }),
  });
  try {
    const api = createApi({ url: daemon.url, token: "t" });
    assert.deepEqual(await runCommand(api, { type: "stop", id: "ma-1", flatten: true }), {
      text: "ma-1 stopped, positions flattening",
      error: false,
    });
    assert.deepEqual(await runCommand(api, { type: "start", id: "ma-1" }), {
      text: "refused (409): strategy ma-1 is QUARANTINED",
      error: true,
    });
    await runCommand(api, { type: "kill", flatten: false });
    await runCommand(api, { type: "resume", reason: "checked" });
    assert.deepEqual(daemon.seen.map((r) => [r.path, r.body]), [
      ["/api/v1/strategies/ma-1/stop", { flatten: true, reason: "stopped from the terminal UI" }],
      ["/api/v1/strategies/ma-1/start", { reason: "started from the terminal UI" }],
      ["/api/v1/system/kill", { reason: "kill switch from the terminal UI", flatten: false }],
      ["/api/v1/system/resume", { reason: "checked" }],
    ]);
  } finally {
    await daemon.close();
  }
  const gone = await runCommand(createApi({ url: daemon.url }), { type: "kill", flatten: true });
  assert.equal(gone.error, true);
  assert.match(gone.text, /^cannot reach the daemon/);
});
