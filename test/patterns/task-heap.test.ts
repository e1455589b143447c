import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskHeap } from '../../src/patterns/task-heap.js';

describe('TaskHeap', () => {
  it('pops higher priorities first, first come first served within one priority', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 200 }), (priorities) => {
        const heap = new TaskHeap<{ priority: number; seq: number }>();
        for (let seq = 0; seq < priorities.length; seq++) heap.push({ priority: priorities[seq], seq });
        const popped: { priority: number; seq: number }[] = [];
        for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item);
        const expected = priorities.map((priority, seq) => ({ priority, seq })).sort((a, b) => b.priority - a.priority || a.seq - b.seq);
        expect(popped).toEqual(expected);
        expect(heap.size).toBe(0);
      }),
    );
  });

  it('interleaves pushes and pops', () => {
    const heap = new TaskHeap<{ priority: number; seq: number; id: string }>();
    heap.push({ priority: 0, seq: 0, id: 'a' });
    heap.push({ priority: 1, seq: 1, id: 'b' });
    expect(heap.pop()?.id).toBe('b');
    heap.push({ priority: 0, seq: 2, id: 'c' });
    heap.push({ priority: 2, seq: 3, id: 'd' });
    expect([heap.pop()?.id, heap.pop()?.id, heap.pop()?.id, heap.pop()]).toEqual(['d', 'a', 'c', undefined]);
    heap.push({ priority: 0, seq: 4, id: 'e' });
    expect(heap.drain().map((x) => x.id)).toEqual(['e']);
  });
});
