/**
 * Neumaier-compensated running sum. A class, not a closure: every indicator instance then shares one
 * `add` function, so call sites stay monomorphic and V8 inlines them (closures per instance made the
 * rolling indicators several times slower on the backtest hot path).
 */
export class CompensatedSum {
  #sum = 0;
  #comp = 0;

  add(x: number): void {
    const sum = this.#sum;
    const t = sum + x;
    if (Math.abs(sum) >= Math.abs(x)) this.#comp += (sum - t) + x;
    else this.#comp += (x - t) + sum;
    this.#sum = t;
  }

  get value(): number {
    return this.#sum + this.#comp;
  }

  reset(): void {
    this.#sum = 0;
    this.#comp = 0;
  }
}

export function compensatedSum(): CompensatedSum {
  return new CompensatedSum();
}
