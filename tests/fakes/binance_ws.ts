/**
 * A fake Binance spot market-data WebSocket on 127.0.0.1 (random port), speaking the venue's wire format so ccxt.pro
 * can be driven end to end. ccxt connects to `<ws base>/ws/<stream index>` (e.g. `/ws/0`) and subscribes with
 * `{"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1}`; Binance answers `{"result":null,"id":1}` and then
 * pushes raw event frames. Combined streams (`/stream?streams=a/b`, frames wrapped as `{stream, data}`) are served
 * too. Test controls: push a kline (open or closed), drop every connection, refuse the next connection attempts.
 *
 * Pair it with the REST fake (binance_http.ts) for exchangeInfo and klines (what a feed backfills from).
 */
import { TIMEFRAME_MS } from "../../actors/protocol/market.ts";

/** One candle as the test describes it; prices are numbers here and strings on the wire. */
export interface FakeKline {
  /** Binance id, e.g. "BTCUSDT". */
  readonly symbol: string;
  readonly interval: string;
  /** Open time, ms. */
  readonly t: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  /** Binance's "is this kline closed?" flag. */
  readonly closed: boolean;
}

export interface FakeBinanceWs {
  /** `ws://127.0.0.1:<port>`: what ccxt's ws URLs' scheme and host are replaced with. */
  readonly url: string;
  /** Connection attempts accepted (upgraded) and refused so far. */
  readonly accepted: number;
  readonly refused: number;
  /** Connections open now. */
  readonly open: number;
  /** Every SUBSCRIBE frame's stream names, in arrival order (resubscriptions after a reconnect included). */
  readonly subscribeLog: readonly string[];
  /** Sends a kline frame to every open connection subscribed to its stream; returns how many got it. */
  push(kline: FakeKline): number;
  /** Closes every open connection (as the venue does on maintenance or a network blip). */
  dropAll(): void;
  /** Refuses (HTTP 503) the next `n` connection attempts. */
  refuse(n: number): void;
  /** Resolves once `stream` (e.g. "btcusdt@kline_1m") is subscribed on an open connection. */
  subscribed(stream: string): Promise<void>;
  close(): Promise<void>;
}

/** Binance interval → ms: the same names as our timeframes. */
const INTERVAL_MS: Readonly<Record<string, number>> = TIMEFRAME_MS;

export const streamName = (symbol: string, interval: string) => `${symbol.toLowerCase()}@kline_${interval}`;

/** The kline event exactly as Binance spot pushes it (numbers as strings, close time = next open − 1). */
export function klineFrame(k: FakeKline, eventTime = k.t + (k.closed ? INTERVAL_MS[k.interval] : 1)) {
  return {
    e: "kline",
    E: eventTime,
    s: k.symbol,
    k: {
      t: k.t,
      T: k.t + INTERVAL_MS[k.interval] - 1,
      s: k.symbol,
      i: k.interval,
      f: 100,
      L: 200,
      o: k.o.toFixed(8),
      c: k.c.toFixed(8),
      h: k.h.toFixed(8),
      l: k.l.toFixed(8),
      v: k.v.toFixed(8),
      n: 101,
      x: k.closed,
      q: (k.v * k.c).toFixed(8),
      V: (k.v / 2).toFixed(8),
      Q: (k.v * k.c / 2).toFixed(8),
      B: "0",
    },
  };
}

interface Connection {
  readonly socket: WebSocket;
  /** Combined-stream endpoint: frames go out wrapped as `{stream, data}`. */
  readonly combined: boolean;
  readonly streams: Set<string>;
}

export function startFakeBinanceWs(options: { readonly port?: number } = {}): FakeBinanceWs {
  const connections = new Set<Connection>();
  const subscribeLog: string[] = [];
  const waiters: { stream: string; resolve: () => void }[] = [];
  let accepted = 0;
  let refused = 0;
  let refuseNext = 0;

  function notify() {
    for (const w of [...waiters]) {
      if ([...connections].some((c) => c.streams.has(w.stream) && c.socket.readyState === WebSocket.OPEN)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  function onFrame(conn: Connection, text: string) {
    let frame: { method?: string; params?: unknown; id?: unknown };
    try {
      frame = JSON.parse(text);
    } catch {
      conn.socket.send(JSON.stringify({ error: { code: 3, msg: "Invalid JSON" } }));
      return;
    }
    const params = Array.isArray(frame.params) ? frame.params.map(String) : [];
    switch (frame.method) {
      case "SUBSCRIBE":
        for (const s of params) conn.streams.add(s);
        subscribeLog.push(...params);
        conn.socket.send(JSON.stringify({ result: null, id: frame.id }));
        notify();
        return;
      case "UNSUBSCRIBE":
        for (const s of params) conn.streams.delete(s);
        conn.socket.send(JSON.stringify({ result: null, id: frame.id }));
        return;
      case "LIST_SUBSCRIPTIONS":
        conn.socket.send(JSON.stringify({ result: [...conn.streams], id: frame.id }));
        return;
      default:
        conn.socket.send(JSON.stringify({ error: { code: 1, msg: `Unknown method ${frame.method}` }, id: frame.id }));
    }
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    const combined = url.pathname === "/stream";
    if (!combined && !/^\/ws(\/.*)?$/.test(url.pathname)) return new Response("Not Found", { status: 404 });
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 400 });
    }
    if (refuseNext > 0) {
      refuseNext--;
      refused++;
      return new Response("Service Unavailable", { status: 503 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    const initial = (url.searchParams.get("streams") ?? "").split("/").filter((s) => s.length > 0);
    const conn: Connection = { socket, combined, streams: new Set(initial) };
    accepted++;
    socket.onopen = () => {
      connections.add(conn);
      notify();
    };
    socket.onmessage = (event) => onFrame(conn, String(event.data));
    socket.onclose = () => connections.delete(conn);
    socket.onerror = () => connections.delete(conn);
    return response;
  });

  return {
    url: `ws://127.0.0.1:${server.addr.port}`,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    get open() {
      return connections.size;
    },
    subscribeLog,
    push(kline) {
      const stream = streamName(kline.symbol, kline.interval);
      const data = klineFrame(kline);
      let sent = 0;
      for (const conn of connections) {
        if (!conn.streams.has(stream) || conn.socket.readyState !== WebSocket.OPEN) continue;
        conn.socket.send(JSON.stringify(conn.combined ? { stream, data } : data));
        sent++;
      }
      return sent;
    },
    dropAll() {
      for (const conn of connections) conn.socket.close(1001, "going away");
      connections.clear();
    },
    refuse(n) {
      refuseNext = n;
    },
    subscribed(stream) {
      return new Promise((resolve) => {
        waiters.push({ stream, resolve });
        notify();
      });
    },
    async close() {
      for (const conn of connections) conn.socket.close(1001, "server closing");
      connections.clear();
      await server.shutdown();
    },
  };
}
