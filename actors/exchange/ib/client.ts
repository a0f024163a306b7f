/**
 * The Interactive Brokers client over TWS / IB Gateway (@stoqey/ib): the venue interface the generic adapter drives.
 *
 * - `connect()` (at start and after every reconnect) opens the socket if needed, resolves the configured contracts
 *   (reqContractDetails → tick, size increment, minimum, multiplier), then syncs in full: reqOpenOrders,
 *   reqExecutions (+ commission reports), reqPositions and the account summary. The adapter accepts orders only
 *   after it returns (fail closed).
 * - Reconnects are the adapter's: any call on a dropped socket, or while TWS reports 1100 (no connection to IB's
 *   servers, e.g. the nightly restart), throws VenueError("unavailable"); the adapter halts trading, backs off and
 *   calls `connect()` again. 1101/1102 end the outage (1101: market data subscriptions are lost; the feed
 *   resubscribes).
 * - Order ids come from nextValidId and are journaled before use (ids.ts); orders carry our client order id as
 *   `orderRef`. Brackets are native parent/child orders in one OCA group (mapping.ts).
 */
import { EventName, type IBApi } from "@stoqey/ib";
import type { Balance, OrderRequest } from "../../protocol/mod.ts";
import { clampSized } from "../sizing.ts";
import { snapQty } from "../snap.ts";
import { type OrderReport, type SubmitContext, type VenueClient, VenueError } from "../venue.ts";
import type { IbClientConfig } from "./config.ts";
import { connect, type Connected, listen, type Listener } from "./connection.ts";
import { type IdStore, openIdStore } from "./ids.ts";
import {
  CONNECTIVITY,
  type ContractRules,
  type ExecRecord,
  fromExecSide,
  isRejectCode,
  parseIbTime,
  toContract,
  toIbOrders,
} from "./mapping.ts";
import { addExec, type Book, newBook, reject, reportOf, setCommission, setStatus, upsertOrder } from "./reconcile.ts";
import { fullSync, resolveRules } from "./sync.ts";

export { type IbClientConfig, parseIbClientConfig } from "./config.ts";

