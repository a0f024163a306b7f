/**
 * The TWS API wire format, server side, at one server version (193, the newest @stoqey/ib 1.6.10 speaks): the
 * handshake, length-prefixed frames of NUL-terminated fields, and the server → client messages the fake sends,
 * field for field as the TWS decoder reads them at that version (`@stoqey/ib` dist/core/io/decoder.js). A field
 * too many or too few makes the client report "unprocessed data left on queue" or an underrun: the fake's own test
 * connects the real client and fails on either.
 */

export const SERVER_VERSION = 193;

/** Incoming (client → server) message ids the fake answers. */
export const OUT = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  REQ_REAL_TIME_BARS: 50,
  CANCEL_REAL_TIME_BARS: 51,
  REQ_GLOBAL_CANCEL: 58,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
} as const;

/** Outgoing (server → client) message ids. */
export const IN = {
  TICK_PRICE: 1,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  OPEN_ORDER: 5,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  EXECUTION_DATA: 11,
  MANAGED_ACCTS: 15,
  HISTORICAL_DATA: 17,
  CURRENT_TIME: 49,
  REAL_TIME_BARS: 50,
  CONTRACT_DATA_END: 52,
  OPEN_ORDER_END: 53,
  EXECUTION_DATA_END: 55,
  COMMISSION_REPORT: 59,
  POSITION: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
} as const;

export type Field = string | number | boolean | undefined;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One frame: 4-byte big-endian length, then the fields, each NUL-terminated. */
export function frame(fields: readonly Field[]): Uint8Array {
  const text = fields.map((f) => f === undefined ? "" : typeof f === "boolean" ? (f ? "1" : "0") : String(f))
    .map((f) => f + "\0").join("");
  const body = enc.encode(text);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/**
 * Splits a byte stream into messages. The client's first bytes are the handshake, `API\0` + a framed version
 * range ("v100..193"), returned as `{ handshake }`; then frames of fields.
 */
export function createParser() {
  let buf = new Uint8Array(0);
  let greeted = false;
  return (chunk: Uint8Array): ({ handshake: string } | { fields: string[] })[] => {
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    buf = joined;
    const out: ({ handshake: string } | { fields: string[] })[] = [];
    for (;;) {
      const skip = greeted ? 0 : 4;
      if (!greeted && buf.length >= 4 && dec.decode(buf.subarray(0, 4)) !== "API\0") {
        throw new Error(`Cannot parse the TWS handshake: expected "API\\0", got ${JSON.stringify(dec.decode(buf))}`);
      }
      if (buf.length < skip + 4) return out;
      const size = new DataView(buf.buffer, buf.byteOffset + skip).getUint32(0);
      if (buf.length < skip + 4 + size) return out;
      const body = dec.decode(buf.subarray(skip + 4, skip + 4 + size));
      buf = buf.slice(skip + 4 + size);
      if (!greeted) {
        greeted = true;
        out.push({ handshake: body });
      } else {
        const fields = body.split("\0");
        if (fields[fields.length - 1] === "") fields.pop();
        out.push({ fields });
      }
    }
  };
}

/** A contract as the fake lists it. */
export interface WireContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly lastTradeDateOrContractMonth?: string;
  readonly multiplier?: number;
  readonly exchange: string;
  readonly primaryExch?: string;
  readonly currency: string;
  readonly localSymbol?: string;
  readonly tradingClass?: string;
}

/** The order fields the fake keeps (what openOrder reports back). */
export interface WireOrder {
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly action: string;
  readonly totalQuantity: number;
  readonly orderType: string;
  readonly lmtPrice?: number;
  readonly auxPrice?: number;
  readonly tif: string;
  readonly ocaGroup: string;
  readonly account: string;
  readonly orderRef: string;
  readonly outsideRth: boolean;
  readonly parentId: number;
  readonly transmit: boolean;
}

const contractFields = (c: WireContract): Field[] => [
  c.conId,
  c.symbol,
  c.secType,
  c.lastTradeDateOrContractMonth ?? "",
  0,
  "",
  c.multiplier ?? "",
  c.exchange,
  c.currency,
  c.localSymbol ?? c.symbol,
  c.tradingClass ?? c.symbol,
];

