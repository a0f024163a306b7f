/**
 * The control plane denies by default, checked through real HTTP and WebSocket clients: a page elsewhere cannot
 * halt or resume trading, a rebinding name is refused, bodies are strictly parsed and bounded, credentials and
 * scopes are enforced, clients are rate limited, and nothing refused reaches the journal or the risk guardian.
 */
import assert from "node:assert/strict";
import { ControlSecurityError, startControlServer } from "../../../actors/gateway/server.ts";
import { createSnapshotSource } from "../../../actors/gateway/snapshot.ts";
import { ADMIN, bearer, JSON_TYPE, rawRequest, READ, startHarness, stub } from "./harness.ts";

const EVIL = "http://evil.example";

async function expectStatus(res: Response | Promise<Response>, status: number): Promise<Record<string, unknown>> {
  const r = await res;
  const text = await r.text();
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

/** Opens a WebSocket with the given headers; "open" or "refused" (the upgrade was answered with an error). */
function tryWebSocket(url: string, headers: Record<string, string>): Promise<"open" | "refused"> {
  return new Promise((resolve, reject) => {
    // Deno's client can send headers (a browser sends Origin by itself).
    const ws = new WebSocket(url, { headers } as unknown as string[]);
    const guard = setTimeout(() => reject(new Error("no WebSocket outcome within 10 s")), 10_000);
    ws.onopen = () => {
      clearTimeout(guard);
      ws.onclose = () => resolve("open");
      ws.close();
    };
    ws.onerror = () => {
      clearTimeout(guard);
      resolve("refused");
    };
  });
}

Deno.test("security: a cross-origin text/plain POST (a simple request) cannot halt or resume trading", async () => {
  const h = await startHarness();
  try {
    for (const path of ["/kill", "/api/v1/system/kill", "/resume", "/api/v1/system/resume"]) {
      // Exactly what a hostile page can send without a preflight: text/plain, its own Origin, no credentials.
      const body = await expectStatus(
        fetch(`${h.url}${path}`, {
          method: "POST",
          headers: { "content-type": "text/plain;charset=UTF-8", origin: EVIL },
          body: JSON.stringify({ reason: "pwned" }),
        }),
        403,
      );
      assert.match(String(body.error), /evil\.example/);
    }
    // The same with the admin token but the wrong content type is still refused (415), and so is a cross-site fetch.
    await expectStatus(
      fetch(`${h.url}/api/v1/system/kill`, {
        method: "POST",
        headers: { "content-type": "text/plain", ...bearer(ADMIN) },
        body: "{}",
      }),
      415,
    );
    await expectStatus(
      fetch(`${h.url}/api/v1/system/kill`, {
        method: "POST",
        headers: { ...JSON_TYPE, ...bearer(ADMIN), "sec-fetch-site": "cross-site" },
        body: "{}",
      }),
      403,
    );
    assert.equal(await h.trading(), "ACTIVE");
    assert.deepEqual(await h.journaled(), []);
    // No CORS: the answer carries no Access-Control-Allow-Origin for a browser to honour.
    const res = await fetch(`${h.url}/api/v1/status`, { headers: { origin: EVIL } });
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    await res.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("security: a WebSocket from a foreign Origin is refused; the daemon's own origin is accepted", async () => {
  const h = await startHarness();
  try {
    const ws = `${h.url.replace("http", "ws")}/ws`;
    assert.equal(await tryWebSocket(ws, { origin: EVIL }), "refused");
    assert.equal(await tryWebSocket(ws, { origin: "null" }), "refused");
    assert.equal(await tryWebSocket(ws, { origin: h.url }), "open");
    assert.equal(h.server.pushStats().dropped, 0);
  } finally {
    await h.close();
  }
});

Deno.test("security: a request for a foreign Host (DNS rebinding) is refused; loopback names are served", async () => {
  const h = await startHarness();
  try {
    const evil = await rawRequest(
      h.port,
      `GET /api/v1/status HTTP/1.1\nHost: evil.example:${h.port}\nConnection: close`,
    );
    assert.equal(evil.status, 421, evil.text);
    assert.doesNotMatch(evil.text, /equity/);
    const kill = await rawRequest(
      h.port,
      `POST /kill HTTP/1.1\nHost: rebind.evil.example\nContent-Type: application/json\n` +
        `Authorization: Bearer ${ADMIN}\nContent-Length: 2\nConnection: close`,
      "{}",
    );
    assert.equal(kill.status, 421, kill.text);
    const missing = await rawRequest(h.port, `GET /health HTTP/1.0\nConnection: close`);
    assert.equal(missing.status, 421, missing.text);
    for (const host of [`localhost:${h.port}`, `127.0.0.1:${h.port}`]) {
      const ok = await rawRequest(h.port, `GET /api/v1/status HTTP/1.1\nHost: ${host}\nConnection: close`);
      assert.equal(ok.status, 200, ok.text);
    }
    assert.equal(await h.trading(), "ACTIVE");
    assert.deepEqual(await h.journaled(), []);
  } finally {
    await h.close();
  }
});

Deno.test("security: malformed, truncated, oversized or unexpected bodies are refused and nothing is journaled", async () => {
  const h = await startHarness();
  const kill = (body: BodyInit, extra: Record<string, string> = {}) =>
    fetch(`${h.url}/api/v1/system/kill`, {
      method: "POST",
      headers: { ...JSON_TYPE, ...bearer(ADMIN), ...extra },
      body,
    });
  try {
    // Truncated: once read as {} and flattened; now a 400 and nothing happens.
    assert.match(String((await expectStatus(kill('{"flatten": false'), 400)).error), /not valid JSON/);
    await expectStatus(kill(""), 400);
    await expectStatus(kill("[]"), 400);
    await expectStatus(kill('"halt"'), 400);
    assert.match(String((await expectStatus(kill('{"flatten": "no"}'), 400)).error), /"flatten" must be true or false/);
    assert.match(String((await expectStatus(kill('{"flaten": false}'), 400)).error), /unknown field "flaten"/);
    assert.match(String((await expectStatus(kill('{"__proto__": {}}'), 400)).error), /unknown field/);
    assert.match(String((await expectStatus(kill(JSON.stringify({ reason: "x".repeat(501) })), 400)).error), /501/);
    await expectStatus(kill(JSON.stringify({ reason: "   " })), 400);
    // 64 KB limit: declared by Content-Length, and streamed without one.
    const big = JSON.stringify({ reason: "x".repeat(70_000) });
    assert.match(String((await expectStatus(kill(big), 413)).error), /65536 bytes/);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(8_192)));
        controller.close();
      },
    });
    await expectStatus(kill(stream), 413);
    await expectStatus(
      fetch(`${h.url}/api/v1/system/resume`, {
        method: "POST",
        headers: { ...JSON_TYPE, ...bearer(ADMIN) },
        body: "{}",
      }),
      400,
    );
    assert.equal(await h.trading(), "ACTIVE");
    assert.deepEqual(await h.journaled(), []);
    const toRisk = (await h.received("g/exchange")).messages.filter((m) => m.type === "CancelAll");
    assert.deepEqual(toRisk, [], "no kill switch reached the venue");
  } finally {
    await h.close();
  }
});

