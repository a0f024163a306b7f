/**
 * The WebSocket channels through a real WebSocket client: a typed, versioned snapshot first, then the tap's events
 * on the channel they belong to; same Origin and credential rules as every read; a client that does not read is
 * dropped without slowing anything.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Bar, Fill } from "../../../actors/protocol/mod.ts";
import { openDatabase } from "../../../storage/db.ts";
import { createSqlJournal } from "../../../storage/journal/sql_journal.ts";
import type { Journal } from "../../../storage/journal/types.ts";
import { GATEWAY_TAP } from "../../../actors/gateway/tap.ts";
import { type Harness, READ, startHarness } from "./harness.ts";

const bar = (symbol: string, ts: number, close: number): Bar => ({
  symbol,
  timeframe: "1m",
  ts,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
});

/** A WebSocket client that keeps every message it gets. */
async function subscribe(url: string) {
  const socket = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  socket.onmessage = (e) => messages.push(JSON.parse(e.data));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const closed = new Promise((resolve) => (socket.onclose = resolve));
  return {
    messages,
    async next(n: number, what: string) {
      const deadline = Date.now() + 10_000; // hang guard only
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return messages[n - 1];
    },
    /** The first message that satisfies `test` (updates may repeat what the snapshot showed). */
    async find(test: (m: Record<string, unknown>) => boolean, what: string) {
      const deadline = Date.now() + 10_000; // hang guard only
      for (;;) {
        const found = messages.find(test);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      socket.close();
      await closed;
    },
  };
}

async function withJournal(body: (journal: Journal, h: Harness) => Promise<void>, control = {}) {
  const dir = await Deno.makeTempDir({ prefix: "channels-" });
  const journal = createSqlJournal(await openDatabase({ url: `sqlite:${join(dir, "j.sqlite")}` }), {
    closeDatabase: true,
  });
  const h = await startHarness({
    // The guardian knows strategy "s" and its capital, as in the live tree.
    risk: {
      kind: "actor",
      id: "risk",
      module: new URL("../../../actors/risk_guardian/risk_guardian.ts", import.meta.url).href,
      config: { limits: {}, exchanges: { paper: "g/exchange" }, owners: { s: "g/s" }, strategyCapital: { s: 5_000 } },
    },
    control: { journal, positionsDelayMs: 5, ...control },
  });
  try {
    await body(journal, h);
  } finally {
    await h.close();
    await journal.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("channels: a snapshot, then each event of the channel (market, performance, alerts, orders, positions)", () =>
  withJournal(async (journal, h) => {
    await journal.append([{
      eventId: "b1",
      stream: "venue:paper",
      type: "Bar",
      ts: 60_000,
      payload: { bar: bar("X", 60_000, 10) },
    }]);
    const ws = h.url.replace("http", "ws");
    const market = await subscribe(`${ws}/ws/market/X`);
    const other = await subscribe(`${ws}/ws/market/Y`);
    const performance = await subscribe(`${ws}/ws/performance`);
    const alerts = await subscribe(`${ws}/ws/alerts`);
    const orders = await subscribe(`${ws}/ws/orders`);
    const positions = await subscribe(`${ws}/ws/positions`);

    assert.deepEqual(await market.next(1, "market snapshot"), {
      v: 1,
      type: "snapshot",
      channel: "market",
      symbol: "X",
      bar: bar("X", 60_000, 10),
    });
    assert.deepEqual(await other.next(1, "empty snapshot"), {
      v: 1,
      type: "snapshot",
      channel: "market",
      symbol: "Y",
      bar: null,
    });
    assert.deepEqual(await alerts.next(1, "alerts snapshot"), {
      v: 1,
      type: "snapshot",
      channel: "alerts",
      alerts: [],
    });
    assert.deepEqual(await orders.next(1, "orders snapshot"), {
      v: 1,
      type: "snapshot",
      channel: "orders",
      open: [],
      recent: [],
      seq: 1,
    });
    const perf = await performance.next(1, "performance snapshot");
    assert.equal(perf.type, "snapshot");
    // No statistics were handed to this endpoint: equity and P&L only.
    assert.deepEqual(perf.strategies, { s: { capital: 5_000, equity: 5_000, pnl: 0, stats: null } });
    assert.equal((perf.account as { capital: number }).capital, 5_000);
    assert.deepEqual(await positions.next(1, "positions snapshot"), {
      v: 1,
      type: "snapshot",
      channel: "positions",
      total: [],
      strategies: { s: [] },
    });

    const tap = (msg: Record<string, unknown>) => h.host.tell(GATEWAY_TAP, msg as { type: string });
    tap({ type: "VenueRecord", seq: 2, recordType: "Bar", payload: { bar: bar("X", 120_000, 11) } });
    tap({ type: "Tick", tick: { symbol: "X", ts: 121_000, price: 11.5, size: 2 } });
    assert.deepEqual(await market.next(2, "a bar"), {
      v: 1,
      type: "bar",
      channel: "market",
      symbol: "X",
      seq: 2,
      bar: bar("X", 120_000, 11),
    });
    assert.deepEqual(await market.next(3, "a tick"), {
      v: 1,
      type: "tick",
      channel: "market",
      symbol: "X",
      tick: { symbol: "X", ts: 121_000, price: 11.5, size: 2 },
    });

    tap({ type: "EquityUpdate", equity: 5_010, ts: 120_000, strategies: { s: 5_010 } });
    assert.deepEqual(await performance.next(2, "equity"), {
      v: 1,
      type: "equity",
      channel: "performance",
      ts: 120_000,
      equity: 5_010,
      strategies: { s: 5_010 },
    });

    tap({
      type: "AlertJournaled",
      seq: 9,
      actor: "g/risk",
      alert: { level: "error", message: "kill switch", fields: { reason: "r" }, ts: 5 },
    });
    assert.deepEqual(await alerts.next(2, "an alert"), {
      v: 1,
      type: "alert",
      channel: "alerts",
      seq: 9,
      level: "error",
      message: "kill switch",
      fields: { reason: "r" },
      actor: "g/risk",
      ts: 5,
    });

    // An order event: the journal's read model catches up, and the order as it now stands is pushed.
    const order = {
      clientOrderId: "s-1",
      strategyId: "s",
      venue: "paper",
      symbol: "X",
      side: "buy",
      type: "market",
      qty: 3,
      tif: "GTC",
      ts: 7,
    };
    const fill: Fill = {
      fillId: "f1",
      clientOrderId: "s-1",
      venueOrderId: "v1",
      strategyId: "s",
      venue: "paper",
      symbol: "X",
      side: "buy",
      qty: 3,
      price: 11,
      commission: 0,
      commissionCurrency: "USD",
      liquidity: "taker",
      ts: 120_000,
    };
    const filled = { type: "OrderFilled", clientOrderId: "s-1", strategyId: "s", fill, filledQty: 3 };
    const [, seq] = await journal.append([
      {
        eventId: "c1",
        stream: "venue:paper",
        type: "Command",
        ts: 7,
        payload: { key: "submit:s-1", intent: { kind: "submit", command: { order } } },
      },
      { eventId: "f1", stream: "venue:paper", type: "OrderFilled", ts: 120_000, payload: filled },
    ]);
    h.host.tell("g/portfolio", filled as never);
    tap({ type: "VenueRecord", seq, recordType: "OrderFilled", payload: filled });
    const pushed = await orders.next(3, "the order, submitted then filled");
    assert.equal((orders.messages[1].order as { status: string }).status, "submitted");
    assert.equal(pushed.type, "order");
    assert.deepEqual((pushed.order as Record<string, unknown>).status, "filled");
    assert.deepEqual((pushed.order as Record<string, unknown>).avgFillPrice, 11);
    // The fill marks positions dirty: the portfolio is read and the new positions pushed.
    const moved = await positions.find((m) => (m.total as unknown[] | undefined)?.length === 1, "the position");
    assert.equal(moved.type, "positions");
    assert.deepEqual((moved.total as { symbol: string; qty: number }[]).map((p) => [p.symbol, p.qty]), [["X", 3]]);

    // Nothing of another symbol's channel, nothing twice.
    assert.equal(other.messages.length, 1);
    assert.equal(market.messages.length, 3);
    assert.equal(h.server.channelStats().sockets, 6);
    for (const c of [market, other, performance, alerts, orders, positions]) await c.close();
    assert.equal(h.server.channelStats().dropped, 0);
  }));

Deno.test("channels: foreign Origin and missing credentials are refused before the upgrade", () =>
  withJournal(async (_journal, h) => {
    /** An upgrade request as written; the status of the answer (a 101 has no body to wait for). */
    const upgrade = async (path: string, extra = "") => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: h.port });
      try {
        await conn.write(new TextEncoder().encode(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}\r\nSec-WebSocket-Version: 13${
              extra.replaceAll("\n", "\r\n")
            }\r\n\r\n`,
        ));
        const head = new Uint8Array(1024);
        const n = await conn.read(head);
        return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(new TextDecoder().decode(head.subarray(0, n ?? 0)))?.[1]) };
      } finally {
        conn.close();
      }
    };
    assert.equal((await upgrade("/ws/orders", "\nOrigin: http://evil.example")).status, 403);
    assert.equal((await upgrade("/ws/market/X", "\nOrigin: http://evil.example")).status, 403);
    assert.equal((await upgrade("/ws/orders")).status, 401, "a read token is configured: reads need it");
    assert.equal((await upgrade("/ws/orders", `\nAuthorization: Bearer ${READ}`)).status, 101);
    assert.equal((await upgrade("/ws/market/a%20b", `\nAuthorization: Bearer ${READ}`)).status, 400, "not a symbol");
  }, { tokens: { admin: "admin-token-0123456789abcdef", read: READ } }));

Deno.test("channels: a client that does not read is dropped; the others and the daemon go on", () =>
  withJournal(async (_journal, h) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: h.port });
    await conn.write(new TextEncoder().encode(
      `GET /ws/market/X HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ));
    const head = new Uint8Array(1024);
    const n = await conn.read(head);
    assert.match(new TextDecoder().decode(head.subarray(0, n ?? 0)), /^HTTP\/1\.1 101/);
    const reader = await subscribe(`${h.url.replace("http", "ws")}/ws/market/X`);
    await reader.next(1, "snapshot");
    const big = "x".repeat(16 * 1024);
    const deadline = Date.now() + 60_000; // hang guard only
    let i = 0;
    while (h.server.channelStats().dropped === 0) {
      if (Date.now() > deadline) throw new Error("the slow client was never dropped");
      for (let k = 0; k < 10; k++) {
        h.host.tell(
          GATEWAY_TAP,
          {
            type: "VenueRecord",
            seq: ++i,
            recordType: "Bar",
            payload: { bar: { ...bar("X", i, 1), note: big } },
          } as never,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(h.server.channelStats().dropped, 1);
    assert.equal(h.server.channelStats().sockets, 1, "the reading client stays");
    // The reading client got every bar, in order, though the other one was stuck.
    await reader.next(i + 1, "every bar");
    assert.deepEqual(reader.messages.slice(1).map((m) => m.seq), Array.from({ length: i }, (_, k) => k + 1));
    await reader.close();
    conn.close();
  }, { limits: { wsBufferedBytes: 1024 * 1024, rate: { burst: 1_000, perSecond: 1_000 } } }));
