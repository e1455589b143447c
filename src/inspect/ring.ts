/**
 * A bounded ring buffer: keeps the newest `capacity` items and counts the ones it pushed out.
 * Memory stays bounded however many items go through it.
 */
export class Ring<T> {
  readonly capacity: number;
  /** Items pushed out to make room, since creation. */
  dropped = 0;
  /** Items ever pushed. */
  total = 0;
  #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(Math.min(capacity, 1024));
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.total++;
    if (this.#size === this.capacity) {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % this.capacity;
      this.dropped++;
      return;
    }
    const at = (this.#start + this.#size) % this.capacity;
    if (at >= this.#items.length) this.#items.length = Math.min(this.capacity, this.#items.length * 2);
    this.#items[at] = item;
    this.#size++;
  }

  /** The item at `index` (0 = oldest kept). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    return this.#items[(this.#start + index) % this.capacity];
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const out = this.toArray();
    this.#items = new Array<T | undefined>(Math.min(this.capacity, 1024));
    this.#start = 0;
    this.#size = 0;
    return out;
  }

  toArray(): T[] {
    const out = new Array<T>(this.#size);
    for (let i = 0; i < this.#size; i++) out[i] = this.#items[(this.#start + i) % this.capacity] as T;
    return out;
  }
}
