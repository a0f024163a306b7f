/** The control endpoint over a real in-process tree: dashboard page, status, live WebSocket push, kill switch. */
import assert from "node:assert/strict";
import { ADMIN, bearer, JSON_TYPE, startHarness } from "./harness.ts";

Deno.test("gateway: dashboard, /api/v1/status, /ws push, kill and resume (new paths and the old aliases)", async () => {
  const h = await startHarness({ control: { pushEveryMs: 50 } });
  const post = (path: string, body: unknown) =>
    fetch(`${h.url}${path}`, {
      method: "POST",
      headers: { ...JSON_TYPE, ...bearer(ADMIN) },
      body: JSON.stringify(body),
    })
      .then(async (r) => ({ status: r.status, body: await r.json() }));
  try {
    const page = await fetch(`${h.url}/`);
    assert.match(page.headers.get("content-type")!, /text\/html/);
    assert.match(page.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    const html = await page.text();
    assert.match(html, /<title>tradeactor<\/title>/);
    assert.doesNotMatch(html, /<script src=/, "self-contained: no external scripts");
    assert.match(html, /api\/v1\/system\/kill/);
    assert.match(html, /api\/v1\/session/);
    const script = html.slice(html.indexOf("<script>") + 8, html.indexOf("</script>"));
    assert.doesNotThrow(() => new Function(script), "the page's script parses");

    for (const path of ["/api/v1/status", "/status"]) {
      const status = await (await fetch(`${h.url}${path}`)).json();
      assert.equal(status.portfolio.total.equity, 5_000);
      assert.equal(status.risk.trading, "ACTIVE");
      assert.equal(status.adapter.phase, "ready");
    }

    const ws = new WebSocket(`${h.url.replace("http", "ws")}/ws`);
    const pushed = await new Promise<{ portfolio: { total: { equity: number } } }[]>((resolve, reject) => {
      const got: { portfolio: { total: { equity: number } } }[] = [];
      const guard = setTimeout(() => reject(new Error("no push within 5 s")), 5_000);
      ws.onmessage = (e) => {
        got.push(JSON.parse(e.data));
        if (got.length === 2) {
          clearTimeout(guard);
          resolve(got);
        }
      };
      ws.onerror = () => reject(new Error("websocket failed"));
    });
    assert.equal(pushed[1].portfolio.total.equity, 5_000);
    const closed = new Promise((resolve) => (ws.onclose = resolve));
    ws.close();
    await closed;

    const kill = await post("/api/v1/system/kill", { reason: "test" });
    assert.deepEqual(kill, { status: 200, body: { ok: true, reason: "test", flatten: true, journaled: true } });
    assert.equal(await h.trading(), "HALTED");
    assert.equal((await post("/api/v1/system/resume", {})).status, 400);
    assert.deepEqual(await post("/api/v1/system/resume", { reason: "checked" }), { status: 200, body: { ok: true } });
    assert.equal(await h.trading(), "ACTIVE");
    // The old paths run the same checks and do the same thing.
    assert.equal((await post("/kill", { reason: "old path", flatten: false })).status, 200);
    assert.equal(await h.trading(), "HALTED");
    assert.equal((await post("/resume", { reason: "old path" })).status, 200);
    assert.equal(await h.trading(), "ACTIVE");
    const unauthenticated = await fetch(`${h.url}/kill`, { method: "POST", headers: JSON_TYPE, body: "{}" });
    assert.equal(unauthenticated.status, 401);
    await unauthenticated.body?.cancel();

    const events = await h.journaled();
    assert.deepEqual(events.map((e) => [e.type, e.payload.why, e.payload.route]), [
      ["control:kill", "test", "POST /api/v1/system/kill"],
      ["control:resume", "checked", "POST /api/v1/system/resume"],
      ["control:kill", "old path", "POST /kill"],
      ["control:resume", "old path", "POST /resume"],
    ]);
    const notFound = await fetch(`${h.url}/api/v1/nothing`);
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();
    const wrongMethod = await fetch(`${h.url}/api/v1/system/kill`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    await wrongMethod.body?.cancel();
  } finally {
    await h.close();
  }
});
