/**
 * Schemas of what /api/v1 answers and of the parameters several routes share: the OpenAPI document is built from
 * them, and the API tests check real answers against them. Numbers a computation may leave undefined (NaN: no
 * trades, too few bars) are JSON null, so their schemas are nullable.
 */
import type { ObjectSchema, Schema } from "./schema.ts";

const str = (maxLength = 200, description?: string): Schema => ({
  type: "string",
  maxLength,
  ...(description ? { description } : {}),
});
const num = (description?: string): Schema => ({ type: "number", ...(description ? { description } : {}) });
const count: Schema = { type: "number", integer: true, min: 0 };
const maybe = (of: Schema): Schema => ({ type: "nullable", of });
const obj = (fields: Record<string, Schema>, required = Object.keys(fields), description?: string): Schema => ({
  type: "object",
  fields,
  required,
  ...(description ? { description } : {}),
});
const map = (of: Schema, description?: string): Schema => ({
  type: "object",
  fields: {},
  additional: of,
  ...(description ? { description } : {}),
});
const list = (items: Schema): Schema => ({ type: "array", items });

/** Strategy ids and symbols as they appear in paths and queries. */
export const STRATEGY_ID: Schema = {
  type: "string",
  maxLength: 100,
  pattern: "^[A-Za-z0-9_.:-]+$",
  description: "a strategy id",
};
export const SYMBOL: Schema = {
  type: "string",
  maxLength: 40,
  pattern: "^[A-Za-z0-9_.:/-]+$",
  description: "a symbol (a slash is written %2F in a path)",
};

export const ERROR: Schema = obj({ error: str(2_000, "what was refused and why") });

export const POSITION: Schema = obj({
  symbol: str(),
  qty: num("signed: + long, − short"),
  avgPrice: num(),
  lastPrice: num(),
  unrealized: num(),
  realized: num(),
});

/** A ledger's view: the account's or one strategy's (portfolio.ts GetPortfolio). */
export const BOOK_FIELDS: Record<string, Schema> = {
  balance: num("cash: capital + realised P&L − commissions"),
  equity: num("balance + unrealised P&L"),
  unrealized: num(),
  commissions: num(),
  positions: list(POSITION),
};
export const BOOK: Schema = obj(BOOK_FIELDS);

export const POSITIONS: Schema = obj({
  total: list(POSITION),
  strategies: map(list(POSITION), "positions per strategy id"),
});

export const ORDER_STATUSES = [
  "submitted",
  "accepted",
  "partially_filled",
  "filled",
  "canceled",
  "rejected",
  "denied",
  "expired",
] as const;

export const ORDER: Schema = obj({
  seq: { ...count, description: "journal sequence of the order's first record: the pagination cursor" },
  clientOrderId: str(),
  strategyId: str(),
  symbol: str(100, "empty when only the venue's report named the order"),
  side: maybe({ type: "string", maxLength: 4, enum: ["buy", "sell"] }),
  type: maybe(str(20)),
  qty: maybe(num("null for an order sized by the venue at fill time")),
  limitPrice: maybe(num()),
  stopPrice: maybe(num()),
  status: { type: "string", maxLength: 20, enum: ORDER_STATUSES },
  filledQty: num(),
  avgFillPrice: maybe(num()),
  reason: maybe(str(2_000)),
  venueOrderId: maybe(str()),
  createdAt: num("epoch ms: when the strategy made the order"),
  updatedAt: num("epoch ms of the last event"),
});

export const TRADE: Schema = obj({
  seq: count,
  fillId: str(),
  clientOrderId: str(),
  venueOrderId: str(),
  strategyId: str(),
  venue: str(),
  symbol: str(),
  side: { type: "string", maxLength: 4, enum: ["buy", "sell"] },
  qty: num(),
  price: num(),
  commission: num(),
  commissionCurrency: str(20),
  liquidity: { type: "string", maxLength: 5, enum: ["maker", "taker"] },
  ts: num("epoch ms"),
});

export const ALERT: Schema = obj({
  seq: count,
  level: { type: "string", maxLength: 5, enum: ["warn", "error"] },
  message: str(2_000),
  fields: map({ type: "any" }),
  actor: str(),
  ts: num("epoch ms"),
});

/** A daemon log line (GET /api/v1/logs, /ws/logs); not journaled, the newest 5,000 are kept. */
export const LOG: Schema = obj({
  seq: count,
  ts: num("epoch ms"),
  level: { type: "string", maxLength: 5, enum: ["debug", "info", "warn", "error"] },
  actor: str(200, "the actor path that logged it"),
  msg: str(2_010),
  strategy: str(100, "the strategy it concerns, when one"),
  fields: map({ type: "any" }, "the record's other fields, clipped to 4,000 characters of JSON"),
}, ["seq", "ts", "level", "actor", "msg"]);

/** A page of a list, newest first; pass `nextCursor` as `cursor` for the next (older) page. */
export const page = (item: Schema): Schema =>
  obj({ items: list(item), nextCursor: maybe(str(20, "null on the last page")) });

export const PAGE_QUERY: ObjectSchema["fields"] = {
  limit: { type: "number", integer: true, min: 1, max: 500, description: "items per page (default 100)" },
  cursor: { type: "string", maxLength: 20, pattern: "^[0-9]{1,16}$", description: "from a previous page" },
};

export const SINCE: Schema = {
  type: "string",
  maxLength: 40,
  pattern:
    "^([0-9]{1,15}|[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)$",
  description: "epoch ms or an ISO-8601 date/time (UTC unless it says otherwise)",
};

/** The backtest report's statistics (backtest/report): its JSON's fields, null where undefined. */
export const STATS: Schema = map(
  maybe(num()),
  "the same statistics as a backtest report's JSON (backtest/report/README.md: returnPct, sharpeRatio, " +
    "maxDrawdownPct, tradeCount, …); null where undefined",
);

export const EQUITY_POINTS: Schema = {
  type: "array",
  items: { type: "array", items: { type: "number" }, maxItems: 2 },
  description: "[epoch ms, equity] at bar closes, oldest first, evenly thinned to at most `points`",
};

export const PERFORMANCE_SUMMARY: Schema = obj({
  capital: num(),
  equity: num(),
  pnl: num(),
  stats: maybe(STATS),
});

export const STRATEGY_STATUS = { type: "string", maxLength: 20, enum: ["ACTIVE", "STOPPED", "QUARANTINED"] } as const;

/** A limit in force, what uses it now, and the share used (null: checked per order, nothing accumulates). */
export const LIMIT_USE: Schema = obj({ limit: num(), used: maybe(num()), usage: maybe(num("used / limit")) });

export const EXPOSURE_FIELDS: Record<string, Schema> = {
  equity: maybe(num()),
  peakEquity: maybe(num()),
  gross: num("Σ |qty| × price × multiplier"),
  net: num("Σ qty × price × multiplier"),
  leverage: maybe(num("gross / equity")),
  drawdown: maybe(num("1 − equity / peak equity (a fraction)")),
  limits: map(LIMIT_USE, "per limit in force"),
};
export const EXPOSURE: Schema = obj(EXPOSURE_FIELDS);

export { count as COUNT, list, map, maybe, num, obj, str };
