/** Sum over a sliding window, compensated so that long runs do not drift (see drift_test). */
import { CompensatedSum } from "./_compensated.ts";
import { Window } from "./_window.ts";

export class RollingSum {
  readonly #w: Window;
  readonly #acc = new CompensatedSum();

  constructor(size: number) {
    this.#w = new Window(size);
  }

  push(x: number): void {
    const full = this.#w.full;
    const old = this.#w.push(x);
    this.#acc.add(x);
    if (full) this.#acc.add(-old);
  }

  get sum(): number {
    return this.#acc.value;
  }

  get count(): number {
    return this.#w.count;
  }

  get full(): boolean {
    return this.#w.full;
  }

  at(i: number): number {
    return this.#w.at(i);
  }

  reset(): void {
    this.#w.reset();
    this.#acc.reset();
  }
}

export function rollingSum(size: number): RollingSum {
  return new RollingSum(size);
}
