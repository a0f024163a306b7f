/** The control endpoint over a real in-process tree: dashboard page, status, live WebSocket push, kill switch. */
import assert from "node:assert/strict";
import { createInProcessHost } from "../../../actors/runtime/mod.ts";
import { startControlServer } from "../../../actors/gateway/health.ts";

const actor = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;

Deno.test("gateway: dashboard, /status, /ws push and POST /kill", async () => {
  const host = createInProcessHost({ logSink: () => {} });
  await host.start({
    kind: "supervisor",
    id: "g",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "portfolio", module: actor("portfolio/portfolio.ts"), config: { capital: { s: 5_000 } } },
      {
        kind: "actor",
        id: "risk",
        module: actor("risk_guardian/risk_guardian.ts"),
        config: { limits: {}, exchanges: { paper: "g/exchange" } },
      },
      { kind: "actor", id: "exchange", module: new URL("./adapter_stub.ts", import.meta.url).href },
    ],
  });
  const server = startControlServer({
    host,
    hostname: "127.0.0.1",
    port: 0,
    paths: { risk: "g/risk", portfolio: "g/portfolio", exchange: "g/exchange" },
    pushEveryMs: 50,
  });
  try {
    const page = await fetch(`${server.url}/`);
    assert.match(page.headers.get("content-type")!, /text\/html/);
    const html = await page.text();
    assert.match(html, /<title>tradeactor<\/title>/);
    assert.doesNotMatch(html, /<script src=/, "self-contained: no external scripts");

    const status = await (await fetch(`${server.url}/status`)).json();
    assert.equal(status.portfolio.total.equity, 5_000);
    assert.equal(status.risk.trading, "ACTIVE");
    assert.equal(status.adapter.phase, "ready");

    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
    const pushed = await new Promise<{ portfolio: { total: { equity: number } } }[]>((resolve, reject) => {
      const got: { portfolio: { total: { equity: number } } }[] = [];
      ws.onmessage = (e) => {
        got.push(JSON.parse(e.data));
        if (got.length === 2) resolve(got);
      };
      ws.onerror = () => reject(new Error("websocket failed"));
      setTimeout(() => reject(new Error("no push within 5 s")), 5_000);
    });
    assert.equal(pushed[1].portfolio.total.equity, 5_000);
    const closed = new Promise((resolve) => (ws.onclose = resolve));
    ws.close();
    await closed;

    const kill = await (await fetch(`${server.url}/kill`, { method: "POST", body: JSON.stringify({ reason: "test" }) }))
      .json();
    assert.equal(kill.ok, true);
    const after = await (await fetch(`${server.url}/status`)).json();
    assert.equal(after.risk.trading, "HALTED");

    const refused = await fetch(`${server.url}/resume`, { method: "POST", body: "{}" });
    assert.equal(refused.status, 400);
    await refused.body?.cancel();
    const resumed =
      await (await fetch(`${server.url}/resume`, { method: "POST", body: JSON.stringify({ reason: "checked" }) }))
        .json();
    assert.equal(resumed.ok, true);
    const again = await (await fetch(`${server.url}/status`)).json();
    assert.equal(again.risk.trading, "ACTIVE");
  } finally {
    await server.close();
    await host.stop();
  }
});
