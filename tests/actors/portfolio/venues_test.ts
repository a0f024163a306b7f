/**
 * The portfolio with several venues: each venue's books in its currency (from its strategies' capital and its own
 * fills), the account's equity in the base currency at fixed rates or at a symbol's last price, and futures fills
 * booked with their multiplier.
 */
import assert from "node:assert/strict";
import { createInProcessHost, type Message } from "../../../actors/runtime/mod.ts";
import type { Bar, Fill, OrderEvent } from "../../../actors/protocol/mod.ts";
import type { VenuesConfig } from "../../../actors/portfolio/portfolio.ts";

const PORTFOLIO = new URL("../../../actors/portfolio/portfolio.ts", import.meta.url).href;

let n = 0;
function filled(strategyId: string, venue: string, fields: Partial<Fill>): OrderEvent {
  const id = `${strategyId}-${++n}`;
  return {
    type: "OrderFilled",
    clientOrderId: id,
    strategyId,
    filledQty: fields.qty ?? 1,
    fill: {
      fillId: `f${n}`,
      clientOrderId: id,
      venueOrderId: `v${n}`,
      strategyId,
      venue,
      symbol: "X",
      side: "buy",
      qty: 1,
      price: 100,
      commission: 0,
      commissionCurrency: "USD",
      liquidity: "taker",
      ts: 0,
      ...fields,
    },
  };
}

const bar = (symbol: string, close: number, ts = 0): Bar => ({
  symbol,
  timeframe: "1d",
  ts,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
});

interface Book {
  balance: number;
  equity: number;
  positions: { symbol: string; qty: number; unrealized: number }[];
}
type Portfolio = Message & {
  total: Book;
  strategies: Record<string, Book>;
  venues?: Record<string, Book & { currency: string; rate: number | null }>;
  base?: { currency: string; equity: number | null };
};

const VENUES: VenuesConfig = {
  currencies: { us: "USD", eu: "EUR", crypto: "BTC" },
  strategyVenues: { a: "us", b: "eu", c: "crypto" },
  defaultVenue: "us",
  fx: { base: "USD", rates: { EUR: 1.25 }, symbols: { BTC: "BTCUSD" } },
};

async function start(venues?: VenuesConfig) {
  const host = createInProcessHost({ logSink: () => {} });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      {
        kind: "actor",
        id: "portfolio",
        module: PORTFOLIO,
        config: {
          capital: { a: 10_000, b: 8_000, c: 2 },
          recordEquity: false,
          ...(venues ? { venues } : {}),
        },
      },
    ],
  });
  const get = () => host.ask<Portfolio>("t/portfolio", { type: "GetPortfolio" }, 5_000);
  return { host, get };
}

Deno.test("portfolio venues: books per venue in its currency; the total in USD once every rate is known", async () => {
  const { host, get } = await start(VENUES);
  host.tell("t/portfolio", filled("a", "us", { qty: 10, price: 100, commission: 1 }));
  host.tell("t/portfolio", filled("b", "eu", { qty: 4, price: 50, commission: 0.5, multiplier: 10 }));
  host.tell("t/portfolio", { type: "Bar", bar: bar("X", 110) });
  let p = await get();
  assert.deepEqual(Object.keys(p.venues!), ["us", "eu", "crypto"]);
  // us: 10 × (110 − 100) − 1; eu: 4 × (110 − 50) × 10 − 0.5 (a multiplier-10 contract).
  assert.equal(p.venues!.us.equity, 10_000 + 100 - 1);
  assert.equal(p.venues!.eu.equity, 8_000 + 2_400 - 0.5);
  assert.equal(p.venues!.eu.currency, "EUR");
  assert.equal(p.venues!.eu.rate, 1.25);
  assert.equal(p.venues!.crypto.equity, 2);
  assert.equal(p.venues!.crypto.rate, null, "no BTCUSD price seen yet");
  assert.equal(p.base!.equity, null, "the total is not known without the BTC rate");
  assert.equal(p.strategies.b.equity, p.venues!.eu.equity);
  host.tell("t/portfolio", { type: "Bar", bar: bar("BTCUSD", 30_000) });
  p = await get();
  assert.equal(p.venues!.crypto.rate, 30_000);
  assert.equal(p.base!.currency, "USD");
  assert.equal(p.base!.equity, 10_099 + 1.25 * 10_399.5 + 2 * 30_000);
  await host.stop();
});

Deno.test("portfolio venues: a fill is booked at the venue it came from", async () => {
  const { host, get } = await start(VENUES);
  // A strategy's flatten filled at another venue than its own: the books follow the fill.
  host.tell("t/portfolio", filled("a", "eu", { qty: 2, price: 100 }));
  const p = await get();
  assert.equal(p.venues!.eu.positions[0].qty, 2);
  assert.equal(p.venues!.us.positions.length, 0);
  await host.stop();
});

Deno.test("portfolio: one venue keeps the reply it had (no venues, no base)", async () => {
  const { host, get } = await start();
  host.tell("t/portfolio", filled("a", "paper", { qty: 3, price: 100, multiplier: 50 }));
  host.tell("t/portfolio", { type: "Bar", bar: bar("X", 101) });
  const p = await get();
  assert.equal(p.venues, undefined);
  assert.equal(p.base, undefined);
  assert.equal(p.strategies.a.positions[0].unrealized, 3 * 1 * 50, "the fill's multiplier counts");
  await host.stop();
});
