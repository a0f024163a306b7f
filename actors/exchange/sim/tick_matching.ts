/**
 * Matching on ticks (trade prints or top-of-book quotes) instead of bars, for tick backtests. Rules:
 * - an order arrives after the tick its strategy reacted to: it first trades on the next tick;
 * - market: fills at the touch of that tick — a trade's price, or the quote's ask (buy) / bid (sell);
 * - limit: marketable on arrival (the touch at or through the limit on the first tick it sees) it takes at the
 *   touch (taker); resting, it fills at its limit when a trade prints strictly through it (buy: below; sell: above),
 *   or when the quote's ask (buy) / bid (sell) reaches it (maker);
 * - stop: triggers when the touch reaches the stop (buy: ≥; sell: ≤) and fills at that touch; stop-limit then rests
 *   as a limit (and may fill on the same tick when the touch is within its limit);
 * - bracket exits are placed at their parent's fill and trade from the next tick;
 * - costs: the tick is a bar of one price whose volume is the size at the touch (the trade's size, or the quote's
 *   size on the side taken): fixed slippage and spreads apply, range slippage is zero, square-root impact and
 *   `volumeShare` use that size (partial fills against what is displayed);
 * - fills carry the tick's time.
 */
import type { Bar, Tick } from "../../protocol/mod.ts";
import { markPrice } from "../../portfolio/ledger.ts";
import { DONE, type Emit, fillResting, finish, removeDone, type Resting, type SimState } from "./matching.ts";

function touchOf(tick: Tick, buy: boolean): number {
  if (buy && tick.ask !== undefined) return tick.ask;
  if (!buy && tick.bid !== undefined) return tick.bid;
  return tick.price;
}

/** Where this order trades on this tick, and whether as the maker; undefined when it does not. */
function tickPrice(r: Resting, tick: Tick): { price: number; maker: boolean } | undefined {
  const o = r.order;
  const buy = o.side === "buy";
  const touch = touchOf(tick, buy);
  const quote = tick.bid !== undefined && tick.ask !== undefined;
  const arriving = !r.ticked;
  if ((o.type === "stop" || o.type === "stop_limit") && !r.triggered) {
    const hit = buy ? touch >= o.stopPrice! : touch <= o.stopPrice!;
    if (!hit) return undefined;
    r.triggered = true;
    if (o.type === "stop") return { price: touch, maker: false };
    // A stop-limit that triggers is a limit arriving now.
    const limit = o.limitPrice!;
    return (buy ? touch <= limit : touch >= limit) ? { price: touch, maker: false } : undefined;
  }
  if (o.type === "limit" || o.type === "stop_limit") {
    const limit = o.limitPrice!;
    if (arriving && (buy ? touch <= limit : touch >= limit)) return { price: touch, maker: false };
    const through = quote ? (buy ? touch <= limit : touch >= limit) : (buy ? touch < limit : touch > limit);
    return through ? { price: limit, maker: true } : undefined;
  }
  return { price: touch, maker: false };
}

/** One tick of one symbol: expiries, fills in submission order, then the account marked at the tick's price. */
export function onTick(state: SimState, tick: Tick, emit: Emit): void {
  const now = tick.ts;
  // Most ticks find no order resting: no copy of the book for them.
  const resting = state.orders.length === 0
    ? state.orders
    : state.orders.filter((r) => r.order.symbol === tick.symbol && r.remaining !== DONE);
  for (const r of resting) {
    if (r.remaining === DONE) continue; // an OCO sibling filled on this tick
    if (r.expiresAt <= now) {
      finish(state, r, "OrderExpired", "expired", now, emit);
      continue;
    }
    const hit = tickPrice(r, tick);
    r.ticked = true;
    if (!hit) {
      if (r.order.tif === "IOC" || r.order.tif === "FOK") {
        finish(state, r, "OrderCanceled", "not filled (IOC)", now, emit);
      }
      continue;
    }
    const buy = r.order.side === "buy";
    const displayed = tick.bid !== undefined && tick.ask !== undefined
      ? (buy ? tick.askSize : tick.bidSize) ?? 0
      : tick.size;
    const bar: Bar = {
      symbol: tick.symbol,
      timeframe: "1m",
      ts: now,
      open: hit.price,
      high: hit.price,
      low: hit.price,
      close: hit.price,
      volume: displayed,
    };
    // The maker flag decides the commission (maker or taker fee): a resting limit that is traded through is a maker.
    (r as { maker: boolean }).maker = hit.maker;
    fillResting(state, r, hit.price, bar, now, emit);
  }
  removeDone(state);
  const last: Bar = {
    symbol: tick.symbol,
    timeframe: "1m",
    ts: now,
    open: tick.price,
    high: tick.price,
    low: tick.price,
    close: tick.price,
    volume: tick.size,
  };
  state.lastBar.set(tick.symbol, last);
  markPrice(state.account, tick.symbol, tick.price);
}
