/** Fixed-size ring of the last `size` values. A class for the same reason as CompensatedSum (hot path). */
export class Window {
  readonly #buf: Float64Array;
  readonly #size: number;
  #head = 0; // next slot to write, which is also the oldest slot once full
  #count = 0;

  constructor(size: number) {
    this.#size = size;
    this.#buf = new Float64Array(size);
  }

  /** Appends `x`; returns the value it evicted (0 while not yet full). */
  push(x: number): number {
    const size = this.#size;
    const head = this.#head;
    const evicted = this.#count === size ? this.#buf[head] : 0;
    this.#buf[head] = x;
    this.#head = head + 1 === size ? 0 : head + 1;
    if (this.#count < size) this.#count++;
    return evicted;
  }

  /** The i-th value, oldest first (0 ≤ i < count). */
  at(i: number): number {
    let j = this.#head - this.#count + i;
    if (j < 0) j += this.#size;
    return this.#buf[j];
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count === this.#size;
  }

  reset(): void {
    this.#head = 0;
    this.#count = 0;
  }
}

export function window(size: number): Window {
  return new Window(size);
}