Deno.test("security: tokens and scopes: no token, a wrong one, the read-only one cannot mutate; admin can", async () => {
  const h = await startHarness({ control: { tokens: { admin: ADMIN, read: READ } } });
  const kill = (headers: Record<string, string>) =>
    fetch(`${h.url}/api/v1/system/kill`, {
      method: "POST",
      headers: { ...JSON_TYPE, ...headers },
      body: JSON.stringify({ reason: "scope test", flatten: false }),
    });
  try {
    const none = await kill({});
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /Bearer/);
    await none.body?.cancel();
    await expectStatus(kill(bearer("not-the-token-at-all-0000")), 401);
    await expectStatus(kill({ authorization: "Basic YWRtaW46YWRtaW4=" }), 401);
    await expectStatus(kill(bearer(READ)), 403);
    assert.deepEqual(await h.journaled(), []);
    // A read token configured: reads need a credential even on loopback; health answers anyone, without the detail.
    await expectStatus(fetch(`${h.url}/api/v1/status`), 401);
    const status = await expectStatus(fetch(`${h.url}/api/v1/status`, { headers: bearer(READ) }), 200);
    assert.equal((status.risk as { trading: string }).trading, "ACTIVE");
    const anonymous = await expectStatus(fetch(`${h.url}/health`), 200);
    assert.deepEqual(Object.keys(anonymous).sort(), ["ok", "reasons", "status"]);
    const reader = await expectStatus(fetch(`${h.url}/api/v1/system/health`, { headers: bearer(READ) }), 200);
    assert.equal(reader.equity, 5_000);

    const ok = await expectStatus(kill(bearer(ADMIN)), 200);
    assert.equal(ok.ok, true);
    assert.equal(ok.journaled, true);
    assert.equal(await h.trading(), "HALTED");
    const events = await h.journaled();
    assert.equal(events.length, 1);
    assert.equal(events[0].stream, "control");
    assert.equal(events[0].type, "control:kill");
    assert.equal(events[0].payload.who, "admin");
    assert.equal(events[0].payload.why, "scope test");
    assert.doesNotMatch(JSON.stringify(events), new RegExp(ADMIN), "the token itself is never journaled");
  } finally {
    await h.close();
  }
});

