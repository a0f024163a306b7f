/**
 * Our orders and symbols ↔ Interactive Brokers' contracts, orders, statuses, executions and error codes.
 *
 * - A symbol maps to a contract from the config's symbol table: stocks route SMART with their primary exchange,
 *   futures name their expiry, exchange and multiplier, forex trades on IDEALPRO. `reqContractDetails` then fills in
 *   the rules we check and snap against (tick, size increment, minimum size, multiplier, trading hours).
 * - An order is one IB order, or three for a bracket: the parent (transmit=false), the take-profit limit and the
 *   stop-loss stop as children (parentId, one OCA group), the last child transmitting the lot. Our deterministic
 *   client order id travels as `orderRef` (children: `<id>-tp`, `<id>-sl`), which is how reconciliation finds them.
 */
import type { Contract, Order } from "@stoqey/ib";
import type { Fill, OrderRequest, OrderSide, TimeInForce } from "../../protocol/mod.ts";
import { strategyIdOf } from "../reconcile.ts";
import { snapPrice } from "../snap.ts";
import { type OrderReport, VenueError } from "../venue.ts";

export type SecType = "STK" | "FUT" | "CASH";

/** One entry of the config's symbol table (`"ES": { "secType": "FUT", ... }`). */
export interface ContractSpec {
  readonly secType: SecType;
  /** IB's symbol when it differs from ours (forex: the base currency, "EUR" for "EUR/USD"). */
  readonly symbol?: string;
  readonly exchange?: string;
  readonly primaryExch?: string;
  readonly currency?: string;
  readonly lastTradeDateOrContractMonth?: string;
  readonly multiplier?: number;
  readonly localSymbol?: string;
  /** Allow this symbol's orders to fill outside regular trading hours. */
  readonly outsideRth?: boolean;
}

/** What reqContractDetails tells us, as rules the adapter snaps and checks against. */
export interface ContractRules {
  readonly conId: number;
  readonly tickSize: number;
  readonly stepSize: number;
  readonly minQty: number;
  readonly multiplier: number;
  readonly currency: string;
  readonly tradingHours: string;
  readonly timeZoneId: string;
}

/** A spec's contract as sent in reqContractDetails (and, with `conId`, in every order). */
export function toContract(ours: string, spec: ContractSpec, conId?: number): Contract {
  const [base, quote] = ours.split("/");
  const secType = spec.secType;
  const contract: Record<string, unknown> = {
    symbol: spec.symbol ?? (secType === "CASH" ? base : ours),
    secType,
    exchange: spec.exchange ?? (secType === "CASH" ? "IDEALPRO" : secType === "STK" ? "SMART" : undefined),
    currency: spec.currency ?? (secType === "CASH" ? quote : "USD"),
  };
  if (spec.primaryExch) contract.primaryExch = spec.primaryExch;
  if (spec.lastTradeDateOrContractMonth) contract.lastTradeDateOrContractMonth = spec.lastTradeDateOrContractMonth;
  if (spec.multiplier !== undefined) contract.multiplier = spec.multiplier;
  if (spec.localSymbol) contract.localSymbol = spec.localSymbol;
  if (conId) contract.conId = conId;
  return contract as Contract;
}

export function parseSpec(ours: string, raw: unknown): ContractSpec | string {
  const s = (raw ?? {}) as Record<string, unknown>;
  if (!["STK", "FUT", "CASH"].includes(s.secType as string)) {
    return `secType must be "STK", "FUT" or "CASH", got ${JSON.stringify(s.secType)}`;
  }
  if (s.secType === "FUT" && typeof s.lastTradeDateOrContractMonth !== "string") {
    return 'a future needs "lastTradeDateOrContractMonth" (e.g. "202612")';
  }
  if (s.secType === "FUT" && typeof s.exchange !== "string") return 'a future needs "exchange" (e.g. "CME")';
  if (s.secType === "CASH" && !ours.includes("/") && typeof s.currency !== "string") {
    return 'a forex pair is named "EUR/USD", or gives "symbol" and "currency"';
  }
  return s as unknown as ContractSpec;
}

interface DetailsLike {
  readonly minTick?: number;
  readonly minSize?: number;
  readonly sizeIncrement?: number;
  readonly timeZoneId?: string;
  readonly tradingHours?: string;
  readonly contract: { readonly conId?: number; readonly multiplier?: number | string; readonly currency?: string };
}

export function toRules(d: DetailsLike): ContractRules {
  const multiplier = Number(d.contract.multiplier) || 1;
  return {
    conId: Number(d.contract.conId),
    tickSize: Number(d.minTick) || 0,
    stepSize: Number(d.sizeIncrement) || 1,
    minQty: Number(d.minSize) || 0,
    multiplier,
    currency: d.contract.currency ?? "USD",
    tradingHours: d.tradingHours ?? "",
    timeZoneId: d.timeZoneId ?? "",
  };
}

const TIF: Record<TimeInForce, string> = { DAY: "DAY", GTC: "GTC", IOC: "IOC", FOK: "FOK" };
const action = (side: OrderSide) => side === "buy" ? "BUY" : "SELL";
const opposite = (side: OrderSide): OrderSide => side === "buy" ? "sell" : "buy";

/** One IB order to place, with the orderRef it carries. */
export interface IbOrder {
  readonly ref: string;
  readonly order: Order;
}

/**
 * The IB orders for one request, parent first (ids assigned by the caller, in this order). Prices are snapped to
 * the contract's tick: limits to the nearest tick, protective stops never worse than asked.
 */