/** OPEN_ORDER at server version 193 (the version field is gone since ORDER_CONTAINER). */
export function openOrder(c: WireContract, o: WireOrder, status: string): Field[] {
  return [
    IN.OPEN_ORDER,
    o.orderId,
    ...contractFields(c),
    o.action,
    o.totalQuantity,
    o.orderType,
    o.lmtPrice ?? "",
    o.auxPrice ?? "",
    o.tif,
    o.ocaGroup,
    o.account,
    "", // openClose
    0, // origin: customer
    o.orderRef,
    o.clientId,
    o.permId,
    o.outsideRth,
    0, // hidden
    0, // discretionaryAmt
    "", // goodAfterTime
    "", // sharesAllocation (deprecated)
    "", // faGroup
    "", // faMethod
    "", // faPercentage
    "", // modelCode
    "", // goodTillDate
    "", // rule80A
    "", // percentOffset
    "", // settlingFirm
    0, // shortSaleSlot
    "", // designatedLocation
    -1, // exemptCode
    0, // auctionStrategy
    "", // startingPrice
    "", // stockRefPrice
    "", // delta
    "", // stockRangeLower
    "", // stockRangeUpper
    "", // displaySize
    0, // blockOrder
    0, // sweepToFill
    0, // allOrNone
    "", // minQty
    o.ocaGroup ? 1 : 0, // ocaType: cancel the others with block
    0, // eTradeOnly
    0, // firmQuoteOnly
    "", // nbboPriceCap
    o.parentId,
    0, // triggerMethod
    "", // volatility
    0, // volatilityType
    "", // deltaNeutralOrderType (empty: no delta-neutral fields follow)
    "", // deltaNeutralAuxPrice
    0, // continuousUpdate
    0, // referencePriceType
    "", // trailStopPrice
    "", // trailingPercent
    "", // basisPoints
    "", // basisPointsType
    "", // comboLegsDescription
    0, // comboLegs count
    0, // orderComboLegs count
    0, // smartComboRoutingParams count
    "", // scaleInitLevelSize
    "", // scaleSubsLevelSize
    "", // scalePriceIncrement (empty: no scale fields follow)
    "", // hedgeType (empty: no hedgeParam)
    0, // optOutSmartRouting
    "", // clearingAccount
    "", // clearingIntent
    0, // notHeld
    0, // deltaNeutralContract present
    "", // algoStrategy (empty: no params)
    0, // solicited
    0, // whatIf
    status,
    "", // initMarginBefore
    "", // maintMarginBefore
    "", // equityWithLoanBefore
    "", // initMarginChange
    "", // maintMarginChange
    "", // equityWithLoanChange
    "", // initMarginAfter
    "", // maintMarginAfter
    "", // equityWithLoanAfter
    "", // commission
    "", // minCommission
    "", // maxCommission
    "", // commissionCurrency
    "", // warningText
    0, // randomizeSize
    0, // randomizePrice
    0, // conditions count
    "", // adjustedOrderType
    "", // triggerPrice
    "", // trailStopPrice
    "", // lmtPriceOffset
    "", // adjustedStopPrice
    "", // adjustedStopLimitPrice
    "", // adjustedTrailingAmount
    0, // adjustableTrailingUnit
    "", // softDollarTier name
    "", // softDollarTier value
    "", // softDollarTier displayName
    "", // cashQty
    0, // dontUseAutoPriceForHedge
    0, // isOmsContainer
    0, // discretionaryUpToLimitPrice
    0, // usePriceMgmtAlgo
    "", // duration
    "", // postToAts
    0, // autoCancelParent
    "", // minTradeQty
    "", // minCompeteSize
    "", // competeAgainstBestOffset
    "", // midOffsetAtWhole
    "", // midOffsetAtHalf
    "", // customerAccount
    0, // professionalCustomer
    "", // bondAccruedInterest
    0, // includeOvernight
    "", // extOperator
    "", // manualOrderIndicator
  ];
}

export function orderStatus(
  o: { orderId: number; permId: number; parentId: number; clientId: number },
  status: string,
  filled: number,
  remaining: number,
  avgFillPrice: number,
  lastFillPrice: number,
): Field[] {
  return [
    IN.ORDER_STATUS,
    o.orderId,
    status,
    filled,
    remaining,
    avgFillPrice,
    o.permId,
    o.parentId,
    lastFillPrice,
    o.clientId,
    "",
    "",
  ];
}

/** ERR_MSG; `id` -1 makes the client report it as info (connectivity codes 1100/1102, farm status 210x). */
export const errorMsg = (id: number, code: number, text: string): Field[] => [IN.ERR_MSG, 2, id, code, text, ""];

export interface ContractDetails {
  readonly contract: WireContract;
  readonly minTick: number;
  readonly minSize: number;
  readonly sizeIncrement: number;
  readonly longName?: string;
  readonly timeZoneId?: string;
  readonly tradingHours?: string;
  readonly liquidHours?: string;
}

