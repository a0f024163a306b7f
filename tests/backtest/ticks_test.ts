/**
 * Tick backtests through the real actors: orders match on each trade print or quote (not on bars), strategies get
 * onTick, and onBar gets the bars made from the ticks.
 */
import assert from "node:assert/strict";
import { runBacktest } from "../../backtest/engine.ts";
import { parseTicksCsv, type TickSeries, ticksToBars } from "../../storage/ticks/mod.ts";
import { buy, close, sell } from "../../strategies/api.ts";
import { reset, script, seen } from "./fixtures/tick_script.ts";
import { seededRandom } from "../../actors/runtime/random.ts";

const SCRIPT = new URL("./fixtures/tick_script.ts", import.meta.url).href;
const T0 = Date.UTC(2024, 0, 1);
const sec = (s: number) => T0 + s * 1000;

function trades(rows: [number, number, number][]): TickSeries {
  return parseTicksCsv("ts,price,size\n" + rows.map(([t, p, q]) => `${sec(t)},${p},${q}`).join("\n"), "t.csv", {
    symbol: "X",
  });
}

async function run(ticks: TickSeries, extra: { closeAtEnd?: boolean; commission?: number } = {}) {
  const result = await runBacktest({
    strategies: [{ id: "s", module: SCRIPT }],
    data: [ticksToBars(ticks, "1m")],
    ticks: [ticks],
    cash: 100_000,
    ...(extra.closeAtEnd ? { closeAtEnd: true } : {}),
    sim: {
      defaultStep: 0.001,
      ...(extra.commission ? { costs: { commission: { kind: "percent", rate: extra.commission } } } : {}),
    } as never,
  });
  return result;
}

Deno.test("ticks: a market order fills at the next trade's price and time; onTick sees the tick's time", async () => {
  reset();
  script.set(0, [buy({ qty: 2 })]);
  script.set(2, [close()]);
  await run(trades([[0, 100, 1], [5, 101, 1], [7, 102, 1], [9, 99, 1], [61, 98, 1]]));
  assert.deepEqual(seen.fills.map((f) => [f.side, f.qty, f.price, f.ts]), [
    ["buy", 2, 101, sec(5)],
    ["sell", 2, 99, sec(9)],
  ]);
  assert.deepEqual(seen.nowAtTick.slice(0, 3), [sec(0), sec(5), sec(7)]);
  assert.equal(seen.ticks.length, 5);
});

Deno.test("ticks: onBar gets the bars made from the ticks, after the bar's last tick", async () => {
  reset();
  await run(trades([[0, 100, 1], [30, 103, 2], [59, 99, 1], [60, 98, 4], [150, 97, 1]]));
  assert.deepEqual(seen.bars.map((b) => [b.ts, b.open, b.high, b.low, b.close, b.volume]), [
    [sec(0), 100, 103, 99, 99, 4],
    [sec(60), 98, 98, 98, 98, 4],
    [sec(120), 97, 97, 97, 97, 1],
  ]);
});

Deno.test("ticks: a resting limit fills at its limit only when a trade prints through it, not at it", async () => {
  reset();
  script.set(0, [buy({ qty: 1, type: "limit", limit: 99 })]);
  await run(trades([[0, 100, 1], [1, 99.5, 1], [2, 99, 1], [3, 98.5, 1], [4, 100, 1]]));
  assert.deepEqual(seen.fills.map((f) => [f.price, f.ts, f.liquidity]), [[99, sec(3), "maker"]]);
});

Deno.test("ticks: a marketable limit takes the touch on arrival; a stop triggers at the touch", async () => {
  reset();
  script.set(0, [buy({ qty: 1, type: "limit", limit: 105 })]);
  script.set(1, [sell({ qty: 1, type: "stop", stop: 97 })]);
  await run(trades([[0, 100, 1], [1, 101, 1], [2, 98, 1], [3, 96.5, 1], [4, 96, 1]]));
  assert.deepEqual(seen.fills.map((f) => [f.side, f.price, f.ts, f.liquidity]), [
    ["buy", 101, sec(1), "taker"],
    ["sell", 96.5, sec(3), "taker"],
  ]);
});

