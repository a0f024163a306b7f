/**
 * A fake TWS / IB Gateway on 127.0.0.1 (port 0) speaking the real socket protocol (tws_wire.ts), so the real
 * @stoqey/ib client can be driven end to end: the `API\0` handshake and server version, startApi →
 * managedAccounts + nextValidId + farm status, contract details, order placement with openOrder/orderStatus,
 * fills as execDetails + commissionReport, native brackets (parent/children with `transmit`, parentId, OCA groups),
 * cancels, positions, account summary, historical bars, realtime 5 s bars and top-of-book ticks, and IB's error codes
 * (103 duplicate id, 110 bad tick, 200 no contract, 201 rejected, 202 cancelled, 10147/10148 bad cancel, 162 pacing,
 * 100 message rate, 1100/1101/1102 connectivity).
 *
 * Controls: move a price (resting orders trigger), fill an order (partially), split market fills, delay order
 * acknowledgements (the order is placed, the answer comes late), drop every connection, refuse connections, force
 * pacing violations, simulate the nightly restart (1100, then 1102), set what nextValidId says.
 */
import {
  accountSummary,
  commissionReport,
  contractData,
  type ContractDetails,
  createParser,
  errorMsg,
  executionData,
  type Field,
  frame,
  historicalData,
  IN,
  openOrder,
  orderStatus,
  OUT,
  position,
  realTimeBar,
  SERVER_VERSION,
  tickPrice,
  type WireBar,
  type WireContract,
  type WireExecution,
  type WireOrder,
} from "./tws_wire.ts";

export type { WireBar } from "./tws_wire.ts";

export interface FakeInstrument extends Omit<ContractDetails, "contract"> {
  readonly contract: WireContract;
  /** Price market orders fill at and resting orders are judged against. */
  price: number;
}

export interface FakeTwsOptions {
  readonly instruments: readonly FakeInstrument[];
  readonly account?: string;
  readonly cash?: number;
  /** What nextValidId says on the first connection. */
  readonly nextValidId?: number;
  /** 1-minute bars per symbol for reqHistoricalData. */
  readonly history?: Readonly<Record<string, readonly WireBar[]>>;
}

export interface FakeTwsOrder extends WireOrder {
  readonly symbol: string;
  status: "Inactive" | "PreSubmitted" | "Submitted" | "Filled" | "Cancelled";
  filled: number;
  avgPrice: number;
  lastPrice: number;
  /** Waiting for a later order of its group with transmit=1. */
  held: boolean;
}

interface Conn {
  readonly raw: Deno.Conn;
  clientId: number;
  started: boolean;
  writes: Promise<void>;
  closed: boolean;
  readonly sent: number[];
}

export interface FakeTws {
  readonly port: number;
  readonly account: string;
  readonly orders: Map<number, FakeTwsOrder>;
  readonly executions: WireExecution[];
  /** Every PLACE_ORDER that reached the fake, by order id (duplicates included). */
  readonly placed: number[];
  /** Every historical request: symbol, end (epoch s), duration string, bar size. */
  readonly historyRequests: { symbol: string; end: number; duration: string; barSize: string }[];
  /** Connections accepted so far, and open now. */
  readonly accepted: number;
  readonly open: number;
  /** The most messages one connection sent within any one second. */
  readonly maxRate: number;
  /** What nextValidId says to the next connection (a TWS that forgot: a restart, another client). */
  nextValidId: number;
  ackDelayMs: number;
  /** Market orders fill in this many executions. */
  marketFillParts: number;
  cash: number;
  setPrice(symbol: string, price: number): void;
  /** Fills `qty` (default: what is left) of the order with `orderRef` at `price` (default: the market). */
  fill(orderRef: string, qty?: number, price?: number): void;
  byRef(orderRef: string): FakeTwsOrder | undefined;
  /** Closes every open connection; with `refuse`, new ones are closed at once until `up()`. */
  drop(refuse?: boolean): void;
  up(): void;
  /** Answers the next `n` historical requests with error 162 (pacing violation). */
  pacing(n: number): void;
  /** IB's nightly restart seen from the API: 1100 (connectivity lost), then after `gapMs` 1102 (restored). */
  nightlyRestart(gapMs: number, dataLost?: boolean): Promise<void>;
  pushRealtimeBar(symbol: string, bar: WireBar): number;
  /** Live reqRealTimeBars / reqMktData subscriptions of `symbol`. */
  subscribers(symbol: string): { realtime: number; ticks: number };
  pushTick(symbol: string, kind: "bid" | "ask" | "last", price: number, size: number): number;
  close(): Promise<void>;
}

