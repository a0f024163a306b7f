/**
 * A trailing stop: call it from `onBar` (or `onTick`) and return what it returns. For each of the strategy's filled
 * bracket trades in the symbol (`ctx.brackets()`), the stop-loss is moved to the price minus the distance (a long) or
 * plus it (a short) — only ever in the trade's favour, never back. The distance is one of:
 * - `distance`: a price distance;
 * - `percent`: a share of the price in percent (2 = 2 %);
 * - `atr`: `multiple` × the mean true range of the last `period` closed bars (backtesting.py's `TrailingStrategy`:
 *   `sl = max(sl, close − n × ATR)`, its ATR being the simple mean of the true range).
 * The price is the last close, or `price` (a tick's price in `onTick`). A trade needs a stop-loss to trail: give one
 * with the entry (`buy({ stopLoss })`).
 */
import { type Intent, modify, type StrategyContext } from "./api.ts";

export interface TrailingOptions {
  readonly symbol?: string;
  readonly distance?: number;
  readonly percent?: number;
  readonly atr?: { readonly period: number; readonly multiple: number };
  /** The price to trail from (default: the symbol's last close). */
  readonly price?: number;
}

/** The modifies that ratchet the stops (none when no stop moves). */
export function trailingStop(ctx: StrategyContext, options: TrailingOptions): Intent[] {
  const symbol = options.symbol ?? ctx.symbol;
  const modes = [options.distance, options.percent, options.atr].filter((m) => m !== undefined).length;
  if (modes !== 1) throw new RangeError("trailingStop: give exactly one of distance, percent or atr");
  const history = ctx.history(symbol);
  const price = options.price ?? (history.length > 0 ? history.close(0) : NaN);
  const distance = distanceOf(options, price, history);
  if (!(distance > 0) || !(price > 0)) return []; // not known yet (warm-up), or no price
  const position = ctx.position(symbol);
  const out: Intent[] = [];
  for (const b of ctx.brackets(symbol)) {
    if (b.entryFilled === 0 || b.stopLoss === undefined) continue;
    const long = b.side === "buy";
    if (long ? !(position > 0) : !(position < 0)) continue;
    const stop = long ? price - distance : price + distance;
    if (long ? stop > b.stopLoss : stop < b.stopLoss) out.push(modify({ trade: b.parent }, { stopLoss: stop }));
  }
  return out;
}

function distanceOf(options: TrailingOptions, price: number, history: ReturnType<StrategyContext["history"]>): number {
  if (options.distance !== undefined) return check("distance", options.distance);
  if (options.percent !== undefined) return price * check("percent", options.percent) / 100;
  const { period, multiple } = options.atr!;
  if (!(Number.isInteger(period) && period > 0)) {
    throw new RangeError(`trailingStop: atr.period must be ≥ 1, got ${period}`);
  }
  check("atr.multiple", multiple);
  if (history.length < period + 1) return NaN; // the first true range needs the close before it
  let sum = 0;
  for (let i = 0; i < period; i++) {
    const prev = history.close(i + 1);
    sum += Math.max(
      history.high(i) - history.low(i),
      Math.abs(history.high(i) - prev),
      Math.abs(history.low(i) - prev),
    );
  }
  return sum / period * multiple;
}

function check(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`trailingStop: ${name} must be > 0, got ${value}`);
  return value;
}
