/**
 * Cash and positions of one account (a strategy's, the whole portfolio's, or the simulated venue's).
 * Margin-account convention, as backtesting.py's broker: `balance` moves only by realised P&L and
 * commissions; equity = balance + unrealised P&L (for futures: cash marked to market, the same sum); margin used =
 * Σ |qty| × price × multiplier / leverage, or Σ |qty| × initial margin for contracts that have a margin per contract.
 * Money is float64; see README "Money math" for where rounding happens (tick/step snapping at boundaries).
 */

export interface Holding {
  qty: number;
  avgPrice: number;
  lastPrice: number;
  realized: number;
  openedAt: number;
  multiplier: number;
  /** Initial margin per contract; absent (or 0): notional / leverage. */
  margin?: number;
}

export interface Ledger {
  balance: number;
  commissions: number;
  turnover: number;
  /**
   * Plain data with no shared references: ledgers are snapshotted, cloned and JSON-encoded as they are.
   * Holdings are added by `applyFill` and then updated in place; never replace a Holding object under an
   * existing key (the per-bar loops cache the list of holdings by count).
   */
  readonly holdings: Map<string, Holding>;
}

export function createLedger(initialBalance: number): Ledger {
  return {
    balance: initialBalance,
    commissions: 0,
    turnover: 0,
    holdings: new Map(),
  };
}

function holding(ledger: Ledger, symbol: string, multiplier: number, margin: number): Holding {
  let h = ledger.holdings.get(symbol);
  if (!h) {
    h = { qty: 0, avgPrice: 0, lastPrice: 0, realized: 0, openedAt: 0, multiplier };
    if (margin > 0) h.margin = margin;
    ledger.holdings.set(symbol, h);
  }
  return h;
}

/** Applies one fill; `signedQty` is + for a buy, − for a sell. Returns the realised P&L of the closed part. */
export function applyFill(
  ledger: Ledger,
  symbol: string,
  signedQty: number,
  price: number,
  commission: number,
  ts: number,
  multiplier = 1,
  margin = 0,
): number {
  const h = holding(ledger, symbol, multiplier, margin);
  let realized = 0;
  const closing = h.qty !== 0 && Math.sign(h.qty) !== Math.sign(signedQty);
  if (closing) {
    const closedQty = Math.min(Math.abs(signedQty), Math.abs(h.qty)) * Math.sign(h.qty);
    realized = closedQty * (price - h.avgPrice) * multiplier;
    const remaining = signedQty + closedQty; // what is left after closing, same sign as the fill
    h.qty -= closedQty;
    if (h.qty === 0 && remaining !== 0) {
      h.qty = remaining;
      h.avgPrice = price;
      h.openedAt = ts;
    } else if (h.qty === 0) {
      h.avgPrice = 0;
    }
  } else {
    const qty = h.qty + signedQty;
    h.avgPrice = (h.avgPrice * h.qty + price * signedQty) / qty;
    if (h.qty === 0) h.openedAt = ts;
    h.qty = qty;
  }
  h.lastPrice = price;
  h.realized += realized;
  ledger.balance += realized - commission;
  ledger.commissions += commission;
  ledger.turnover += Math.abs(signedQty) * price * multiplier;
  return realized;
}

export function markPrice(ledger: Ledger, symbol: string, price: number): void {
  const h = ledger.holdings.get(symbol);
  if (h) h.lastPrice = price;
}

/**
 * The holdings as an array, for the loops that run on every bar (a Map iterator per call showed up in
 * profiles). Kept beside the ledger, not in it, so the ledger stays plain data; rebuilt when a holding was
 * added, or when the ledger is a restored copy.
 */
const holdingLists = new WeakMap<Ledger, Holding[]>();
// The last two ledgers asked about (an account's and a strategy's, every bar): identity checks before the WeakMap.
let ledger1: Ledger | undefined, list1: Holding[] = [];
let ledger2: Ledger | undefined, list2: Holding[] = [];
function holdingList(ledger: Ledger): Holding[] {
  const size = ledger.holdings.size;
  if (ledger === ledger1 && list1.length === size) return list1;
  if (ledger === ledger2 && list2.length === size) return list2;
  let list = holdingLists.get(ledger);
  if (list === undefined || list.length !== size) {
    list = [...ledger.holdings.values()];
    holdingLists.set(ledger, list);
  }
  ledger2 = ledger1;
  list2 = list1;
  ledger1 = ledger;
  list1 = list;
  return list;
}

export function unrealized(ledger: Ledger): number {
  let sum = 0;
  const list = holdingList(ledger);
  for (let i = 0; i < list.length; i++) {
    const h = list[i];
    if (h.qty !== 0) sum += h.qty * (h.lastPrice - h.avgPrice) * h.multiplier;
  }
  return sum;
}

export function equity(ledger: Ledger): number {
  return ledger.balance + unrealized(ledger);
}

export function marginUsed(ledger: Ledger, leverage: number): number {
  let sum = 0;
  const list = holdingList(ledger);
  for (let i = 0; i < list.length; i++) {
    const h = list[i];
    sum += h.margin ? Math.abs(h.qty) * h.margin : Math.abs(h.qty) * h.lastPrice * h.multiplier / leverage;
  }
  return sum;
}

/** What new positions may still use (never negative). */
export function marginAvailable(ledger: Ledger, leverage: number): number {
  return Math.max(0, equity(ledger) - marginUsed(ledger, leverage));
}

export function positionOf(ledger: Ledger, symbol: string): number {
  return ledger.holdings.get(symbol)?.qty ?? 0;
}
