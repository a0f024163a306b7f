/** A daemon's documents as the TUI polls them: two strategies, positions both ways, an open order, logs, alerts. */
import type { Snapshot } from "../../../actors/tui/model.ts";

export const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

export const SNAPSHOT: Snapshot = {
  url: "http://127.0.0.1:8787",
  fetchedAt: NOW - 2_000,
  errors: [],
  status: {
    portfolio: {
      total: {
        balance: 10_500,
        equity: 10_750.5,
        unrealized: 250.5,
        commissions: 12,
        positions: [{
          symbol: "BTC/USDT",
          qty: 0.5,
          avgPrice: 60_000,
          lastPrice: 60_501,
          unrealized: 250.5,
          realized: 0,
        }],
      },
      strategies: {
        "ma-btc": {
          balance: 5_000,
          equity: 5_270.5,
          unrealized: 270.5,
          commissions: 6,
          positions: [
            { symbol: "BTC/USDT", qty: 0.5, avgPrice: 60_000, lastPrice: 60_541, unrealized: 270.5, realized: 0 },
          ],
        },
        "mr-eth": {
          balance: 5_500,
          equity: 5_480,
          unrealized: -20,
          commissions: 6,
          positions: [{
            symbol: "ETH/USDT",
            qty: -2,
            avgPrice: 3_000,
            lastPrice: 3_010,
            unrealized: -20,
            realized: 30,
          }],
        },
      },
    },
    risk: { trading: "ACTIVE", openOrders: 1 },
    adapter: { venue: "paper", phase: "ready" },
  },
  health: { ok: true, reasons: [], feed: { state: "fresh" } },
  strategies: [
    {
      id: "ma-btc",
      status: "ACTIVE",
      capital: 5_000,
      strategy: "sma_cross",
      params: { fast: 10, slow: 20 },
      equity: 5_270.5,
      unrealized: 270.5,
      positions: [{
        symbol: "BTC/USDT",
        qty: 0.5,
        avgPrice: 60_000,
        lastPrice: 60_541,
        unrealized: 270.5,
        realized: 0,
      }],
    },
    {
      id: "mr-eth",
      status: "STOPPED",
      reason: "stopped by operator",
      capital: 5_000,
      strategy: "mean_reversion",
      params: {},
      equity: 5_480,
      unrealized: -20,
      positions: [{ symbol: "ETH/USDT", qty: -2, avgPrice: 3_000, lastPrice: 3_010, unrealized: -20, realized: 30 }],
    },
  ],
  orders: [{
    seq: 41,
    clientOrderId: "ma-btc-7",
    strategyId: "ma-btc",
    symbol: "BTC/USDT",
    side: "buy",
    type: "limit",
    qty: 0.25,
    limitPrice: 59_000,
    status: "accepted",
    filledQty: 0,
    createdAt: NOW - 60_000,
  }],
  metrics: {
    trading: "ACTIVE",
    account: {
      equity: 10_750.5,
      gross: 36_270,
      net: 24_230,
      leverage: 3.37,
      drawdown: 0.042,
      dailyPnl: -125.25,
      limits: {},
    },
    strategies: {
      "ma-btc": {
        drawdown: 0.01,
        leverage: 5.7,
        limits: { maxPositionQty: { limit: 0.6, used: 0.5, usage: 0.8333 } },
      },
    },
  },
  alerts: [{
    seq: 9,
    level: "warn",
    message: "strategy stopped",
    actor: "live/risk",
    ts: NOW - 5_000,
    fields: { strategyId: "mr-eth" },
  }],
  log: {
    kind: "lines",
    lines: [
      {
        seq: 3,
        ts: NOW - 1_000,
        level: "warn",
        actor: "live/risk",
        msg: "order denied",
        strategy: "ma-btc",
        fields: { why: "notional" },
      },
      {
        seq: 2,
        ts: NOW - 2_000,
        level: "info",
        actor: "live/exchange",
        msg: "fill",
        fields: { strategyId: "mr-eth", qty: 2 },
      },
      { seq: 1, ts: NOW - 3_000, level: "debug", actor: "live/feed", msg: "bar" },
    ],
  },
};