Deno.test("security: a browser logs in with the token (HttpOnly SameSite=Strict cookie), then mutates same-origin", async () => {
  const h = await startHarness();
  const same = { origin: h.url, ...JSON_TYPE };
  try {
    await expectStatus(
      fetch(`${h.url}/api/v1/session`, { method: "POST", headers: same, body: JSON.stringify({ token: "wrong" }) }),
      401,
    );
    // Login from another origin is refused too (no login CSRF).
    await expectStatus(
      fetch(`${h.url}/api/v1/session`, {
        method: "POST",
        headers: { ...same, origin: EVIL },
        body: JSON.stringify({ token: ADMIN }),
      }),
      403,
    );
    assert.deepEqual(await h.journaled(), []);
    const login = await fetch(`${h.url}/api/v1/session`, {
      method: "POST",
      headers: same,
      body: JSON.stringify({ token: ADMIN }),
    });
    assert.equal(login.status, 200);
    const setCookie = login.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, new RegExp(ADMIN), "the cookie is a session id, not the token");
    assert.doesNotMatch(setCookie, /Secure/, "plain http on loopback: a Secure cookie would never be sent back");
    await login.body?.cancel();
    const cookie = setCookie.split(";")[0];

    const me = await expectStatus(fetch(`${h.url}/api/v1/session`, { headers: { cookie } }), 200);
    assert.deepEqual(me, { authenticated: true, who: "session", scope: "admin" });
    // The cookie alone from a foreign page (were it ever sent) is refused by the Origin check.
    await expectStatus(
      fetch(`${h.url}/api/v1/system/kill`, {
        method: "POST",
        headers: { ...same, origin: EVIL, cookie },
        body: JSON.stringify({ reason: "csrf" }),
      }),
      403,
    );
    assert.equal(await h.trading(), "ACTIVE");
    await expectStatus(
      fetch(`${h.url}/api/v1/system/kill`, {
        method: "POST",
        headers: { ...same, cookie, "sec-fetch-site": "same-origin" },
        body: JSON.stringify({ reason: "from the dashboard" }),
      }),
      200,
    );
    assert.equal(await h.trading(), "HALTED");
    await expectStatus(
      fetch(`${h.url}/api/v1/system/resume`, {
        method: "POST",
        headers: { ...same, cookie },
        body: JSON.stringify({ reason: "checked the logs" }),
      }),
      200,
    );
    assert.equal(await h.trading(), "ACTIVE");

    const logout = await fetch(`${h.url}/api/v1/session`, { method: "DELETE", headers: { ...same, cookie } });
    assert.equal(logout.status, 200);
    assert.match(logout.headers.get("set-cookie") ?? "", /Max-Age=0/);
    await logout.body?.cancel();
    await expectStatus(
      fetch(`${h.url}/api/v1/system/kill`, { method: "POST", headers: { ...same, cookie }, body: "{}" }),
      401,
    );
    const events = await h.journaled();
    assert.deepEqual(events.map((e) => [e.type, e.payload.who]), [
      ["control:session:open", "admin"],
      ["control:kill", "session"],
      ["control:resume", "session"],
      ["control:session:close", "session"],
    ]);
    assert.deepEqual(events.map((e) => e.payload.why), [
      "browser login",
      "from the dashboard",
      "checked the logs",
      "browser logout",
    ]);
  } finally {
    await h.close();
  }
});

