const EMPTY: never[] = [];

/**
 * A growable ring buffer. Allocates nothing until the first push, so an idle actor's mailbox
 * costs a few words; grows by doubling and never shrinks below its high-water mark until cleared.
 */
export class Queue<T> {
  #items: (T | undefined)[] = EMPTY;
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    const items = this.#items;
    if (this.#length === items.length) {
      this.#grow();
    }
    const cap = this.#items.length;
    this.#items[(this.#head + this.#length) & (cap - 1)] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#length--;
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Calls `fn` with each item, oldest first. */
  forEach(fn: (item: T) => void): void {
    const items = this.#items;
    const mask = items.length - 1;
    for (let i = 0; i < this.#length; i++) fn(items[(this.#head + i) & mask] as T);
  }

  /** Empties the queue and returns what it held, oldest first. */
  drain(): T[] {
    const out: T[] = new Array(this.#length);
    for (let i = 0; i < out.length; i++) out[i] = this.shift() as T;
    this.#items = EMPTY;
    this.#head = 0;
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const cap = old.length === 0 ? 4 : old.length * 2;
    const next = new Array<T | undefined>(cap);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}
