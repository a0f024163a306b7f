/**
 * The Kelly fraction of a strategy's own closed trades, for `ctx.kellyFraction({ cap })`: f = W − (1 − W) / R, with W
 * the share of winning trades and R the average win over the average loss (P&L net of commissions, as the report's
 * "Kelly Criterion"). A trade is each fill that closes (part of) a position; its entry commission is counted pro
 * rata. Kept by the strategy supervisor from its fills, so it works the same in backtests, on paper and live.
 */

export interface KellyBook {
  trades: number;
  wins: number;
  losses: number;
  /** Σ P&L of winning trades (> 0) and Σ |P&L| of losing ones. */
  winSum: number;
  lossSum: number;
  /** Per symbol: entry commission per unit of the open position (what a close carries with it). */
  readonly entryFee: Record<string, number>;
}

export function createKellyBook(): KellyBook {
  return { trades: 0, wins: 0, losses: 0, winSum: 0, lossSum: 0, entryFee: {} };
}

/** One closed trade's P&L. */
export function tallyTrade(book: KellyBook, pnl: number): void {
  if (!Number.isFinite(pnl)) return;
  book.trades++;
  if (pnl > 0) {
    book.wins++;
    book.winSum += pnl;
  } else if (pnl < 0) {
    book.losses++;
    book.lossSum -= pnl;
  }
}

/**
 * A fill of `signedQty` at `price` against a position of `before` units whose closed part realised `realized` (gross):
 * the closed part is a trade, net of its share of this fill's commission and of the entry commission it carries.
 */
export function recordFill(
  book: KellyBook,
  symbol: string,
  before: number,
  signedQty: number,
  commission: number,
  realized: number,
): void {
  const qty = Math.abs(signedQty);
  if (qty === 0) return;
  const closing = before !== 0 && Math.sign(before) !== Math.sign(signedQty);
  const closed = closing ? Math.min(qty, Math.abs(before)) : 0;
  const fee = book.entryFee[symbol] ?? 0;
  if (closed > 0) tallyTrade(book, realized - commission * closed / qty - fee * closed);
  const opened = qty - closed;
  const remaining = closing ? Math.abs(before) - closed : Math.abs(before);
  if (opened > 0) {
    // Adds to the position (or opens the reversal): the entry fee per unit is averaged over what is now open.
    const open = remaining + opened;
    book.entryFee[symbol] = (fee * remaining + commission * opened / qty) / open;
  } else if (remaining === 0) delete book.entryFee[symbol];
}

/**
 * W − (1 − W) / R, between 0 and `cap`: 0 with no closed trades, or no winning one, or a negative edge (do not bet);
 * `cap` when there are wins and no losses (R infinite). `cap` defaults to 1 (full Kelly); 0.5 is "half Kelly" and so on.
 */
export function kellyFraction(book: KellyBook, cap = 1): number {
  if (!(cap >= 0)) throw new RangeError(`kellyFraction: cap must be ≥ 0, got ${cap}`);
  if (book.trades === 0 || book.wins === 0) return 0;
  const w = book.wins / book.trades;
  if (book.losses === 0) return Math.min(cap, w);
  const r = (book.winSum / book.wins) / (book.lossSum / book.losses);
  const f = w - (1 - w) / r;
  return Math.min(cap, Math.max(0, f));
}
