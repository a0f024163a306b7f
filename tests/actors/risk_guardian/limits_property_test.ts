/**
 * Property: whatever a strategy does (random sizing modes, brackets, reversals, targets, several symbols, two
 * strategies on one account), no fill leaves a position, an order or the exposure beyond a limit, of the account
 * or of a strategy. Random strategies run against random limits through the real actors (strategy supervisors,
 * risk guardian, simulated venue) on the in-process host; a tap between the guardian and the venue records what
 * the guardian let through and every fill.
 *
 * Exposure is valued at market prices, which move after an order is decided; it is asserted exactly in the
 * worlds where prices stand still (flat bars), and positions and order values in every world.
 * The checker is shown to find violations when the same strategies run without the limits.
 */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";
import type { Bar, Fill, OrderRequest } from "../../../actors/protocol/mod.ts";
import type { OrderLimits, RiskLimits } from "../../../actors/risk_guardian/checks.ts";
import type { Tapped } from "./fixtures/order_tap.ts";

const actor = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const STRATEGY = new URL("./fixtures/random_strategy.ts", import.meta.url).href;
const TAP = new URL("./fixtures/order_tap.ts", import.meta.url).href;
const DAY = 86_400_000;
const STRATEGIES = ["a", "b"];

interface Case {
  readonly seed: number;
  readonly flat: boolean;
  readonly prices: Readonly<Record<string, number>>;
  readonly account: RiskLimits;
  readonly strategies: Readonly<Record<string, OrderLimits>>;
  readonly leverage: number;
}

function randomCase(seed: number): Case {
  const r = seededRandom(seed);
  const maybe = (p: number, value: () => number) => (r() < p ? value() : undefined);
  const limits = (scale: number): OrderLimits => ({
    maxPositionQty: maybe(0.7, () => 5 + Math.floor(r() * 60 * scale)),
    maxOrderNotional: maybe(0.5, () => 300 + Math.floor(r() * 4_000 * scale)),
    maxGrossExposure: maybe(0.5, () => 1_000 + Math.floor(r() * 12_000 * scale)),
    maxOpenOrders: maybe(0.2, () => 1 + Math.floor(r() * 6)),
  });
  const symbols = ["AAA", "BBB", "CCC"].slice(0, 2 + Math.floor(r() * 2));
  return {
    seed,
    flat: r() < 0.4,
    prices: Object.fromEntries(symbols.map((s) => [s, [12.5, 100, 640][Math.floor(r() * 3)]])),
    account: limits(2),
    strategies: Object.fromEntries(STRATEGIES.map((id) => [id, limits(1)])),
    leverage: r() < 0.5 ? 1 : 2,
  };
}

function barsFor(c: Case, symbol: string, n: number): Bar[] {
  const r = seededRandom(c.seed * 31 + symbol.charCodeAt(0));
  const bars: Bar[] = [];
  let close = c.prices[symbol];
  for (let i = 0; i < n; i++) {
    if (c.flat) {
      bars.push({ symbol, timeframe: "1d", ts: i * DAY, open: close, high: close, low: close, close, volume: 1e9 });
      continue;
    }
    const open = Math.round(close * (1 + (r() - 0.5) * 0.04) * 100) / 100;
    const next = Math.round(open * (1 + (r() - 0.5) * 0.06) * 100) / 100;
    const high = Math.max(open, next) * (1 + r() * 0.02);
    const low = Math.min(open, next) * (1 - r() * 0.02);
    bars.push({ symbol, timeframe: "1d", ts: i * DAY, open, high, low, close: next, volume: 1e9 });
    close = next;
  }
  return bars;
}

async function run(c: Case, withLimits: boolean, n = 120): Promise<Tapped> {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false, seed: c.seed });
  const symbols = Object.keys(c.prices);
  const capital = 10_000;
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    intensity: { maxRestarts: 0, withinMs: 1 },
    children: [
      ...STRATEGIES.map((id, i) => ({
        kind: "actor" as const,
        id,
        module: actor("strategy_supervisor/strategy_supervisor.ts"),
        config: {
          strategyId: id,
          module: STRATEGY,
          params: { seed: c.seed * 7 + i, maxQty: c.prices[symbols[0]] > 500 ? 8 : 60 },
          symbols,
          timeframe: "1d",
          venue: "sim",
          riskPath: "t/risk",
          capital,
          defaultStep: 1,
        },
      })),
      {
        kind: "actor",
        id: "risk",
        module: actor("risk_guardian/risk_guardian.ts"),
        config: {
          limits: withLimits ? c.account : {},
          ...(withLimits ? { strategyLimits: c.strategies } : {}),
          exchanges: { sim: "t/tap" },
          owners: Object.fromEntries(STRATEGIES.map((id) => [id, `t/${id}`])),
        },
      },
      { kind: "actor", id: "tap", module: TAP, config: { target: "t/exchange" } },
      {
        kind: "actor",
        id: "exchange",
        module: actor("exchange/sim/sim_exchange.ts"),
        config: {
          sim: {
            initialCash: capital * STRATEGIES.length,
            strategyCapital: Object.fromEntries(STRATEGIES.map((id) => [id, capital])),
            leverage: c.leverage,
            defaultStep: 1,
          },
          fillSubscribers: ["t/tap"],
        },
      },
    ],
  });
  const series = symbols.map((s) => barsFor(c, s, n));
  for (let i = 0; i < n; i++) {
    clock.advanceTo(i * DAY);
    for (const bars of series) host.tell("t/exchange", { type: "Bar", bar: bars[i] });
    host.drain();
    for (const bars of series) host.tell("t/risk", { type: "MarkPrice", symbol: bars[i].symbol, price: bars[i].close });
    for (const id of STRATEGIES) for (const bars of series) host.tell(`t/${id}`, { type: "Bar", bar: bars[i] });
    host.drain();
    if (host.fatal) throw host.fatal;
  }
  const tapped = host.ask<Tapped>("t/tap", { type: "GetTapped" }, 1_000);
  host.drain();
  const result = await tapped;
  await host.stop();
  return result;
}

