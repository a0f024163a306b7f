/**
 * Binance spot trading on the fake server: orders (POST/DELETE/GET /api/v3/order), /api/v3/openOrders,
 * /api/v3/account, /api/v3/myTrades and the user-data listenKey, in Binance's wire format, with HMAC-SHA256
 * signatures checked like the venue does. Deduplicates on client order id (-2010 "Duplicate order sent.") and
 * counts every submit. Faults: answer N requests with 429/5xx, delay order acknowledgements (the order is
 * placed, the answer comes late), make the account unreadable, or drop the whole server and bring it back.
 */
import { type FakeBinance, type FakeMarket, type Handler, startFakeBinance, symbolInfo } from "./binance_http.ts";

export interface FakeOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "EXPIRED";
  timeInForce: string;
  type: string;
  side: "BUY" | "SELL";
  stopPrice: string;
  time: number;
  updateTime: number;
  isWorking: boolean;
  workingTime: number;
  origQuoteOrderQty: string;
  selfTradePreventionMode: string;
}

interface FakeTrade {
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
  isBestMatch: boolean;
}

export interface Fault {
  /** "METHOD /path"; "*" for every route. */
  readonly route: string;
  readonly status: number;
  times: number;
}

export interface FakeTradingOptions {
  readonly markets: readonly FakeMarket[];
  readonly apiKey: string;
  readonly secret: string;
  /** Price market orders fill at, per symbol id. */
  readonly prices: Record<string, number>;
  readonly balances?: Record<string, number>;
  readonly klines?: Record<string, readonly (readonly number[])[]>;
}

