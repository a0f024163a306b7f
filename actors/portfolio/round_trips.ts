/**
 * Turns fills into closed trades (round trips) the way backtesting.py counts them: FIFO, non-hedging;
 * a fill against the position closes the oldest open lots first, and what is left opens a new lot.
 * Each lot tracks its worst and best price while open (MAE/MFE).
 */
import type { ClosedTrade } from "../protocol/mod.ts";

export interface Lot {
  size: number;
  readonly entryPrice: number;
  readonly entryTime: number;
  readonly entryBar: number;
  entryCommission: number;
  low: number;
  high: number;
}

export interface RoundTrips {
  readonly closed: ClosedTrade[];
  readonly open: Map<string, Lot[]>;
}

export function createRoundTrips(): RoundTrips {
  return { closed: [], open: new Map() };
}

export function recordFill(
  book: RoundTrips,
  strategyId: string,
  symbol: string,
  signedQty: number,
  price: number,
  commission: number,
  ts: number,
  bar: number,
  multiplier = 1,
): void {
  let lots = book.open.get(symbol);
  if (!lots) book.open.set(symbol, lots = []);
  let left = signedQty;
  const commissionPerUnit = commission / Math.abs(signedQty);
  while (left !== 0 && lots.length > 0 && Math.sign(lots[0].size) !== Math.sign(left)) {
    const lot = lots[0];
    const closeQty = Math.min(Math.abs(left), Math.abs(lot.size));
    const size = Math.sign(lot.size) * closeQty;
    const share = closeQty / Math.abs(lot.size);
    const entryCommission = lot.entryCommission * share;
    const tradeCommission = entryCommission + commissionPerUnit * closeQty;
    const gross = Math.sign(size) * (price / lot.entryPrice - 1);
    const low = Math.min(lot.low, price);
    const high = Math.max(lot.high, price);
    book.closed.push({
      strategyId,
      symbol,
      size,
      entryBar: lot.entryBar,
      exitBar: bar,
      entryTime: lot.entryTime,
      exitTime: ts,
      entryPrice: lot.entryPrice,
      exitPrice: price,
      pnl: size * (price - lot.entryPrice) * multiplier - tradeCommission,
      commission: tradeCommission,
      returnPct: gross - tradeCommission / (closeQty * lot.entryPrice * multiplier),
      mae: size > 0 ? low / lot.entryPrice - 1 : -(high / lot.entryPrice - 1),
      mfe: size > 0 ? high / lot.entryPrice - 1 : -(low / lot.entryPrice - 1),
    });
    lot.entryCommission -= entryCommission;
    lot.size -= size;
    left += size;
    if (lot.size === 0) lots.shift();
  }
  if (left !== 0) {
    lots.push({
      size: left,
      entryPrice: price,
      entryTime: ts,
      entryBar: bar,
      entryCommission: commissionPerUnit * Math.abs(left),
      low: price,
      high: price,
    });
  }
}

/**
 * Closes every open lot at `prices[symbol]` as of `ts`/`bar` (backtesting.py's finalize_trades), charging
 * `exitCommission(size, price)`. Returns the trades it closed; the book keeps them too.
 */
export function closeAll(
  book: RoundTrips,
  strategyId: string,
  prices: ReadonlyMap<string, number>,
  ts: number,
  bar: number,
  exitCommission: (qty: number, price: number) => number,
  multiplierOf: (symbol: string) => number = () => 1,
): void {
  for (const [symbol, lots] of book.open) {
    const price = prices.get(symbol);
    if (price === undefined) continue;
    const position = lots.reduce((sum, lot) => sum + lot.size, 0);
    if (position === 0) continue;
    const m = multiplierOf(symbol);
    recordFill(book, strategyId, symbol, -position, price, exitCommission(position, price * m), ts, bar, m);
  }
}

/** Widens the excursion range of every open lot of `symbol` with a bar's low and high. */
export function markRange(book: RoundTrips, symbol: string, low: number, high: number): void {
  const lots = book.open.get(symbol);
  if (!lots) return;
  for (const lot of lots) {
    if (low < lot.low) lot.low = low;
    if (high > lot.high) lot.high = high;
  }
}
