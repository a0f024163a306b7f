// Loads the backtesting.py reference fixtures (tests/fixtures/backtesting_py/, made by generate.py there).
import type { ClosedTrade, ReportInput } from "../../../backtest/report/mod.ts";

export type Expected = number | null | "Infinity" | "-Infinity";

export interface Fixture {
  readonly config: { readonly cash: number; readonly commission: number; readonly warmupBars: number };
  readonly periodMs: number;
  readonly stats: Record<string, Expected>;
  readonly extras: Record<string, Expected>;
  readonly trades: Omit<ClosedTrade, "strategyId" | "symbol">[];
  readonly ts: number[];
  readonly close: number[];
  readonly equity: number[];
  readonly drawdownPct: number[];
}

export interface EdgeCase {
  readonly ts: number[];
  readonly close: number[];
  readonly equity: number[];
  readonly stats: Record<string, Expected>;
}

const DIR = new URL("../../fixtures/backtesting_py/", import.meta.url);

export const CASES = ["goog", "goog_commission", "eurusd_hourly", "btcusd_monthly_bust", "btcusd_monthly_long"];

export function loadFixture(name: string): Fixture {
  return JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, DIR)));
}

export function loadEdgeCases(): Record<string, EdgeCase> {
  return JSON.parse(Deno.readTextFileSync(new URL("edge_cases.json", DIR)));
}

/** The fixture as the engine would hand it over. */
export function toInput(fx: Fixture): ReportInput {
  const trades = fx.trades.map((t) => ({ strategyId: "sma-cross", symbol: "X", ...t }));
  return {
    ts: Float64Array.from(fx.ts),
    equity: Float64Array.from(fx.equity),
    close: Float64Array.from(fx.close),
    trades,
    initialCash: fx.config.cash,
    totalCommission: trades.reduce((s, t) => s + t.commission, 0),
  };
}

/**
 * Relative difference between a computed value and backtesting.py's: 0 when both are the same non-finite value
 * (null = NaN), Infinity on any mismatch in kind. Below an absolute 1e-9 two values count as equal, since
 * relative error means nothing around 0 (e.g. an Alpha of −1e-14).
 */
export function relDiff(got: number, expected: Expected): number {
  if (expected === null) return Number.isNaN(got) ? 0 : Infinity;
  if (expected === "Infinity") return got === Infinity ? 0 : Infinity;
  if (expected === "-Infinity") return got === -Infinity ? 0 : Infinity;
  if (!Number.isFinite(got)) return Infinity;
  const diff = Math.abs(got - expected);
  return diff <= 1e-9 ? 0 : diff / Math.abs(expected);
}