export interface FakeTrading {
  readonly url: string;
  readonly orders: Map<string, FakeOrder>;
  /** Every POST /api/v3/order that reached the venue (duplicates included). */
  readonly submits: string[];
  readonly faults: Fault[];
  prices: Record<string, number>;
  ackDelayMs: number;
  accountBroken: boolean;
  /** Fills a resting order (fully) at `price`. */
  fill(clientOrderId: string, price?: number): void;
  count(path?: string, method?: string): number;
  down(): Promise<void>;
  up(): void;
  close(): Promise<void>;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const err = (code: number, msg: string, status = 400) => json({ code, msg }, status);

async function hmacHex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function startFakeTrading(options: FakeTradingOptions): FakeTrading {
  const orders = new Map<string, FakeOrder>();
  const trades: FakeTrade[] = [];
  const submits: string[] = [];
  const faults: Fault[] = [];
  const balances: Record<string, number> = { ...(options.balances ?? { USDT: 100_000 }) };
  let orderSeq = 0;
  let tradeSeq = 0;
  const requests: { method: string; path: string }[] = [];

  const marketOf = (id: string) => options.markets.find((m) => m.id === id);

  function trade(order: FakeOrder, price: number): void {
    const qty = Number(order.origQty) - Number(order.executedQty);
    const m = marketOf(order.symbol)!;
    const quote = qty * price;
    balances[m.quote] = (balances[m.quote] ?? 0) + (order.side === "BUY" ? -quote : quote);
    balances[m.base] = (balances[m.base] ?? 0) + (order.side === "BUY" ? qty : -qty);
    trades.push({
      symbol: order.symbol,
      id: ++tradeSeq,
      orderId: order.orderId,
      orderListId: -1,
      price: String(price),
      qty: String(qty),
      quoteQty: String(quote),
      commission: "0",
      commissionAsset: m.quote,
      time: Date.now(),
      isBuyer: order.side === "BUY",
      isMaker: order.type === "LIMIT",
      isBestMatch: true,
    });
    order.executedQty = order.origQty;
    order.cummulativeQuoteQty = String(Number(order.cummulativeQuoteQty) + quote);
    order.status = "FILLED";
    order.updateTime = Date.now();
  }

  const find = (p: URLSearchParams) => {
    const cid = p.get("origClientOrderId");
    if (cid) return orders.get(cid);
    const id = Number(p.get("orderId"));
    return [...orders.values()].find((o) => o.orderId === id);
  };

  const signed = (handler: (p: URLSearchParams) => Response | Promise<Response>): Handler => async (query, req) => {
    const raw = req.method === "GET" || req.method === "DELETE" ? new URL(req.url).search.slice(1) : await req.text();
    const params = new URLSearchParams(raw);
    for (const [k, v] of query) if (!params.has(k)) params.set(k, v);
    if (req.headers.get("x-mbx-apikey") !== options.apiKey) return err(-2014, "API-key format invalid.", 401);
    const i = raw.lastIndexOf("&signature=");
    const signature = i >= 0 ? raw.slice(i + "&signature=".length) : "";
    if (i < 0 || signature !== await hmacHex(options.secret, raw.slice(0, i))) {
      return err(-1022, "Signature for this request is not valid.", 400);
    }
    return await handler(params);
  };

  const routes: Record<string, Handler> = {
    "POST /api/v3/order": signed(async (p) => {
      const cid = p.get("newClientOrderId") ?? `x-${orderSeq + 1}`;
      submits.push(cid);
      if (orders.has(cid)) return err(-2010, "Duplicate order sent.");
      const symbol = p.get("symbol") ?? "";
      if (!marketOf(symbol)) return err(-1121, "Invalid symbol.");
      const type = p.get("type") ?? "";
      const now = Date.now();
      const order: FakeOrder = {
        symbol,
        orderId: ++orderSeq,
        clientOrderId: cid,
        price: p.get("price") ?? "0.00000000",
        origQty: p.get("quantity") ?? "0",
        executedQty: "0",
        cummulativeQuoteQty: "0",
        status: "NEW",
        timeInForce: p.get("timeInForce") ?? "GTC",
        type,
        side: p.get("side") as "BUY" | "SELL",
        stopPrice: "0",
        time: now,
        updateTime: now,
        isWorking: true,
        workingTime: now,
        origQuoteOrderQty: "0",
        selfTradePreventionMode: "EXPIRE_MAKER",
      };
      orders.set(cid, order);
      if (type === "MARKET") trade(order, fake.prices[symbol]);
      // The order is placed; only the answer is late (a client that times out must not send it again).
      if (fake.ackDelayMs > 0) await new Promise((r) => setTimeout(r, fake.ackDelayMs));
      const fills = trades.filter((t) => t.orderId === order.orderId).map((t) => ({
        price: t.price,
        qty: t.qty,
        commission: t.commission,
        commissionAsset: t.commissionAsset,
        tradeId: t.id,
      }));
      return json({ ...order, transactTime: now, orderListId: -1, fills });
    }),
    "DELETE /api/v3/order": signed((p) => {
      const order = find(p);
      if (!order || order.status === "FILLED" || order.status === "CANCELED") return err(-2011, "Unknown order sent.");
      order.status = "CANCELED";
      order.updateTime = Date.now();
      return json({ ...order, origClientOrderId: order.clientOrderId, transactTime: order.updateTime });
    }),
    "GET /api/v3/order": signed((p) => {
      const order = find(p);
      return order ? json(order) : err(-2013, "Order does not exist.");
    }),
    "GET /api/v3/openOrders": signed((p) =>
      json(
        [...orders.values()].filter((o) =>
          (o.status === "NEW" || o.status === "PARTIALLY_FILLED") && (!p.get("symbol") || o.symbol === p.get("symbol"))
        ),
      )
    ),
    "GET /api/v3/account": signed(() => {
      if (fake.accountBroken) return new Response("upstream connect error", { status: 500 });
      return json({
        makerCommission: 10,
        takerCommission: 10,
        buyerCommission: 0,
        sellerCommission: 0,
        canTrade: true,
        canWithdraw: true,
        canDeposit: true,
        updateTime: Date.now(),
        accountType: "SPOT",
        balances: Object.entries(balances).map(([asset, free]) => ({ asset, free: String(free), locked: "0" })),
        permissions: ["SPOT"],
      });
    }),
    "GET /api/v3/myTrades": signed((p) =>
      json(
        trades.filter((t) =>
          t.symbol === p.get("symbol") && (!p.get("orderId") || t.orderId === Number(p.get("orderId")))
        ),
      )
    ),
    "POST /api/v3/userDataStream": () => json({ listenKey: "fake-listen-key" }),
  };

  // Faults and request counting wrap every route, market data included.
  const wrap = (route: string, handler: Handler): Handler => (p, req) => {
    requests.push({ method: req.method, path: new URL(req.url).pathname });
    const fault = faults.find((f) => f.times > 0 && (f.route === "*" || f.route === route));
    if (fault) {
      fault.times--;
      if (fault.status === 429) {
        return json(
          { code: -1003, msg: "Too many requests; current limit is 6000 request weight per 1 MINUTE." },
          429,
          {
            "retry-after": "1",
          },
        );
      }
      return new Response("Service Unavailable", { status: fault.status });
    }
    return handler(p, req);
  };

  let server: FakeBinance | undefined;
  let port = 0;
  routes["GET /api/v3/exchangeInfo"] = () =>
    json({
      timezone: "UTC",
      serverTime: Date.now(),
      rateLimits: [{ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 }],
      exchangeFilters: [],
      symbols: options.markets.map(symbolInfo),
    });
  const start = () => {
    const extraRoutes = Object.fromEntries(Object.entries(routes).map(([k, h]) => [k, wrap(k, h)]));
    server = startFakeBinance({ markets: options.markets, klines: options.klines, port, extraRoutes });
    port = Number(new URL(server.url).port);
  };

  const fake: FakeTrading = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    orders,
    submits,
    faults,
    prices: { ...options.prices },
    ackDelayMs: 0,
    accountBroken: false,
    fill(cid, price) {
      const order = orders.get(cid);
      if (!order || order.status !== "NEW") throw new Error(`fake: no open order ${cid}`);
      trade(order, price ?? Number(order.price));
    },
    count: (path, method) =>
      requests.filter((r) => (path === undefined || r.path === path) && (method === undefined || r.method === method))
        .length,
    async down() {
      await server?.close();
      server = undefined;
    },
    up() {
      if (!server) start();
    },
    close: async () => {
      await server?.close();
      server = undefined;
    },
  };
  start();
  return fake;
}