const over = (value: number, limit: number | undefined) => limit !== undefined && value > limit * (1 + 1e-9) + 1e-9;

/** Every way the tape breaks a limit, in words (empty: none). */
function violations(c: Case, tape: Tapped): string[] {
  const found: string[] = [];
  const orders = new Map<string, OrderRequest>(tape.orders.map((o) => [o.clientOrderId, o]));
  const positions = new Map<string, number>();
  const pos = (id: string, symbol: string) => positions.get(`${id}/${symbol}`) ?? 0;
  const filled = new Map<string, { qty: number; value: number }>();
  const scopes: [string | undefined, OrderLimits][] = [
    [undefined, c.account],
    ...Object.entries(c.strategies) as [string, OrderLimits][],
  ];
  const symbols = Object.keys(c.prices);
  tape.fills.forEach((f: Fill, i) => {
    positions.set(`${f.strategyId}/${f.symbol}`, pos(f.strategyId, f.symbol) + (f.side === "buy" ? f.qty : -f.qty));
    const order = orders.get(f.clientOrderId);
    if (order && !order.reduceOnly) {
      const sum = filled.get(f.clientOrderId) ?? { qty: 0, value: 0 };
      sum.qty += f.qty;
      // What the limit was checked against: the decided price for a sized-in-units order, the fill price
      // for an order the venue sized at the fill.
      const decided = order.limitPrice ?? order.stopPrice ?? order.refPrice!;
      sum.value += f.qty * (order.sizing ? f.price : decided);
      filled.set(f.clientOrderId, sum);
      for (const [id, limits] of scopes) {
        if ((id === undefined || id === order.strategyId) && over(sum.value, limits.maxOrderNotional)) {
          found.push(`fill ${i}: order ${order.clientOrderId} worth ${sum.value} > ${limits.maxOrderNotional}`);
        }
      }
    }
    for (const [id, limits] of scopes) {
      // Account limits add up the strategies' positions (sub-accounts: opposite positions do not offset).
      const held = (symbol: string) =>
        id === undefined ? STRATEGIES.reduce((n, s) => n + Math.abs(pos(s, symbol)), 0) : pos(id, symbol);
      if (id !== undefined && id !== f.strategyId) continue;
      if (over(Math.abs(held(f.symbol)), limits.maxPositionQty)) {
        found.push(`fill ${i}: ${id ?? "account"} holds ${held(f.symbol)} ${f.symbol} > ${limits.maxPositionQty}`);
      }
      if (c.flat) {
        const gross = symbols.reduce((n, s) => n + Math.abs(held(s)) * c.prices[s], 0);
        if (over(gross, limits.maxGrossExposure)) {
          found.push(`fill ${i}: ${id ?? "account"} exposure ${gross} > ${limits.maxGrossExposure}`);
        }
      }
    }
  });
  return found;
}

Deno.test("property: no fill ever leaves a position, an order or the exposure beyond a limit", async () => {
  let fills = 0;
  let capped = 0;
  let sized = 0;
  let modifies = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const c = randomCase(seed);
    const tape = await run(c, true);
    const found = violations(c, tape);
    assert.deepEqual(found.slice(0, 5), [], `case ${seed}: ${JSON.stringify(c)}`);
    fills += tape.fills.length;
    modifies += tape.modifies;
    sized += tape.orders.filter((o) => o.sizing).length;
    capped += tape.orders.filter((o) => o.sizing?.maxQty !== undefined || o.sizing?.maxNotional !== undefined).length;
  }
  // The cases trade, and size at the venue under caps: the property was exercised, not vacuous.
  assert.ok(fills > 1_000, `only ${fills} fills`);
  assert.ok(sized > 200 && capped > 100, `sized ${sized}, capped ${capped}`);
  assert.ok(modifies > 100, `only ${modifies} modifies reached the venue`);
});

Deno.test("property: the checker finds breaches when the same strategies run without limits", async () => {
  let breached = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const c = randomCase(seed);
    if (violations(c, await run(c, false)).length > 0) breached++;
  }
  assert.ok(breached >= 8, `only ${breached} of 10 unlimited runs broke a limit`);
});
