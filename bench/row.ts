/**
 * One schema for every benchmark line: `{"bench": name, "unit": …, "value": …, …details}`, one JSON object per line
 * on stdout, so the lines can be collected, filtered and compared by name without knowing each benchmark.
 */
export interface BenchRow {
  /** Unique across benchmarks, snake_case, prefixed with the group (`runtime_`, `backtest_`, …). */
  readonly bench: string;
  /** What `value` counts: "bars/s", "messages/s", "ms", "us", "x" (a ratio), … */
  readonly unit: string;
  /** The headline figure; the details say how it was measured. */
  readonly value: number;
  readonly [detail: string]: unknown;
}

export function printRow(row: BenchRow): void {
  console.log(JSON.stringify(row));
}