/** CONTRACT_DATA at 193: no version field (SIZE_RULES), lastTradeDate (LAST_TRADE_DATE), size rules, no reasons. */
export function contractData(reqId: number, d: ContractDetails): Field[] {
  const c = d.contract;
  return [
    IN.CONTRACT_DATA,
    reqId,
    c.symbol,
    c.secType,
    c.lastTradeDateOrContractMonth ?? "",
    c.lastTradeDateOrContractMonth ?? "", // lastTradeDate
    0, // strike
    "", // right
    c.exchange,
    c.currency,
    c.localSymbol ?? c.symbol,
    c.symbol, // marketName
    c.tradingClass ?? c.symbol,
    c.conId,
    d.minTick,
    c.multiplier ?? "",
    "LMT,MKT,STP,STP LMT", // orderTypes
    c.exchange, // validExchanges
    1, // priceMagnifier
    0, // underConId
    d.longName ?? c.symbol,
    c.primaryExch ?? "",
    c.lastTradeDateOrContractMonth ?? "", // contractMonth
    "", // industry
    "", // category
    "", // subcategory
    d.timeZoneId ?? "US/Eastern",
    d.tradingHours ?? "",
    d.liquidHours ?? "",
    "", // evRule
    "", // evMultiplier
    0, // secIdList count
    0, // aggGroup
    "", // underSymbol
    "", // underSecType
    "", // marketRuleIds
    "", // realExpirationDate
    "", // stockType
    d.minSize,
    d.sizeIncrement,
    d.sizeIncrement, // suggestedSizeIncrement
    0, // ineligibilityReason count
  ];
}

export interface WireExecution {
  readonly execId: string;
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  /** "yyyyMMdd-HH:mm:ss" UTC. */
  readonly time: string;
  readonly account: string;
  readonly side: "BOT" | "SLD";
  readonly shares: number;
  readonly price: number;
  readonly cumQty: number;
  readonly avgPrice: number;
  readonly orderRef: string;
  readonly lastLiquidity: 1 | 2;
}

/** EXECUTION_DATA at 193: no version field (LAST_LIQUIDITY). */
export function executionData(reqId: number, c: WireContract, e: WireExecution): Field[] {
  return [
    IN.EXECUTION_DATA,
    reqId,
    e.orderId,
    c.conId,
    c.symbol,
    c.secType,
    c.lastTradeDateOrContractMonth ?? "",
    0,
    "",
    c.multiplier ?? "",
    c.exchange,
    c.currency,
    c.localSymbol ?? c.symbol,
    c.tradingClass ?? c.symbol,
    e.execId,
    e.time,
    e.account,
    c.exchange === "SMART" ? (c.primaryExch ?? "ISLAND") : c.exchange,
    e.side,
    e.shares,
    e.price,
    e.permId,
    e.clientId,
    0, // liquidation
    e.cumQty,
    e.avgPrice,
    e.orderRef,
    "", // evRule
    "", // evMultiplier
    "", // modelCode
    e.lastLiquidity,
    0, // pendingPriceRevision
  ];
}

export const commissionReport = (execId: string, commission: number, currency: string): Field[] => [
  IN.COMMISSION_REPORT,
  1,
  execId,
  commission,
  currency,
  "", // realizedPNL (unset)
  "", // yield
  "", // yieldRedemptionDate
];

export const position = (account: string, c: WireContract, pos: number, avgCost: number): Field[] => [
  IN.POSITION,
  3,
  account,
  ...contractFields(c),
  pos,
  avgCost,
];

export const accountSummary = (reqId: number, account: string, tag: string, value: string, currency: string) =>
  [
    IN.ACCOUNT_SUMMARY,
    1,
    reqId,
    account,
    tag,
    value,
    currency,
  ] as Field[];

export interface WireBar {
  /** Epoch seconds. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** HISTORICAL_DATA at 193: no version, start/end strings, bars with barCount; dates as epoch seconds (formatDate 2). */
export function historicalData(reqId: number, start: string, end: string, bars: readonly WireBar[]): Field[] {
  return [
    IN.HISTORICAL_DATA,
    reqId,
    start,
    end,
    bars.length,
    ...bars.flatMap((b) => [String(b.time), b.open, b.high, b.low, b.close, b.volume, b.close, 1]),
  ];
}

export const realTimeBar = (reqId: number, b: WireBar): Field[] => [
  IN.REAL_TIME_BARS,
  3,
  reqId,
  b.time,
  b.open,
  b.high,
  b.low,
  b.close,
  b.volume,
  b.close,
  1,
];

/** TICK_PRICE version 3: the client also emits the matching size tick for bid/ask/last. */
export const tickPrice = (reqId: number, tickType: number, price: number, size: number): Field[] => [
  IN.TICK_PRICE,
  3,
  reqId,
  tickType,
  price,
  size,
  0,
];