Deno.test("ticks: quotes — a buy takes the ask, a sell the bid", async () => {
  reset();
  const q = parseTicksCsv(
    "ts,bid,ask,bidsize,asksize\n" + [[0, 99, 101], [1, 100, 102], [2, 101, 103], [3, 100, 101]]
      .map(([t, b, a]) => `${sec(t)},${b},${a},5,5`).join("\n"),
    "q.csv",
    { symbol: "X" },
  );
  script.set(0, [buy({ qty: 1 })]);
  script.set(1, [close()]);
  await run(q);
  assert.deepEqual(seen.fills.map((f) => [f.side, f.price]), [["buy", 102], ["sell", 101]]);
});

Deno.test("ticks: close-at-end fills at the last tick's touch", async () => {
  reset();
  script.set(0, [buy({ qty: 1 })]);
  await run(trades([[0, 100, 1], [1, 101, 1], [70, 110, 1]]), { closeAtEnd: true });
  assert.deepEqual(seen.fills.map((f) => [f.side, f.price]), [["buy", 101], ["sell", 110]]);
});

Deno.test("ticks, property: no fill before its order, none outside its limit, none at a price that did not print (30 seeds)", async () => {
  for (let seed = 1; seed <= 30; seed++) {
    reset();
    const rnd = seededRandom(seed);
    const rows: [number, number, number][] = [];
    let p = 100;
    for (let i = 0; i < 300; i++) {
      p = Math.max(1, Math.round((p + (rnd() - 0.5) * 2) * 100) / 100);
      rows.push([i * 7, p, 1 + Math.floor(rnd() * 3)]);
    }
    const orders: { at: number; side: "buy" | "sell"; limit?: number }[] = [];
    for (let n = 0; n < 300; n += 1 + Math.floor(rnd() * 20)) {
      const side = rnd() < 0.5 ? "buy" : "sell";
      const limit = rnd() < 0.5 ? Math.round((rows[n][1] + (rnd() - 0.5) * 4) * 100) / 100 : undefined;
      orders.push({ at: n, side, ...(limit ? { limit } : {}) });
      const intent = side === "buy" ? buy : sell;
      script.set(n, [intent(limit ? { qty: 1, type: "limit", limit } : { qty: 1 })]);
    }
    await run(trades(rows));
    assert.ok(seen.fills.length >= orders.length / 3, `seed ${seed}: ${seen.fills.length} fills of ${orders.length}`);
    const printed = new Map(rows.map(([t, price]) => [sec(t), price]));
    for (const f of seen.fills) {
      const k = Number(f.clientOrderId.split("-").pop()) - 1;
      const o = orders[k];
      assert.ok(f.ts > sec(rows[o.at][0]), `seed ${seed}: order ${k} filled at or before the tick it was sent on`);
      assert.ok(printed.has(f.ts), "a fill at a tick's time");
      if (o.limit === undefined) assert.equal(f.price, printed.get(f.ts), "market at the print");
      else if (o.side === "buy") {
        assert.ok(f.price <= o.limit, `seed ${seed}: buy limit ${o.limit} filled at ${f.price}`);
      } else assert.ok(f.price >= o.limit, `seed ${seed}: sell limit ${o.limit} filled at ${f.price}`);
      if (o.limit !== undefined && f.liquidity === "maker") {
        const print = printed.get(f.ts)!;
        assert.ok(
          o.side === "buy" ? print < o.limit : print > o.limit,
          "a resting limit fills only when traded through",
        );
      }
    }
    // Every market order filled (there is always a next tick until the last one).
    const markets = orders.filter((o) => o.limit === undefined && o.at < rows.length - 1).length;
    const marketFills = seen.fills.filter((f) =>
      orders[Number(f.clientOrderId.split("-").pop()) - 1].limit === undefined
    );
    assert.equal(marketFills.length, markets, `seed ${seed}`);
  }
});

Deno.test("ticks: bad combinations are refused before anything runs", async () => {
  const t = trades([[0, 100, 1]]);
  await assert.rejects(
    () =>
      runBacktest({ strategies: [{ id: "s", module: SCRIPT }], data: [ticksToBars(t, "1m")], ticks: [t, t], cash: 1 }),
    /ticks for X given twice/,
  );
  const other = parseTicksCsv(`ts,price,size\n${sec(0)},1,1`, "o.csv", { symbol: "Y" });
  await assert.rejects(
    () =>
      runBacktest({ strategies: [{ id: "s", module: SCRIPT }], data: [ticksToBars(t, "1m")], ticks: [other], cash: 1 }),
    /ticks for Y, but no bars of it/,
  );
});
