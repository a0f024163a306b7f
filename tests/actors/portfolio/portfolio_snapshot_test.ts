/**
 * The portfolio is snapshotted after every message: live (no record) its snapshot must not grow with every trade,
 * while a backtest (record on) keeps the round trips its report needs.
 */
import assert from "node:assert/strict";
import { createInProcessHost, type Message } from "../../../actors/runtime/mod.ts";
import type { OrderEvent } from "../../../actors/protocol/mod.ts";

const PORTFOLIO = new URL("../../../actors/portfolio/portfolio.ts", import.meta.url).href;

function fill(n: number): OrderEvent {
  const side = n % 2 === 0 ? "buy" : "sell";
  return {
    type: "OrderFilled",
    clientOrderId: `s-${n}`,
    strategyId: "s",
    filledQty: 1,
    fill: {
      fillId: `f${n}`,
      clientOrderId: `s-${n}`,
      venueOrderId: `v${n}`,
      strategyId: "s",
      venue: "paper",
      symbol: "X",
      side,
      qty: 1,
      price: 100 + (n % 7),
      commission: 0.1,
      commissionCurrency: "USD",
      liquidity: "taker",
      ts: n * 60_000,
    },
  };
}

/** JSON length with Maps as entry lists and typed arrays as their length (their size is fixed). */
const sizeOf = (value: unknown) =>
  JSON.stringify(value, (_k, v) => v instanceof Map ? [...v] : ArrayBuffer.isView(v) ? (v as Float64Array).length : v)
    .length;

async function afterFills(recordEquity: boolean, fills: number) {
  let last: unknown;
  const host = createInProcessHost({ logSink: () => {}, onSnapshot: (_path, snapshot) => (last = snapshot) });
  await host.start({
    kind: "actor",
    id: "portfolio",
    module: PORTFOLIO,
    config: { capital: { s: 10_000 }, recordEquity },
  });
  for (let n = 0; n < fills; n++) host.tell("portfolio", fill(n));
  const record = await host.ask<Message & { trades: unknown[] }>("portfolio", { type: "GetRecord" }, 5_000);
  const portfolio = await host.ask<Message & { total: { balance: number } }>(
    "portfolio",
    { type: "GetPortfolio" },
    5_000,
  );
  await host.stop();
  return { size: sizeOf(last), trades: record.trades.length, balance: portfolio.total.balance };
}

Deno.test("portfolio: live, its snapshot does not grow with every trade; with a record, round trips are kept", async () => {
  const few = await afterFills(false, 100);
  const many = await afterFills(false, 2_000);
  assert.equal(many.trades, 0);
  assert.ok(many.size <= few.size + 64, `live snapshot grew from ${few.size} to ${many.size} bytes`);
  const backtest = await afterFills(true, 2_000);
  assert.equal(backtest.trades, 1_000, "every sell closes the buy before it");
  assert.equal(backtest.balance, many.balance, "the ledger is the same either way");
});
