/**
 * GET /metrics: the Prometheus text format (every line a valid sample or comment, labels escaped), the figures it
 * reports (per-actor counters, fills, rejects, denials, equity, drawdown, feed lag, RSS), and the read rules of /status.
 */
import assert from "node:assert/strict";
import { renderMetrics } from "../../../actors/gateway/metrics.ts";
import { PROMETHEUS_TEXT } from "../../../actors/gateway/routes/metrics.ts";
import type { ActorStats } from "../../../actors/runtime/mod.ts";
import { ADMIN, bearer, READ, startHarness } from "./harness.ts";

const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/;

/** Every line is a HELP/TYPE comment or a sample; each family is declared once, before its samples. */
function parseExposition(text: string): Map<string, number> {
  assert.ok(text.endsWith("\n"), "the exposition ends with a line feed");
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trimEnd().split("\n")) {
    const type = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
    if (type) {
      assert.ok(!typed.has(type[1]), `${type[1]} declared twice`);
      typed.add(type[1]);
      continue;
    }
    if (line.startsWith("# HELP ")) continue;
    assert.match(line, SAMPLE);
    const name = line.slice(0, line.search(/[{ ]/));
    assert.ok(typed.has(name), `${name} sampled before its TYPE line`);
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const stats = (path: string, over: Partial<ActorStats> = {}): ActorStats => ({
  path,
  running: true,
  depth: 0,
  maxDepth: 0,
  processed: 0,
  conflated: 0,
  rejected: 0,
  restarts: 0,
  ...over,
});

Deno.test("metrics: the exposition has per-actor counters, order counts, equity, drawdown, feed lag and RSS", () => {
  const text = renderMetrics({
    actors: [stats("live/risk", { processed: 42, depth: 3, maxDepth: 7, restarts: 1 }), stats('odd"name\\x')],
    status: {
      portfolio: { total: { equity: 9_000 } },
      risk: {
        trading: "REDUCING",
        peakEquity: 12_000,
        openOrders: 2,
        counts: { OrderFilled: 5, OrderPartiallyFilled: 2, OrderRejected: 1, "decision:deny": 4, "decision:kill": 1 },
        strategies: { a: { status: "ACTIVE" }, b: { status: "QUARANTINED" } },
      },
      adapter: { phase: "ready", bars: { "BTC/USDT": { ts: 0, at: 1_000 } } },
    },
    treeFailed: false,
    rssBytes: 123_456_789,
    now: 31_000,
  });
  const m = parseExposition(text);
  assert.equal(m.get('tradeactor_actor_messages_total{actor="live/risk"}'), 42);
  assert.equal(m.get('tradeactor_actor_mailbox_depth{actor="live/risk"}'), 3);
  assert.equal(m.get('tradeactor_actor_mailbox_max_depth{actor="live/risk"}'), 7);
  assert.equal(m.get('tradeactor_actor_restarts_total{actor="live/risk"}'), 1);
  assert.equal(m.get('tradeactor_actor_running{actor="odd\\"name\\\\x"}'), 1, "label value escaped");
  assert.equal(m.get("tradeactor_fills_total"), 7);
  assert.equal(m.get("tradeactor_order_rejects_total"), 1);
  assert.equal(m.get("tradeactor_risk_denials_total"), 4);
  assert.equal(m.get('tradeactor_risk_decisions_total{decision="kill"}'), 1);
  assert.equal(m.get('tradeactor_trading_state{state="REDUCING"}'), 1);
  assert.equal(m.get('tradeactor_trading_state{state="ACTIVE"}'), 0);
  assert.equal(m.get('tradeactor_strategy_status{strategy="b",status="QUARANTINED"}'), 1);
  assert.equal(m.get("tradeactor_equity"), 9_000);
  assert.equal(m.get("tradeactor_drawdown_ratio"), 0.25);
  assert.equal(m.get('tradeactor_feed_lag_seconds{symbol="BTC/USDT"}'), 30);
  assert.equal(m.get("tradeactor_resident_memory_bytes"), 123_456_789);
  assert.equal(m.get("tradeactor_up"), 1);
  assert.equal(m.get("tradeactor_open_orders"), 2);
});

Deno.test("metrics: several venues: readiness and feed lag per venue; a venue that did not answer is not ready", () => {
  const text = renderMetrics({
    actors: [],
    status: {
      adapter: { phase: "ready", bars: { AAPL: { ts: 0, at: 1_000 } } },
      venues: {
        us: { phase: "ready", bars: { AAPL: { ts: 0, at: 1_000 } } },
        eu: { phase: "recovering", bars: { SAP: { ts: 0, at: 11_000 } } },
        fx: { error: "timeout" },
      },
    },
    treeFailed: false,
    rssBytes: 1,
    now: 31_000,
  });
  const m = parseExposition(text);
  assert.equal(m.get('tradeactor_venue_ready{venue="us"}'), 1);
  assert.equal(m.get('tradeactor_venue_ready{venue="eu"}'), 0);
  assert.equal(m.get('tradeactor_venue_ready{venue="fx"}'), 0);
  assert.equal(m.has("tradeactor_venue_ready"), false, "no unlabelled sample beside the labelled ones");
  assert.equal(m.get('tradeactor_feed_lag_seconds{venue="us",symbol="AAPL"}'), 30);
  assert.equal(m.get('tradeactor_feed_lag_seconds{venue="eu",symbol="SAP"}'), 20);
});

Deno.test("metrics: a part of the status that did not answer leaves its figures out instead of reporting zeros", () => {
  const text = renderMetrics({
    actors: [stats("live/portfolio", { running: false })],
    status: { portfolio: { error: "timeout" }, risk: { error: "timeout" }, adapter: { error: "timeout" } },
    treeFailed: true,
    rssBytes: 1,
    now: 0,
  });
  const m = parseExposition(text);
  assert.equal(m.get("tradeactor_up"), 0);
  assert.equal(m.get('tradeactor_actor_running{actor="live/portfolio"}'), 0);
  for (const gone of ["tradeactor_equity", "tradeactor_fills_total", "tradeactor_drawdown_ratio"]) {
    assert.equal(m.has(gone), false, gone);
  }
});

Deno.test("metrics: GET /metrics follows /status's read rules and reports the live tree's counters", async () => {
  const h = await startHarness({ control: { tokens: { admin: ADMIN, read: READ } } });
  try {
    const anonymous = await fetch(`${h.url}/metrics`);
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 401, "a read token is set: reads need it, on loopback too");
    // Order events through the guardian, and a kill switch: the counters follow.
    const fill = {
      fillId: "f1",
      clientOrderId: "c1",
      venueOrderId: "v1",
      strategyId: "s",
      venue: "paper",
      symbol: "X",
      side: "buy",
      qty: 1,
      price: 10,
      commission: 0,
      commissionCurrency: "USD",
      liquidity: "taker",
      ts: 0,
    };
    h.host.tell("g/risk", { type: "OrderFilled", clientOrderId: "c1", strategyId: "s", fill, filledQty: 1 });
    h.host.tell("g/risk", { type: "OrderRejected", clientOrderId: "c2", strategyId: "s", reason: "test", ts: 0 });
    h.host.tell("g/risk", { type: "KillSwitch", reason: "metrics test", flatten: false });
    await h.host.idle();
    for (const token of [READ, ADMIN]) {
      const res = await fetch(`${h.url}/metrics`, { headers: bearer(token) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), PROMETHEUS_TEXT);
      const m = parseExposition(await res.text());
      assert.ok(m.get('tradeactor_actor_messages_total{actor="g/risk"}')! >= 3);
      assert.equal(m.get("tradeactor_fills_total"), 1);
      assert.equal(m.get("tradeactor_order_rejects_total"), 1);
      assert.ok(m.get('tradeactor_risk_decisions_total{decision="kill"}')! >= 1);
      assert.equal(m.get('tradeactor_trading_state{state="HALTED"}'), 1);
      assert.equal(m.get("tradeactor_equity"), 5_000);
      assert.ok(m.get("tradeactor_resident_memory_bytes")! > 10 * 2 ** 20);
    }
    const alias = await fetch(`${h.url}/api/v1/metrics`, { headers: bearer(READ) });
    assert.equal(alias.status, 200);
    await alias.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("metrics: every metric the example alert rules use is one /metrics exports", async () => {
  const { parse } = await import("yaml");
  const file = new URL("../../../deploy/prometheus_alerts.yaml", import.meta.url);
  const doc = parse(await Deno.readTextFile(file)) as {
    groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
  };
  const source = await Deno.readTextFile(new URL("../../../actors/gateway/metrics.ts", import.meta.url));
  const exported = new Set([...source.matchAll(/"(tradeactor_[a-z_]+)"/g)].map((m) => m[1]));
  const rules = doc.groups.flatMap((g) => g.rules);
  assert.ok(rules.length >= 8);
  for (const rule of rules) {
    assert.ok(["critical", "warning"].includes(rule.labels.severity), rule.alert);
    for (const [name] of rule.expr.matchAll(/tradeactor_[a-z_]+/g)) {
      // A histogram's series are its name plus _bucket, _sum or _count.
      const family = exported.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
      assert.ok(exported.has(family), `${rule.alert}: ${name} is not exported by /metrics`);
    }
  }
});
