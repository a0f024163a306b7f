/**
 * The portfolio's side of capital allocation: at a bar's close, after its equity point, it measures the strategies'
 * returns, decides whether a rebalance is due (allocation.ts), moves capital between their ledgers and tells who
 * keeps books of it (the venue's sub-accounts, the risk guardian, each strategy) with AdjustCapital.
 */
import { type AllocationConfig, maxDrift, periodKey, rebalanceDeltas, targetWeights } from "./allocation.ts";

export interface AllocationRun extends AllocationConfig {
  /** Told every capital move: the exchange (sub-accounts) and the risk guardian (loss bases). */
  readonly notify: readonly string[];
  /** Each strategy's supervisor, told its own moves. */
  readonly strategyPaths: Readonly<Record<string, string>>;
  /** The account's leverage: a position's margin is its notional / leverage (what a rebalance leaves in place). */
  readonly leverage?: number;
}

/** Plain data (it is snapshotted with the portfolio). */
export interface AllocationState {
  /** Each strategy's equity after the last bar's moves: what its next return is measured from. */
  last: number[] | undefined;
  /** Each strategy's last `lookback` bar returns. */
  readonly returns: number[][];
  /** The calendar period of the last rebalance (or of the first bar). */
  period: number | undefined;
  /** Bar times of the rebalances, in order. */
  readonly at: number[];
  /** The last bar time stepped (a bar restated at the end of a backtest is not stepped twice). */
  lastTs: number;
}

export function createAllocationState(config: AllocationConfig): AllocationState {
  return { last: undefined, returns: config.ids.map(() => []), period: undefined, at: [], lastTs: NaN };
}

export interface Move {
  readonly strategyId: string;
  readonly delta: number;
}

/**
 * Called with the strategies' equity at a bar's close (in `config.ids` order) and the margin their open positions use;
 * returns the capital to move now (empty when no rebalance is due, or nothing to move).
 */
export function allocationStep(
  config: AllocationConfig,
  state: AllocationState,
  ts: number,
  equities: readonly number[],
  locked: readonly number[] = [],
): Move[] {
  if (ts === state.lastTs) return [];
  state.lastTs = ts;
  if (state.last) {
    for (let i = 0; i < equities.length; i++) {
      const r = equities[i] / state.last[i] - 1;
      if (!Number.isFinite(r)) continue;
      const column = state.returns[i];
      column.push(r);
      if (column.length > config.lookback) column.splice(0, column.length - config.lookback);
    }
  }
  state.last = [...equities];
  const total = equities.reduce((a, b) => a + b, 0);
  if (!(total > 0) || equities.some((e) => !(e > 0))) return [];
  const rule = config.rebalance;
  let due = false;
  switch (rule.kind) {
    case "none":
      return [];
    case "calendar": {
      const key = periodKey(ts, rule.every);
      due = state.period !== undefined && key !== state.period;
      state.period = key;
      break;
    }
    case "drift": {
      const target = targetWeights(config, state.returns);
      due = maxDrift(equities.map((e) => e / total), target) > rule.threshold;
      break;
    }
  }
  if (!due) return [];
  const deltas = rebalanceDeltas(equities, targetWeights(config, state.returns), locked);
  state.at.push(ts);
  const moves: Move[] = [];
  for (let i = 0; i < deltas.length; i++) {
    // Below a cent in a million: rounding, not a move.
    if (Math.abs(deltas[i]) <= total * 1e-9) continue;
    state.last[i] += deltas[i];
    moves.push({ strategyId: config.ids[i], delta: deltas[i] });
  }
  return moves;
}
