/** Test-only helpers: a tiny CSV reader (the real loader lives elsewhere) and tolerance checks. */
import assert from "node:assert/strict";

/** Absolute path of a file under the shared data folder (/work/shared/data, beside the repo root). */
export function dataPath(relative: string): URL {
  return new URL(`../../../../shared/data/${relative}`, import.meta.url);
}

/** Columns by header name; strips a UTF-8 BOM and CRLF; empty cells become NaN, other cells stay strings. */
export function readCsv(relative: string): { header: string[]; rows: string[][]; num(col: string): Float64Array } {
  const text = Deno.readTextFileSync(dataPath(relative)).replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(",").map((h) => h.trim());
  const rows = lines.slice(1).map((l) => l.split(","));
  return {
    header,
    rows,
    num(col: string): Float64Array {
      const j = header.indexOf(col);
      assert.ok(j >= 0, `no column "${col}" in ${relative}`);
      return Float64Array.from(rows, (r) => (r[j] === undefined || r[j].trim() === "" ? NaN : Number(r[j])));
    },
  };
}

export function readJson<T>(relative: string): T {
  return JSON.parse(Deno.readTextFileSync(dataPath(relative))) as T;
}

/**
 * Compares `actual` with `expected` where expected is non-null/non-NaN, within tol·max(1, |expected|) (absolute
 * below 1, relative above), and requires NaN in `actual` exactly where expected is null/NaN (when `warmup`).
 * Returns the largest error seen, scaled the same way, for reporting.
 */
export function assertSeriesClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number | null>,
  tol: number,
  label: string,
  options: { from?: number; warmup?: boolean } = {},
): number {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let worst = 0;
  for (let i = options.from ?? 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === null || Number.isNaN(e)) {
      if (options.warmup ?? true) assert.ok(Number.isNaN(a), `${label}[${i}]: expected warm-up NaN, got ${a}`);
      continue;
    }
    assert.ok(!Number.isNaN(a), `${label}[${i}]: expected ${e}, got NaN`);
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
    worst = Math.max(worst, err);
    assert.ok(err <= tol, `${label}[${i}]: expected ${e}, got ${a} (scaled error ${err})`);
  }
  return worst;
}

/** Element-wise identity (NaN equals NaN, 0 vs −0 ignored), for "incremental and array forms agree exactly". */
export function assertSameSeries(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    assert.ok(a === e || (a !== a && e !== e), `${label}[${i}]: ${a} !== ${e}`);
  }
}
