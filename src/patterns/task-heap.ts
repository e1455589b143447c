/**
 * The work queue's ready tasks: a binary max-heap on (priority, then first come first served), so
 * push and pop are O(log n) however many tasks wait.
 * @module
 */

/** What the heap orders: higher `priority` first, then lower `seq`. @internal */
export interface HeapItem {
  priority: number;
  seq: number;
}

/** @internal */
export class TaskHeap<T extends HeapItem> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.#items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as T;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < a.length && before(a[l], a[best])) best = l;
        if (r < a.length && before(a[r], a[best])) best = r;
        if (best === i) break;
        [a[i], a[best]] = [a[best], a[i]];
        i = best;
      }
    }
    return top;
  }

  /** Removes every item and returns them, in no particular order. */
  drain(): T[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }
}

function before(a: HeapItem, b: HeapItem): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
}
