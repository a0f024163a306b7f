/**
 * One round trip: a position opened then closed (possibly partially). The portfolio records them; the backtest report
 * is computed from them.
 */
export interface ClosedTrade {
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed: + long, − short (units). */
  readonly size: number;
  /** Bar indexes into the equity series. */
  readonly entryBar: number;
  readonly exitBar: number;
  /** Epoch ms UTC. */
  readonly entryTime: number;
  readonly exitTime: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Net of commissions. */
  readonly pnl: number;
  /** Entry + exit commissions of this trade. */
  readonly commission: number;
  /** As backtesting.py: (exit/entry − 1) × sign − commission / (|size| × entryPrice). A fraction. */
  readonly returnPct: number;
  /** Max adverse / favourable excursion as fractions of the entry price (≤ 0 and ≥ 0). */
  readonly mae: number;
  readonly mfe: number;
}