export function toIbOrders(o: OrderRequest, qty: number, rules: ContractRules, outsideRth: boolean): IbOrder[] {
  if (o.postOnly) throw new VenueError("rejected", `${o.clientOrderId}: IB has no post-only flag`);
  const tick = rules.tickSize;
  const base: Record<string, unknown> = {
    action: action(o.side),
    totalQuantity: qty,
    tif: TIF[o.tif],
    orderRef: o.clientOrderId,
    outsideRth,
    transmit: true,
  };
  if (o.ocoGroup) {
    base.ocaGroup = o.ocoGroup;
    base.ocaType = 1;
  }
  const need = (v: number | undefined, what: string) => {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) {
      throw new VenueError("rejected", `${o.clientOrderId}: a ${o.type} order needs a positive ${what}`);
    }
    return snapPrice(v, tick);
  };
  switch (o.type) {
    case "market":
      base.orderType = "MKT";
      break;
    case "limit":
      base.orderType = "LMT";
      base.lmtPrice = need(o.limitPrice, "limitPrice");
      break;
    case "stop":
      base.orderType = "STP";
      base.auxPrice = need(o.stopPrice, "stopPrice");
      break;
    case "stop_limit":
      base.orderType = "STP LMT";
      base.lmtPrice = need(o.limitPrice, "limitPrice");
      base.auxPrice = need(o.stopPrice, "stopPrice");
      break;
  }
  const b = o.bracket;
  if (!b || (b.takeProfit === undefined && b.stopLoss === undefined)) {
    return [{ ref: o.clientOrderId, order: base as unknown as Order }];
  }
  const exit = opposite(o.side);
  const oca = `oca-${o.clientOrderId}`;
  const children: IbOrder[] = [];
  if (b.takeProfit !== undefined) {
    children.push({
      ref: `${o.clientOrderId}-tp`,
      order: {
        action: action(exit),
        orderType: "LMT",
        lmtPrice: snapPrice(b.takeProfit, tick),
        totalQuantity: qty,
        tif: "GTC",
        orderRef: `${o.clientOrderId}-tp`,
        ocaGroup: oca,
        ocaType: 1,
        outsideRth,
        transmit: false,
      } as Order,
    });
  }
  if (b.stopLoss !== undefined) {
    children.push({
      ref: `${o.clientOrderId}-sl`,
      order: {
        action: action(exit),
        orderType: "STP",
        // A protective stop never further away than asked: down for a sell stop (long exit), up for a buy stop.
        auxPrice: snapPrice(b.stopLoss, tick, exit === "sell" ? "up" : "down"),
        totalQuantity: qty,
        tif: "GTC",
        orderRef: `${o.clientOrderId}-sl`,
        ocaGroup: oca,
        ocaType: 1,
        outsideRth,
        transmit: false,
      } as Order,
    });
  }
  children[children.length - 1].order.transmit = true;
  return [{ ref: o.clientOrderId, order: { ...base, transmit: false } as unknown as Order }, ...children];
}

/** IB order status → ours ("Filled" is "filled" only once every fill is known: see reconcile.ts). */
export function toStatus(ib: string): OrderReport["status"] {
  switch (ib) {
    case "Filled":
      return "filled";
    case "Cancelled":
    case "ApiCancelled":
      return "canceled";
    default:
      // PendingSubmit, PreSubmitted, Submitted, PendingCancel, ApiPending, Inactive (held, or waiting on a reject code)
      return "open";
  }
}

/** IB execution side → ours. */
export const fromExecSide = (side: string): OrderSide => side === "BOT" ? "buy" : "sell";

/** "yyyyMMdd-HH:mm:ss", "yyyyMMdd  HH:mm:ss" (UTC or no zone) → epoch ms; another zone or garbage → `fallback`. */
export function parseIbTime(text: string | undefined, fallback: number): number {
  const m = /^(\d{4})(\d{2})(\d{2})[- ]+(\d{2}):(\d{2}):(\d{2})\s*(\S*)$/.exec((text ?? "").trim());
  if (!m || (m[7] !== "" && m[7] !== "UTC" && m[7] !== "GMT")) return fallback;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

export interface ExecRecord {
  readonly execId: string;
  readonly orderId: number;
  readonly ref: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly shares: number;
  readonly price: number;
  readonly ts: number;
  readonly liquidity: "maker" | "taker";
  commission?: number;
  commissionCurrency?: string;
}

export function toFill(venue: string, venueOrderId: string, e: ExecRecord): Fill {
  return {
    fillId: `${venue}-${e.execId}`,
    clientOrderId: e.ref,
    venueOrderId,
    strategyId: strategyIdOf(e.ref),
    venue,
    symbol: e.symbol,
    side: e.side,
    qty: e.shares,
    price: e.price,
    commission: e.commission ?? 0,
    commissionCurrency: e.commissionCurrency ?? "",
    liquidity: e.liquidity,
    ts: e.ts,
  };
}

/**
 * Error codes tied to one order that end it: the venue refused it. Anything else with an order id is a warning
 * (399: held until the market opens, 2109: outside-RTH ignored) or a cancel's outcome (202, 10147, 10148, 161).
 */
const REJECTS = new Set([103, 104, 105, 106, 107, 109, 110, 111, 113, 116, 117, 118, 200, 201, 203, 321, 387, 434]);
export const isRejectCode = (code: number) => REJECTS.has(code);

/** Codes that say "the connection to IB is down/up" (reported with id -1, as info). */
export const CONNECTIVITY = { lost: 1100, restoredDataLost: 1101, restored: 1102, socketDropped: 2110 } as const;

/** Pacing: 100 = message rate exceeded, 162 = historical data pacing violation (and some HMDS errors). */
export const isPacing = (code: number, text: string) => code === 100 || (code === 162 && /pacing/i.test(text));