export interface IbLog {
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface IbClientDeps {
  readonly db: string;
  readonly log: IbLog;
  readonly now?: () => number;
}

/** A cancel's outcome for an order that cannot be cancelled (unknown, already final): the report says why. */
const CANCEL_OUTCOMES = new Set([161, 10147, 10148]);

export function ibClient(config: IbClientConfig, venue: string, deps: IbClientDeps): VenueClient & {
  /** Reports of orders changed since the last call (bracket legs the adapter does not poll by id). */
  changed(): OrderReport[];
  /** Contract rules resolved from reqContractDetails (after connect). */
  rules(symbol: string): ContractRules | undefined;
  /** Wall-clock ms of the last completed full sync. */
  readonly lastSyncMs: number;
} {
  const now = deps.now ?? Date.now;
  const book: Book = newBook();
  const rules = new Map<string, ContractRules>();
  const symbolByConId = new Map<number, string>();
  const acks = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let ids: IdStore | undefined;
  let conn: Connected | undefined;
  let offs: (() => void)[] = [];
  let ibLost = false;
  let reqSeq = 1_000;
  const nextReqId = () => ++reqSeq;
  let account = config.account ?? "";
  let cash: Balance[] = [];
  let positions = new Map<string, number>();
  let lastSyncMs = 0;

  const ourSymbol = (conId: number, contract: { symbol?: string }) => symbolByConId.get(conId) ?? contract.symbol ?? "";

  function down(): never {
    throw new VenueError("unavailable", `TWS at ${config.host}:${config.port} is not connected`);
  }

  function api(): IBApi {
    if (!conn || !conn.api.isConnected) down();
    if (ibLost) throw new VenueError("unavailable", "TWS lost its connection to IB (1100); waiting for 1101/1102");
    return conn!.api;
  }

  function drop(): void {
    for (const off of offs) off();
    offs = [];
    const c = conn;
    conn = undefined;
    book.synced = false;
    for (const [, w] of acks) w.reject(new VenueError("unavailable", "TWS closed the connection before acknowledging"));
    acks.clear();
    if (c?.api.isConnected) c.api.disconnect();
  }

  function wire(a: IBApi): void {
    const on = (event: EventName, fn: Listener) => offs.push(listen(a, event, fn));
    on(EventName.disconnected, () => {
      deps.log.warn("TWS connection closed", { venue });
      drop();
    });
    on(EventName.nextValidId, (id: number) => ids?.floor(id));
    on(EventName.managedAccounts, (list: string) => {
      if (!account) account = list.split(",")[0] ?? "";
    });
    on(EventName.info, (message: string, code: number) => onConnectivity(code, message));
    on(
      EventName.openOrder,
      (orderId: number, contract: { conId: number; symbol: string }, order: Record<string, unknown>, state: {
        status: string;
      }) => {
        const ref = String(order.orderRef ?? "");
        if (!ref) return; // an order placed by hand in TWS: not ours
        upsertOrder(book, {
          ref,
          orderId,
          permId: Number(order.permId ?? 0),
          symbol: ourSymbol(contract.conId, contract),
          side: order.action === "BUY" ? "buy" : "sell",
          qty: Number(order.totalQuantity),
          status: state.status,
          ts: now(),
        });
        acks.get(orderId)?.resolve();
      },
    );
    on(EventName.orderStatus, (orderId: number, status: string) => {
      setStatus(book, orderId, status, now());
      acks.get(orderId)?.resolve();
    });
    on(
      EventName.execDetails,
      (_reqId: number, contract: { conId: number; symbol: string }, e: Record<string, unknown>) => {
        const orderId = Number(e.orderId);
        const ref = String(e.orderRef ?? "") || book.refById.get(orderId);
        if (!ref) return;
        const exec: ExecRecord = {
          execId: String(e.execId),
          orderId,
          ref,
          symbol: ourSymbol(contract.conId, contract),
          side: fromExecSide(String(e.side)),
          shares: Number(e.shares),
          price: Number(e.price),
          ts: parseIbTime(e.time as string, now()),
          liquidity: Number(e.lastLiquidity) === 1 ? "maker" : "taker",
        };
        addExec(book, exec);
      },
    );
    on(EventName.commissionReport, (r: { execId: string; commission: number; currency: string }) => {
      setCommission(book, r.execId, Number(r.commission ?? 0), r.currency ?? "");
    });
    on(EventName.error, (err: Error, code: number, reqId: number) => {
      if (CONNECTIVITY.lost === code) return onConnectivity(code, err.message);
      if (CANCEL_OUTCOMES.has(code)) return acks.get(reqId)?.resolve();
      const ref = book.refById.get(reqId) ?? placedRef(reqId);
      if (ref === undefined || !isRejectCode(code)) return;
      const placed = ids?.placed(ref);
      if (placed) reject(book, placed, `${err.message} (IB ${code})`, now());
      // One submit waits at a time; a refused leg (a bracket's parent, then its children) ends the wait.
      for (const w of [...acks.values()]) w.resolve();
    });
  }

  function placedRef(orderId: number): string | undefined {
    for (const p of ids?.all() ?? []) if (p.orderId === orderId) return p.ref;
    return undefined;
  }

  function onConnectivity(code: number, message: string): void {
    if (code === 100) {
      // Our own throttle keeps under TWS's limit; another client on the same login may not. TWS disconnects next.
      deps.log.warn("TWS says the message rate was exceeded", { venue, message });
    } else if (code === CONNECTIVITY.lost) {
      ibLost = true;
      deps.log.warn("TWS lost its connection to IB; trading halts until it is restored", { venue, code, message });
    } else if (code === CONNECTIVITY.restored || code === CONNECTIVITY.restoredDataLost) {
      ibLost = false;
      // Orders may have moved meanwhile: the next connect() re-syncs in full.
      book.synced = false;
      deps.log.info("TWS connection to IB restored", { venue, code, message });
    }
  }

  async function ensureConnected(): Promise<IBApi> {
    if (!ids) ids = await openIdStore(deps.db, venue);
    if (!conn || !conn.api.isConnected) {
      drop();
      const c = await connect(config);
      conn = c;
      ids.floor(c.nextValidId);
      wire(c.api);
    }
    return api();
  }

  async function resolveContracts(a: IBApi): Promise<void> {
    const todo = Object.entries(config.symbols).filter(([ours]) => !rules.has(ours));
    for (const [ours, r] of await resolveRules(a, todo, { venue, timeoutMs: config.timeoutMs, nextReqId })) {
      rules.set(ours, r);
      symbolByConId.set(r.conId, ours);
      deps.log.info("IB contract resolved", { venue, symbol: ours, ...r });
    }
  }

  async function sync(a: IBApi): Promise<void> {
    const started = now();
    const view = await fullSync(a, book, {
      clientId: config.clientId,
      account,
      timeoutMs: config.timeoutMs,
      nextReqId,
      now,
      symbolOf: ourSymbol,
    });
    cash = view.cash;
    positions = view.positions;
    lastSyncMs = now() - started;
  }

  function reportOpts() {
    return {
      venue,
      now: now(),
      commissionWaitMs: config.commissionWaitMs,
      onMissingCommission: (e: ExecRecord) =>
        deps.log.warn("no commission report for a fill in time; reported with commission 0", {
          venue,
          execId: e.execId,
          ref: e.ref,
        }),
    };
  }

  const report = (ref: string) => reportOf(book, ref, ids?.placed(ref), reportOpts());

  function quantity(order: OrderRequest, r: ContractRules, context: SubmitContext): number {
    if (!order.sizing) return snapQty(order.qty, r.stepSize);
    const price = context.lastPrice.get(order.symbol);
    if (!(price! > 0)) throw new VenueError("rejected", `cannot size ${order.clientOrderId}: no last price`);
    const unit = price! * r.multiplier;
    const f = order.sizing.fraction;
    const qty = order.side === "buy"
      ? (cash.find((b) => b.currency === r.currency)?.free ?? 0) * f / unit
      : Math.max(0, positions.get(order.symbol) ?? 0) * f;
    return clampSized(snapQty(qty, r.stepSize), order, unit, r.stepSize);
  }

  function waitAck(orderId: number): Promise<void> {
    return new Promise((resolve, rejectAck) => {
      const timer = setTimeout(() => {
        acks.delete(orderId);
        rejectAck(new VenueError("unavailable", `order id ${orderId}: no acknowledgement in ${config.timeoutMs} ms`));
      }, config.timeoutMs);
      acks.set(orderId, {
        resolve: () => {
          clearTimeout(timer);
          acks.delete(orderId);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          acks.delete(orderId);
          rejectAck(e);
        },
      });
    });
  }

  return {
    name: venue,
    get lastSyncMs() {
      return lastSyncMs;
    },
    rules: (symbol) => rules.get(symbol),
    instrumentRules: () =>
      Object.fromEntries(
        [...rules].map(([symbol, r]) => [
          symbol,
          { tickSize: r.tickSize, stepSize: r.stepSize, minQty: r.minQty, multiplier: r.multiplier },
        ]),
      ),
    async connect() {
      const a = await ensureConnected();
      await resolveContracts(a);
      await sync(a);
    },
    async submit(order, context) {
      const a = api();
      const known = report(order.clientOrderId);
      if (known) return known; // placed before (an acknowledgement lost with the socket): never again
      const spec = config.symbols[order.symbol];
      const r = rules.get(order.symbol);
      if (!spec || !r) {
        throw new VenueError("rejected", `${order.clientOrderId}: ${order.symbol} is not in the IB symbol table`);
      }
      const qty = quantity(order, r, context);
      if (!(qty > 0)) throw new VenueError("rejected", `${order.clientOrderId}: quantity rounds to 0`);
      if (qty < r.minQty) {
        throw new VenueError("rejected", `${order.clientOrderId}: quantity ${qty} is below IB's minimum ${r.minQty}`);
      }
      const legs = toIbOrders(order, qty, r, spec.outsideRth ?? false);
      const placed = await ids!.reserve(
        legs.map((l) => ({ ref: l.ref, symbol: order.symbol, side: l.order.action === "BUY" ? "buy" : "sell", qty })),
        now(),
      );
      const contract = toContract(order.symbol, spec, r.conId);
      const ack = waitAck(placed[placed.length - 1].orderId);
      placed.forEach((p, i) => {
        const o = { ...legs[i].order, ...(account ? { account } : {}) };
        if (i > 0) o.parentId = placed[0].orderId;
        a.placeOrder(p.orderId, contract, o);
      });
      await ack;
      return report(order.clientOrderId) ?? down();
    },
    async cancel(clientOrderId) {
      const a = api();
      const orderId = book.orders.get(clientOrderId)?.orderId ?? ids?.placed(clientOrderId)?.orderId;
      if (orderId === undefined) return undefined;
      const before = report(clientOrderId);
      if (!before || before.status !== "open") return before;
      const ack = waitAck(orderId);
      a.cancelOrder(orderId);
      await ack.catch((err) => {
        if (!(err instanceof VenueError && err.kind === "unavailable")) throw err;
      });
      return report(clientOrderId);
    },
    report(clientOrderId) {
      api();
      return Promise.resolve(report(clientOrderId));
    },
    openOrders() {
      api();
      const out: OrderReport[] = [];
      for (const o of book.orders.values()) {
        const r = report(o.ref);
        if (r && r.status === "open") out.push(r);
      }
      return Promise.resolve(out);
    },
    balances() {
      api();
      const held = [...positions].map(([currency, qty]) => ({ currency, free: qty, locked: 0 }));
      return Promise.resolve([...cash, ...held]);
    },
    changed() {
      api(); // every poll: a dropped socket or a 1100 halts trading even with no order open
      const out: OrderReport[] = [];
      for (const ref of book.changed) {
        const r = report(ref);
        if (r) out.push(r);
      }
      book.changed.clear();
      return out;
    },
    async close() {
      drop();
      await ids?.close();
      ids = undefined;
    },
  };
}
