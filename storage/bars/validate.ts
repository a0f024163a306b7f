/** The rules every bar must pass, shared by the CSV and JSON readers so both say the same thing. */
import { formatTs } from "./errors.ts";

export type BarField = "ts" | "open" | "high" | "low" | "close" | "volume";

export interface Problem {
  readonly field: BarField;
  readonly reason: string;
}

/**
 * Prices above this are refused: no traded instrument is near it, and a corrupt or mistyped value (1e308) would
 * overflow every sum downstream into a meaningless report. Raise it with `maxPrice` (`--max-price`).
 */
export const DEFAULT_MAX_PRICE = 1e12;

/** Sanity limits on bar values; see DEFAULT_MAX_PRICE. */
export interface BarLimits {
  readonly maxPrice?: number;
}

function priceProblem(field: BarField, value: number, maxPrice: number): Problem | undefined {
  if (!Number.isFinite(value)) return { field, reason: `${field} ${value} is not a finite number` };
  if (value <= 0) return { field, reason: `${field} ${value} is not positive` };
  if (value > maxPrice) {
    return { field, reason: `${field} ${value} is above the price limit ${maxPrice} (raise it with --max-price)` };
  }
  return undefined;
}

/** The first rule the bar breaks, or undefined. Checked in file order, then the relations between prices. */
export function barProblem(
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  maxPrice = DEFAULT_MAX_PRICE,
): Problem | undefined {
  const p = priceProblem("open", open, maxPrice) ?? priceProblem("high", high, maxPrice) ??
    priceProblem("low", low, maxPrice) ?? priceProblem("close", close, maxPrice);
  if (p !== undefined) return p;
  if (!Number.isFinite(volume)) return { field: "volume", reason: `volume ${volume} is not a finite number` };
  if (volume < 0) return { field: "volume", reason: `volume ${volume} is negative` };
  if (high < low) return { field: "high", reason: `high ${high} is below low ${low}` };
  if (open < low || open > high) return { field: "open", reason: `open ${open} is outside [low ${low}, high ${high}]` };
  if (close < low || close > high) {
    return { field: "close", reason: `close ${close} is outside [low ${low}, high ${high}]` };
  }
  return undefined;
}

/**
 * Bars must be strictly increasing in time: a backtest replays them in order, and a duplicate would be
 * traded twice. `prevPlace` names the previous row, e.g. "line 12".
 */
export function orderProblem(prevTs: number, ts: number, prevPlace: string): string | undefined {
  if (ts > prevTs) return undefined;
  if (ts === prevTs) return `duplicate timestamp ${formatTs(ts)} (same as ${prevPlace})`;
  return `timestamp ${formatTs(ts)} is before ${formatTs(prevTs)} at ${prevPlace}`;
}
