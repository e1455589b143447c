import { describe, expect, it } from 'vitest';
import { Ring } from '../../src/inspect/ring.js';

describe('Ring', () => {
  it('keeps the newest items up to its capacity and counts what it pushed out', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect([r.size, r.total, r.dropped]).toEqual([3, 5, 2]);
    expect([r.at(0), r.at(2), r.at(3), r.at(-1)]).toEqual([3, 5, undefined, undefined]);
  });

  it('grows its storage lazily and drains oldest first', () => {
    const r = new Ring<number>(100_000);
    for (let i = 0; i < 2000; i++) r.push(i);
    expect(r.at(1999)).toBe(1999);
    expect(r.drain()).toHaveLength(2000);
    expect(r.size).toBe(0);
    r.push(7);
    expect(r.toArray()).toEqual([7]);
  });
});