const TICK = { bid: 1, ask: 2, last: 4 } as const;
const RATE_LIMIT = 50;

const num = (s: string | undefined) => s === undefined || s === "" ? undefined : Number(s);
const utcStamp = (ms: number) => new Date(ms).toISOString().replace(/-/g, "").replace("T", "-").slice(0, 17);

/** "yyyyMMdd-HH:mm:ss" or "yyyyMMdd HH:mm:ss [UTC]" → epoch s; "" → now. */
function parseEnd(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})[- ]+(\d{2}):(\d{2}):(\d{2})/.exec(s.trim());
  if (!m) return Math.floor(Date.now() / 1000);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
}

const DURATION_S: Record<string, number> = { S: 1, D: 86_400, W: 7 * 86_400, M: 30 * 86_400, Y: 365 * 86_400 };

function commissionOf(c: WireContract, qty: number, price: number): number {
  if (c.secType === "FUT") return 2.25 * qty;
  if (c.secType === "CASH") return Math.max(2, qty * price * 0.00002);
  return Math.max(1, 0.005 * qty);
}

export function startFakeTws(options: FakeTwsOptions): FakeTws {
  const account = options.account ?? "DU1234567";
  const instruments = options.instruments.map((i) => ({ ...i }));
  const orders = new Map<number, FakeTwsOrder>();
  const executions: WireExecution[] = [];
  const placed: number[] = [];
  const historyRequests: FakeTws["historyRequests"] = [];
  const conns = new Set<Conn>();
  const realtime: { conn: Conn; reqId: number; symbol: string }[] = [];
  const ticks: { conn: Conn; reqId: number; symbol: string }[] = [];
  const positions = new Map<number, { qty: number; cost: number }>();
  const commissions = new Map<string, number>();
  let accepted = 0;
  let refusing = false;
  let pacingLeft = 0;
  let maxRate = 0;
  let permSeq = 1_000;
  let execSeq = 0;
  let lost = false;

  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const instrumentOf = (conId: number) => instruments.find((i) => i.contract.conId === conId)!;

  function send(conn: Conn, fields: Field[]): void {
    if (conn.closed) return;
    const bytes = frame(fields);
    conn.writes = conn.writes.then(async () => {
      if (conn.closed) return;
      try {
        let off = 0;
        while (off < bytes.length) off += await conn.raw.write(bytes.subarray(off));
      } catch {
        closeConn(conn);
      }
    });
  }

  /** Order updates go to the connection that placed the order (IB: same client id) and to client 0. */
  const owners = (o: FakeTwsOrder) =>
    [...conns].filter((c) => c.started && (c.clientId === o.clientId || c.clientId === 0));

  function closeConn(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    conns.delete(conn);
    for (const list of [realtime, ticks]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].conn === conn) list.splice(i, 1);
    }
    try {
      conn.raw.close();
    } catch { /* already closed */ }
  }

  function resolve(f: string[], at: number): FakeInstrument | undefined {
    const conId = Number(f[at]);
    if (conId > 0) return instruments.find((i) => i.contract.conId === conId);
    const [symbol, secType, expiry] = [f[at + 1], f[at + 2], f[at + 3]];
    return instruments.find((i) =>
      i.contract.symbol === symbol && i.contract.secType === secType &&
      (!expiry || (i.contract.lastTradeDateOrContractMonth ?? "").startsWith(expiry))
    );
  }

  function report(o: FakeTwsOrder): void {
    const c = instrumentOf(instrumentConId(o)).contract;
    for (const conn of owners(o)) {
      send(conn, openOrder(c, o, o.status));
      send(conn, orderStatus(o, o.status, o.filled, o.totalQuantity - o.filled, o.avgPrice, o.lastPrice));
    }
  }

  const conIds = new Map<number, number>();
  const instrumentConId = (o: FakeTwsOrder) => conIds.get(o.orderId)!;

  function execute(o: FakeTwsOrder, qty: number, price: number): void {
    const inst = instrumentOf(instrumentConId(o));
    const c = inst.contract;
    const mult = c.multiplier ?? 1;
    o.avgPrice = (o.avgPrice * o.filled + price * qty) / (o.filled + qty);
    o.filled += qty;
    o.lastPrice = price;
    if (o.filled >= o.totalQuantity - 1e-9) o.status = "Filled";
    const sign = o.action === "BUY" ? 1 : -1;
    const commission = commissionOf(c, qty, price);
    const p = positions.get(c.conId) ?? { qty: 0, cost: 0 };
    p.qty += sign * qty;
    p.cost += sign * qty * price * mult;
    positions.set(c.conId, p);
    fake.cash -= sign * qty * price * (c.secType === "FUT" ? 0 : mult) + commission;
    const e: WireExecution = {
      execId: `0000e0d5.${(++execSeq).toString(16).padStart(8, "0")}.01.01`,
      orderId: o.orderId,
      clientId: o.clientId,
      permId: o.permId,
      time: utcStamp(Date.now()),
      account,
      side: o.action === "BUY" ? "BOT" : "SLD",
      shares: qty,
      price,
      cumQty: o.filled,
      avgPrice: o.avgPrice,
      orderRef: o.orderRef,
      lastLiquidity: o.orderType === "LMT" ? 1 : 2,
    };
    executions.push(e);
    commissions.set(e.execId, commission);
    for (const conn of owners(o)) {
      send(conn, executionData(-1, c, e));
      send(conn, orderStatus(o, o.status, o.filled, o.totalQuantity - o.filled, o.avgPrice, price));
      send(conn, openOrder(c, o, o.status));
      send(conn, commissionReport(e.execId, commission, c.currency));
    }
    if (o.status === "Filled") {
      // Children wake up when their parent fills; a filled OCA member cancels the rest of its group.
      for (const child of orders.values()) {
        if (child.parentId === o.orderId && child.status === "PreSubmitted") {
          child.status = "Submitted";
          report(child);
        }
      }
      if (o.ocaGroup) {
        for (const other of orders.values()) {
          if (other !== o && other.ocaGroup === o.ocaGroup && live(other)) cancel(other, "OCA group filled");
        }
      }
      evaluate(inst);
    }
  }

  const live = (o: FakeTwsOrder) => o.status === "PreSubmitted" || o.status === "Submitted";

  function cancel(o: FakeTwsOrder, why: string): void {
    o.status = "Cancelled";
    report(o);
    for (const conn of owners(o)) send(conn, errorMsg(o.orderId, 202, `Order Canceled - reason:${why}`));
    for (const child of orders.values()) {
      if (child.parentId === o.orderId && live(child)) cancel(child, "parent cancelled");
    }
  }

  /** Fills every working order the price has reached (limit at the market price, stops triggered). */
  function evaluate(inst: FakeInstrument): void {
    for (const o of [...orders.values()]) {
      if (o.status !== "Submitted" || conIds.get(o.orderId) !== inst.contract.conId) continue;
      const px = inst.price;
      const buy = o.action === "BUY";
      let hit: number | undefined;
      if (o.orderType === "MKT") hit = px;
      else if (o.orderType === "LMT" && (buy ? px <= o.lmtPrice! : px >= o.lmtPrice!)) hit = px;
      else if (o.orderType === "STP" && (buy ? px >= o.auxPrice! : px <= o.auxPrice!)) hit = px;
      else if (o.orderType === "STP LMT" && (buy ? px >= o.auxPrice! : px <= o.auxPrice!)) {
        if (buy ? px <= o.lmtPrice! : px >= o.lmtPrice!) hit = px;
      }
      if (hit === undefined) continue;
      const parts = o.orderType === "MKT" ? Math.max(1, fake.marketFillParts) : 1;
      const left = o.totalQuantity - o.filled;
      for (let i = 0; i < parts && (o.status as string) !== "Filled"; i++) {
        const q = i === parts - 1 ? o.totalQuantity - o.filled : Math.floor(left / parts) || left;
        execute(o, q, hit);
      }
    }
  }

  function rejectOrder(conn: Conn, id: number, code: number, text: string): void {
    send(conn, errorMsg(id, code, text));
  }

  function place(conn: Conn, f: string[]): void {
    const id = Number(f[1]);
    placed.push(id);
    if (orders.has(id)) return rejectOrder(conn, id, 103, `Duplicate order id`);
    const inst = resolve(f, 2);
    if (!inst) return rejectOrder(conn, id, 200, "No security definition has been found for the request");
    const qty = num(f[17]) ?? 0;
    const type = f[18];
    const o: FakeTwsOrder = {
      orderId: id,
      clientId: conn.clientId,
      permId: ++permSeq,
      action: f[16],
      totalQuantity: qty,
      orderType: type,
      lmtPrice: num(f[19]),
      auxPrice: num(f[20]),
      tif: f[21] || "DAY",
      ocaGroup: f[22] ?? "",
      account: f[23] || account,
      orderRef: f[26] ?? "",
      transmit: f[27] !== "0",
      parentId: Number(f[28] || 0),
      outsideRth: f[33] === "1",
      symbol: inst.contract.symbol,
      status: "PreSubmitted",
      filled: 0,
      avgPrice: 0,
      lastPrice: 0,
      held: false,
    };
    if (!(qty > 0)) return rejectOrder(conn, id, 434, "The order size cannot be zero.");
    if (!["MKT", "LMT", "STP", "STP LMT"].includes(type)) {
      return rejectOrder(conn, id, 387, `Unsupported order type ${type}`);
    }
    const tick = inst.minTick;
    for (const p of [o.lmtPrice, o.auxPrice]) {
      if (p !== undefined && Math.abs(p / tick - Math.round(p / tick)) > 1e-6) {
        return rejectOrder(
          conn,
          id,
          110,
          "The price does not conform to the minimum price variation for this contract.",
        );
      }
    }
    if (Math.abs(qty / inst.sizeIncrement - Math.round(qty / inst.sizeIncrement)) > 1e-9 || qty < inst.minSize) {
      return rejectOrder(
        conn,
        id,
        201,
        `Order rejected - reason:The order size ${qty} is not a multiple of the size increment`,
      );
    }
    if (o.parentId && !orders.has(o.parentId)) {
      return rejectOrder(conn, id, 201, "Order rejected - reason:Parent order is not found");
    }
    if (lost) return rejectOrder(conn, id, 201, "Order rejected - reason:Not connected to the trading server");
    const unit = inst.contract.secType === "FUT" ? 12_000 : inst.price * (inst.contract.multiplier ?? 1);
    if (!o.parentId && o.action === "BUY" && qty * unit > fake.cash * 4) {
      return rejectOrder(
        conn,
        id,
        201,
        "Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE IS INSUFFICIENT",
      );
    }
    orders.set(id, o);
    conIds.set(id, inst.contract.conId);
    o.held = !o.transmit;
    if (o.held) return; // TWS keeps it until an order of its group is transmitted
    const group = [...orders.values()].filter((x) =>
      x.held && (x.orderId === o.parentId || (o.parentId && x.parentId === o.parentId))
    );
    const go = () => {
      for (const x of [...group, o]) {
        x.held = false;
        x.status = x.parentId && orders.get(x.parentId)?.status !== "Filled" ? "PreSubmitted" : "Submitted";
        report(x);
      }
      evaluate(inst);
    };
    if (fake.ackDelayMs > 0) setTimeout(go, fake.ackDelayMs);
    else go();
  }

  function onMessage(conn: Conn, f: string[]): void {
    const now = Date.now();
    conn.sent.push(now);
    while (conn.sent.length && conn.sent[0] <= now - 1000) conn.sent.shift();
    maxRate = Math.max(maxRate, conn.sent.length);
    if (conn.sent.length > RATE_LIMIT) {
      send(conn, errorMsg(-1, 100, "Max rate of messages per second has been exceeded:max=50 rec=" + conn.sent.length));
    }
    const id = Number(f[0]);
    switch (id) {
      case OUT.START_API: {
        conn.clientId = Number(f[2]);
        conn.started = true;
        send(conn, [IN.MANAGED_ACCTS, 1, account]);
        send(conn, [IN.NEXT_VALID_ID, 1, fake.nextValidId]);
        send(conn, errorMsg(-1, 2104, "Market data farm connection is OK:usfarm"));
        send(conn, errorMsg(-1, 2106, "HMDS data farm connection is OK:ushmds"));
        return;
      }
      case OUT.REQ_IDS:
        return send(conn, [IN.NEXT_VALID_ID, 1, fake.nextValidId]);
      case OUT.REQ_MANAGED_ACCTS:
        return send(conn, [IN.MANAGED_ACCTS, 1, account]);
      case OUT.REQ_CURRENT_TIME:
        return send(conn, [IN.CURRENT_TIME, 1, Math.floor(now / 1000)]);
      case OUT.REQ_CONTRACT_DATA: {
        const reqId = Number(f[2]);
        const inst = resolve(f, 3);
        if (!inst) return send(conn, errorMsg(reqId, 200, "No security definition has been found for the request"));
        send(conn, contractData(reqId, inst));
        return send(conn, [IN.CONTRACT_DATA_END, 1, reqId]);
      }
      case OUT.PLACE_ORDER: {
        const orderId = Number(f[1]);
        if (orderId >= fake.nextValidId) fake.nextValidId = orderId + 1;
        return place(conn, f);
      }
      case OUT.CANCEL_ORDER: {
        const o = orders.get(Number(f[1]));
        if (!o) {
          return send(conn, errorMsg(Number(f[1]), 10147, `OrderId ${f[1]} that needs to be cancelled is not found.`));
        }
        if (!live(o) && !o.held) {
          return send(
            conn,
            errorMsg(
              o.orderId,
              10148,
              `OrderId ${o.orderId} that needs to be cancelled cannot be cancelled, state: ${o.status}.`,
            ),
          );
        }
        return cancel(o, "");
      }
      case OUT.REQ_OPEN_ORDERS:
      case OUT.REQ_ALL_OPEN_ORDERS: {
        for (const o of orders.values()) {
          if (!live(o) || (id === OUT.REQ_OPEN_ORDERS && o.clientId !== conn.clientId && conn.clientId !== 0)) continue;
          const c = instrumentOf(conIds.get(o.orderId)!).contract;
          send(conn, openOrder(c, o, o.status));
          send(conn, orderStatus(o, o.status, o.filled, o.totalQuantity - o.filled, o.avgPrice, o.lastPrice));
        }
        return send(conn, [IN.OPEN_ORDER_END, 1]);
      }
      case OUT.REQ_EXECUTIONS: {
        const reqId = Number(f[2]);
        const clientId = Number(f[3] || 0);
        for (const e of executions) {
          if (clientId && e.clientId !== clientId) continue;
          const c = instrumentOf(conIds.get(e.orderId)!).contract;
          send(conn, executionData(reqId, c, e));
          send(conn, commissionReport(e.execId, commissions.get(e.execId)!, c.currency));
        }
        return send(conn, [IN.EXECUTION_DATA_END, 1, reqId]);
      }
      case OUT.REQ_POSITIONS: {
        for (const [conId, p] of positions) {
          const c = instrumentOf(conId).contract;
          send(conn, position(account, c, p.qty, p.qty ? p.cost / p.qty / (c.multiplier ?? 1) : 0));
        }
        return send(conn, [IN.POSITION_END, 1]);
      }
      case OUT.REQ_ACCOUNT_SUMMARY: {
        const reqId = Number(f[2]);
        const netLiq = fake.cash + [...positions].reduce((s, [conId, p]) => {
          const i = instrumentOf(conId);
          return s + p.qty * i.price * (i.contract.secType === "FUT" ? 0 : i.contract.multiplier ?? 1);
        }, 0);
        const values: Record<string, number> = {
          NetLiquidation: netLiq,
          TotalCashValue: fake.cash,
          AvailableFunds: fake.cash,
          BuyingPower: fake.cash * 4,
        };
        for (const tag of (f[4] ?? "").split(",")) {
          if (values[tag] !== undefined) send(conn, accountSummary(reqId, account, tag, values[tag].toFixed(2), "USD"));
        }
        return send(conn, [IN.ACCOUNT_SUMMARY_END, 1, reqId]);
      }
      case OUT.REQ_HISTORICAL_DATA: {
        const reqId = Number(f[1]);
        const inst = resolve(f, 2);
        if (!inst) return send(conn, errorMsg(reqId, 200, "No security definition has been found for the request"));
        const [endText, barSize, duration] = [f[15], f[16], f[17]];
        const end = parseEnd(endText);
        historyRequests.push({ symbol: inst.contract.symbol, end, duration, barSize });
        if (pacingLeft > 0) {
          pacingLeft--;
          return send(
            conn,
            errorMsg(
              reqId,
              162,
              "Historical Market Data Service error message:Historical data request pacing violation",
            ),
          );
        }
        const m = /^(\d+) ([SDWMY])$/.exec(duration ?? "");
        if (!m) {
          return send(
            conn,
            errorMsg(reqId, 321, `Error validating request:-'bP' : cause - Invalid duration ${duration}`),
          );
        }
        const start = end - Number(m[1]) * DURATION_S[m[2]];
        const bars = (options.history?.[inst.contract.symbol] ?? []).filter((b) => b.time >= start && b.time < end);
        return send(conn, historicalData(reqId, String(start), String(end), bars));
      }
      case OUT.REQ_REAL_TIME_BARS: {
        const reqId = Number(f[2]);
        const inst = resolve(f, 3);
        if (!inst) return send(conn, errorMsg(reqId, 200, "No security definition has been found for the request"));
        realtime.push({ conn, reqId, symbol: inst.contract.symbol });
        return;
      }
      case OUT.CANCEL_REAL_TIME_BARS: {
        const i = realtime.findIndex((r) => r.conn === conn && r.reqId === Number(f[2]));
        if (i >= 0) realtime.splice(i, 1);
        return;
      }
      case OUT.REQ_MKT_DATA: {
        const reqId = Number(f[2]);
        const inst = resolve(f, 3);
        if (!inst) return send(conn, errorMsg(reqId, 200, "No security definition has been found for the request"));
        ticks.push({ conn, reqId, symbol: inst.contract.symbol });
        return;
      }
      case OUT.CANCEL_MKT_DATA: {
        const i = ticks.findIndex((r) => r.conn === conn && r.reqId === Number(f[2]));
        if (i >= 0) ticks.splice(i, 1);
        return;
      }
      default:
        return; // accepted and ignored (market data type, cancels of subscriptions, ...)
    }
  }

  async function serve(raw: Deno.Conn): Promise<void> {
    accepted++;
    const conn: Conn = { raw, clientId: -1, started: false, writes: Promise.resolve(), closed: false, sent: [] };
    if (refusing) return closeConn(conn);
    // TWS answers promptly: without this, Nagle + delayed ACKs add ~40 ms to every answer split over writes.
    (raw as Deno.TcpConn).setNoDelay?.(true);
    conns.add(conn);
    const parse = createParser();
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await raw.read(buf);
        if (n === null || conn.closed) break;
        for (const m of parse(buf.slice(0, n))) {
          if ("handshake" in m) {
            const wanted = /^v(\d+)(?:\.\.(\d+))?/.exec(m.handshake);
            if (!wanted || Number(wanted[2] ?? wanted[1]) < SERVER_VERSION) {
              closeConn(conn);
              return;
            }
            send(conn, [SERVER_VERSION, utcStamp(Date.now()).replace("-", " ") + " UTC"]);
          } else onMessage(conn, m.fields);
        }
      }
    } catch {
      // reset by peer, or closed by a control
    } finally {
      closeConn(conn);
    }
  }

  const accepting = (async () => {
    try {
      for await (const raw of listener) serve(raw);
    } catch { /* listener closed */ }
  })();

  const fake: FakeTws = {
    port: (listener.addr as Deno.NetAddr).port,
    account,
    orders,
    executions,
    placed,
    historyRequests,
    get accepted() {
      return accepted;
    },
    get open() {
      return conns.size;
    },
    get maxRate() {
      return maxRate;
    },
    nextValidId: options.nextValidId ?? 1,
    ackDelayMs: 0,
    marketFillParts: 1,
    cash: options.cash ?? 100_000,
    setPrice(symbol, price) {
      const inst = instruments.find((i) => i.contract.symbol === symbol);
      if (!inst) throw new Error(`fake TWS: unknown symbol ${symbol}`);
      inst.price = price;
      evaluate(inst);
    },
    fill(orderRef, qty, price) {
      const o = fake.byRef(orderRef);
      if (!o || !live(o)) throw new Error(`fake TWS: no working order with orderRef ${orderRef}`);
      const inst = instrumentOf(conIds.get(o.orderId)!);
      execute(o, qty ?? o.totalQuantity - o.filled, price ?? inst.price);
    },
    byRef: (orderRef) => [...orders.values()].find((o) => o.orderRef === orderRef),
    drop(refuse = false) {
      refusing = refuse;
      for (const c of [...conns]) closeConn(c);
    },
    up() {
      refusing = false;
    },
    pacing(n) {
      pacingLeft = n;
    },
    async nightlyRestart(gapMs, dataLost = false) {
      lost = true;
      for (const c of conns) {
        send(c, errorMsg(-1, 1100, "Connectivity between IB and Trader Workstation has been lost."));
      }
      await new Promise((r) => setTimeout(r, gapMs));
      lost = false;
      const [code, text] = dataLost
        ? [1101, "Connectivity between IB and TWS has been restored- data lost."]
        : [1102, "Connectivity between IB and TWS has been restored- data maintained."];
      for (const c of conns) send(c, errorMsg(-1, code, text));
    },
    pushRealtimeBar(symbol, bar) {
      const subs = realtime.filter((r) => r.symbol === symbol);
      for (const s of subs) send(s.conn, realTimeBar(s.reqId, bar));
      return subs.length;
    },
    subscribers: (symbol) => ({
      realtime: realtime.filter((r) => r.symbol === symbol).length,
      ticks: ticks.filter((r) => r.symbol === symbol).length,
    }),
    pushTick(symbol, kind, price, size) {
      const subs = ticks.filter((r) => r.symbol === symbol);
      for (const s of subs) send(s.conn, tickPrice(s.reqId, TICK[kind], price, size));
      return subs.length;
    },
    async close() {
      for (const c of [...conns]) closeConn(c);
      try {
        listener.close();
      } catch { /* closed */ }
      await accepting;
    },
  };
  return fake;
}

/** A stock, a future and a forex pair, as most tests want them. */
export function defaultInstruments(): FakeInstrument[] {
  return [
    {
      contract: {
        conId: 265598,
        symbol: "AAPL",
        secType: "STK",
        exchange: "SMART",
        primaryExch: "NASDAQ",
        currency: "USD",
      },
      minTick: 0.01,
      minSize: 1,
      sizeIncrement: 1,
      price: 190,
      tradingHours: "20261202:0400-20261202:2000",
      liquidHours: "20261202:0930-20261202:1600",
    },
    {
      contract: {
        conId: 495512563,
        symbol: "ES",
        secType: "FUT",
        lastTradeDateOrContractMonth: "20261218",
        multiplier: 50,
        exchange: "CME",
        currency: "USD",
        localSymbol: "ESZ6",
      },
      minTick: 0.25,
      minSize: 1,
      sizeIncrement: 1,
      price: 6000,
    },
    {
      contract: {
        conId: 12087792,
        symbol: "EUR",
        secType: "CASH",
        exchange: "IDEALPRO",
        currency: "USD",
        localSymbol: "EUR.USD",
      },
      minTick: 0.00005,
      minSize: 1,
      sizeIncrement: 1,
      price: 1.08,
    },
  ];
}
