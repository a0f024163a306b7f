/** A growable ring buffer: O(1) push/shift without the array re-indexing of `Array.prototype.shift`. */
export class Queue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(initialCapacity = 16) {
    this.#items = new Array(initialCapacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size++;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    return item;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes the first item matching `pred` (used by keep-newest overflow). */
  removeFirst(pred: (item: T) => boolean): T | undefined {
    for (let i = 0; i < this.#size; i++) {
      const at = (this.#head + i) % this.#items.length;
      const item = this.#items[at] as T;
      if (!pred(item)) continue;
      for (let j = i; j > 0; j--) {
        this.#items[(this.#head + j) % this.#items.length] = this.#items[(this.#head + j - 1) % this.#items.length];
      }
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#items.length;
      this.#size--;
      return item;
    }
    return undefined;
  }

  clear(): void {
    this.#items = new Array(16);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const next = new Array<T | undefined>(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = next;
    this.#head = 0;
  }
}
