/** Parameter checks shared by every factory, so all errors read the same way. */

/** An integer ≥ `min` (default 1), else a RangeError naming the parameter. */
export function checkPeriod(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid ${name}: expected an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** A finite number > 0, else a RangeError naming the parameter. */
export function checkPositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Invalid ${name}: expected a finite number > 0, got ${value}`);
  }
  return value;
}

/** One of the listed strings, else a RangeError naming the parameter. */
export function checkOneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new RangeError(`Invalid ${name}: expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got "${value}"`);
  }
  return value;
}

/** Series inputs of one indicator must line up bar for bar. */
export function checkSameLength(...arrays: ArrayLike<number>[]): number {
  const n = arrays[0].length;
  for (const a of arrays) {
    if (a.length !== n) throw new RangeError(`Invalid series: input lengths differ (${n} and ${a.length})`);
  }
  return n;
}
