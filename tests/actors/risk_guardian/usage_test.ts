/**
 * The risk metrics GetRiskState reports for the control API: exposure from positions at the last price, equity,
 * drawdown and daily P&L from the portfolio's updates, and the use of every limit as the checks measure it.
 */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { OrderRequest } from "../../../actors/protocol/mod.ts";
import type { RiskMetrics } from "../../../actors/risk_guardian/usage.ts";
import { testOrder } from "./orders.ts";

const module = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const RECORDER = new URL("./recorder.ts", import.meta.url).href;

Deno.test("risk metrics: exposure, leverage, drawdown, daily P&L and limit usage, per account and per strategy", async () => {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "owner", module: RECORDER },
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: {
          limits: {
            maxPositionQty: 100,
            maxGrossExposure: 20_000,
            maxOpenOrders: 4,
            dailyLossLimit: 1_000,
            priceBand: 0.2,
          },
          strategyLimits: { a: { maxPositionQty: 40, maxLoss: 500, maxOrdersPerMinute: 10 } },
          strategyCapital: { a: 6_000, b: 4_000 },
          exchanges: { sim: "t/exchange" },
        },
      },
      {
        kind: "actor",
        id: "exchange",
        module: module("exchange/sim/sim_exchange.ts"),
        config: { sim: { initialCash: 1_000_000, fillAt: "close" }, fillSubscribers: [] },
      },
    ],
  });
  try {
    host.tell("t/exchange", {
      type: "Bar",
      bar: { symbol: "X", timeframe: "1d", ts: 0, open: 100, high: 100, low: 100, close: 100, volume: 1e9 },
    });
    host.drain();
    let n = 0;
    const submit = (fields: Partial<OrderRequest>) => {
      const order = testOrder(`${fields.strategyId}-${++n}`, "a", clock.now(), fields);
      host.tell("t/risk", { type: "SubmitOrder", order, replyTo: "t/owner" });
      host.drain();
    };
    submit({ strategyId: "a", qty: 30 }); // filled at 100: a long 30
    submit({ strategyId: "b", side: "sell", qty: 10 }); // b short 10
    submit({ strategyId: "a", type: "limit", limitPrice: 95, qty: 5 }); // resting: a could reach 35
    host.tell("t/risk", { type: "MarkPrice", symbol: "X", price: 110 });
    // The day starts at 10,000; the account rose to 10,600 and fell to 10,300; a peaked at 6,400, is at 6,100.
    for (const [equity, a, b] of [[10_000, 6_000, 4_000], [10_600, 6_400, 4_200], [10_300, 6_100, 4_200]]) {
      host.tell("t/risk", { type: "EquityUpdate", equity, ts: 3_600_000, strategies: { a, b } });
    }
    host.drain();
    const reply = host.ask<{ type: string; metrics: RiskMetrics; capital: Record<string, number> }>("t/risk", {
      type: "GetRiskState",
    }, 1_000);
    host.drain();
    const { metrics, capital } = await reply;
    assert.deepEqual(capital, { a: 6_000, b: 4_000 });

    const account = metrics.account;
    assert.equal(account.gross, 40 * 110, "|30| + |−10| at the last price");
    assert.equal(account.net, 20 * 110);
    assert.equal(account.equity, 10_300);
    assert.equal(account.peakEquity, 10_600);
    assert.equal(account.drawdown, 1 - 10_300 / 10_600);
    assert.equal(account.leverage, 4_400 / 10_300);
    assert.equal(account.dayStartEquity, 10_000);
    assert.equal(account.dailyPnl, 300);
    // Account position: a's worst case (30 filled + 5 resting) plus b's 10, in the one symbol.
    assert.deepEqual(account.limits.maxPositionQty, { limit: 100, used: 45, usage: 0.45 });
    assert.deepEqual(account.limits.maxOpenOrders, { limit: 4, used: 1, usage: 0.25 });
    assert.deepEqual(account.limits.dailyLossLimit, { limit: 1_000, used: 0, usage: 0 });
    assert.deepEqual(account.limits.priceBand, { limit: 0.2, used: null, usage: null });
    // Worst-case gross: a's 35 and b's 10 at 110.
    assert.equal(account.limits.maxGrossExposure.used, 45 * 110);
    assert.equal(account.limits.maxLoss, undefined, "no such account limit");

    const a = metrics.strategies.a;
    assert.deepEqual([a.gross, a.net, a.equity, a.peakEquity], [30 * 110, 30 * 110, 6_100, 6_400]);
    assert.equal(a.drawdown, 1 - 6_100 / 6_400);
    assert.deepEqual(a.limits.maxPositionQty, { limit: 40, used: 35, usage: 35 / 40 });
    assert.deepEqual(a.limits.maxOrdersPerMinute, { limit: 10, used: 2, usage: 0.2 });
    // maxLoss counts from the capital: 6,000 → 6,100 is a gain, nothing used.
    assert.deepEqual(a.limits.maxLoss, { limit: 500, used: 0, usage: 0 });
    const b = metrics.strategies.b;
    assert.deepEqual([b.gross, b.net, b.equity, b.drawdown], [1_100, -1_100, 4_200, 0]);
    assert.deepEqual(b.limits, {});
  } finally {
    await host.stop();
  }
});