Deno.test("security: a client over its rate is answered 429 with Retry-After, and nothing it sends is acted on", async () => {
  // A frozen clock: the bucket never refills during the test, whatever the machine's speed.
  const h = await startHarness({ control: { now: () => 1_000_000, limits: { rate: { burst: 5, perSecond: 0.5 } } } });
  try {
    for (let i = 0; i < 5; i++) await expectStatus(fetch(`${h.url}/api/v1/session`), 200);
    const limited = await fetch(`${h.url}/api/v1/system/kill`, {
      method: "POST",
      headers: { ...JSON_TYPE, ...bearer(ADMIN) },
      body: JSON.stringify({ reason: "flood" }),
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "2");
    await limited.body?.cancel();
    assert.equal(await fetch(`${h.url}/api/v1/status`).then((r) => (r.body?.cancel(), r.status)), 429);
    assert.equal(await fetch(`${h.url}/nothing`).then((r) => (r.body?.cancel(), r.status)), 429);
    // Liveness still answers: a flood must not get the daemon restarted by its orchestrator.
    await expectStatus(fetch(`${h.url}/health/live`), 200);
    assert.equal(await h.trading(), "ACTIVE");
    assert.deepEqual(await h.journaled(), []);
  } finally {
    await h.close();
  }
});

Deno.test("security: no public bind without a token; with one, everything but health needs it", async () => {
  const host = (await startHarness()).host;
  const base = {
    host,
    port: 0,
    paths: { risk: "g/risk", portfolio: "g/portfolio", exchange: "g/exchange", journal: "g/journal" },
  };
  try {
    assert.throws(
      () => startControlServer({ ...base, hostname: "0.0.0.0", tokens: {} }),
      (err: Error) => err instanceof ControlSecurityError && /TRADEACTOR_CONTROL_TOKEN/.test(err.message),
    );
    const server = startControlServer({ ...base, hostname: "0.0.0.0", tokens: { admin: ADMIN } });
    const url = `http://127.0.0.1:${new URL(server.url).port}`;
    try {
      await expectStatus(fetch(`${url}/api/v1/status`), 401);
      await expectStatus(fetch(`${url}/status`), 401);
      assert.equal(await tryWebSocket(`${url.replace("http", "ws")}/ws`, {}), "refused");
      const health = await expectStatus(fetch(`${url}/health`), 200);
      assert.deepEqual(Object.keys(health).sort(), ["ok", "reasons", "status"], "no account data without a token");
      const full = await expectStatus(fetch(`${url}/health`, { headers: bearer(ADMIN) }), 200);
      assert.equal(full.equity, 5_000);
      await expectStatus(fetch(`${url}/api/v1/status`, { headers: bearer(ADMIN) }), 200);
    } finally {
      await server.close();
    }
  } finally {
    await host.stop();
  }
});

Deno.test("security: /status is bounded, concurrent readers share one read, and a slow WebSocket is dropped", async () => {
  // A portfolio answering a huge document (long strings, thousands of rows), counted per ask.
  const huge = {
    total: {
      equity: 1,
      positions: Array.from({ length: 5_000 }, (_, i) => ({ symbol: `S${i}`, note: "n".repeat(5_000) })),
    },
  };
  const h = await startHarness({
    portfolio: stub("portfolio", { GetPortfolio: huge }),
    control: {
      pushEveryMs: 5,
      limits: {
        rate: { burst: 1_000, perSecond: 1 },
        wsBufferedBytes: 256 * 1024,
        clip: { maxString: 1_000, maxItems: 500, maxDepth: 8, maxBytes: 1_000_000 },
      },
    },
  });
  try {
    const text = await (await fetch(`${h.url}/api/v1/status`)).text();
    assert.ok(text.length <= 1_000_000, `status is ${text.length} characters`);
    const doc = JSON.parse(text);
    assert.equal(doc.portfolio.total.positions.length, 500);
    assert.match(doc.portfolio.total.positions[0].note, /… \(5000 chars\)$/);

    // 100 readers at once cost the actors one round of asks.
    const asked = (await h.received("g/portfolio")).asked.GetPortfolio;
    const read = createSnapshotSource(
      h.host,
      { risk: "g/risk", portfolio: "g/portfolio", exchange: "g/exchange" },
      3_000,
    );
    const docs = await Promise.all(Array.from({ length: 100 }, () => read()));
    assert.equal((await h.received("g/portfolio")).asked.GetPortfolio, asked + 1);
    assert.ok(docs.every((d) => d === docs[0]));

    // A client that completes the upgrade and then never reads: its unsent bytes grow until it is dropped.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: h.port });
    const key = btoa("0123456789abcdef");
    await conn.write(new TextEncoder().encode(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ));
    const head = new Uint8Array(1024);
    const n = await conn.read(head);
    assert.match(new TextDecoder().decode(head.subarray(0, n ?? 0)), /^HTTP\/1\.1 101/);
    const deadline = Date.now() + 60_000; // hang guard only
    while (h.server.pushStats().dropped === 0) {
      if (Date.now() > deadline) throw new Error("the slow client was never dropped");
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(h.server.pushStats().dropped, 1);
    assert.equal(h.server.pushStats().sockets, 0);
    conn.close();
  } finally {
    await h.close();
  }
});

Deno.test("security: a configured https origin (a TLS proxy) may log in and gets a Secure cookie", async () => {
  const h = await startHarness({ control: { allowedOrigins: ["https://ops.example.com"] } });
  try {
    const login = await fetch(`${h.url}/api/v1/session`, {
      method: "POST",
      headers: { ...JSON_TYPE, origin: "https://ops.example.com" },
      body: JSON.stringify({ token: ADMIN }),
    });
    assert.equal(login.status, 200);
    assert.match(login.headers.get("set-cookie") ?? "", /; Secure$/);
    await login.body?.cancel();
    await expectStatus(
      fetch(`${h.url}/api/v1/session`, {
        method: "POST",
        headers: { ...JSON_TYPE, origin: "https://other.example.com" },
        body: JSON.stringify({ token: ADMIN }),
      }),
      403,
    );
  } finally {
    await h.close();
  }
});
