/**
 * A growable ring buffer: O(1) push/shift without the re-indexing of `Array.prototype.shift`. The capacity is
 * a power of two so wrapping is a bit mask, not a division (this sits under every message of the host).
 */
export class Queue<T> {
  #items: (T | undefined)[];
  #mask: number;
  #head = 0;
  #size = 0;

  constructor(initialCapacity = 16) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.#items = new Array(capacity);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size > this.#mask) this.#grow();
    this.#items[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  /** Removes the first item matching `pred` (used by keep-newest overflow). */
  removeFirst(pred: (item: T) => boolean): T | undefined {
    const mask = this.#mask;
    for (let i = 0; i < this.#size; i++) {
      const item = this.#items[(this.#head + i) & mask] as T;
      if (!pred(item)) continue;
      for (let j = i; j > 0; j--) {
        this.#items[(this.#head + j) & mask] = this.#items[(this.#head + j - 1) & mask];
      }
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) & mask;
      this.#size--;
      return item;
    }
    return undefined;
  }

  #grow(): void {
    const capacity = this.#items.length * 2;
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#size; i++) next[i] = this.#items[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
