import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/mailbox/queue.js';

describe('Queue', () => {
  describe('#push / #shift', () => {
    it('returns items in FIFO order across growth and wrap-around', () => {
      const q = new Queue<number>();
      for (let i = 0; i < 3; i++) q.push(i);
      expect(q.shift()).toBe(0);
      for (let i = 3; i < 20; i++) q.push(i);
      const out: number[] = [];
      for (let v = q.shift(); v !== undefined; v = q.shift()) out.push(v);
      expect(out).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
      expect(q.length).toBe(0);
    });

    it('returns undefined when empty', () => {
      expect(new Queue<string>().shift()).toBeUndefined();
    });

    it('behaves like an array under any sequence of pushes and shifts (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 300 }), (ops) => {
          const q = new Queue<number>();
          const model: number[] = [];
          for (const op of ops) {
            if (op === null) expect(q.shift()).toBe(model.shift());
            else {
              q.push(op);
              model.push(op);
            }
            expect(q.length).toBe(model.length);
            expect(q.peek()).toBe(model[0]);
          }
        }),
      );
    });
  });

  describe('#drain', () => {
    it('empties the queue and returns its items oldest first', () => {
      const q = new Queue<number>();
      for (const n of [1, 2, 3]) q.push(n);
      expect(q.drain()).toEqual([1, 2, 3]);
      expect(q.length).toBe(0);
      q.push(4);
      expect(q.shift()).toBe(4);
    });
  });
});
