import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/patterns/limiter.js';

describe('Limiter', () => {
  it('lets at most `limit` holders in, and serves waiters in order', async () => {
    const limiter = new Limiter(2);
    const order: number[] = [];
    await limiter.acquire();
    await limiter.acquire();
    expect(limiter.active).toBe(2);
    const waiting = [3, 4, 5].map((n) => limiter.acquire().then(() => order.push(n)));
    await Promise.resolve();
    expect(order).toEqual([]);
    limiter.release();
    limiter.release();
    limiter.release();
    await Promise.all(waiting);
    expect(order).toEqual([3, 4, 5]);
    expect(limiter.active).toBe(2);
  });

  it('run releases its slot when the function throws', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(limiter.active).toBe(0);
    expect(await limiter.run(async () => 7)).toBe(7);
  });

  it('handles many waiters', async () => {
    const limiter = new Limiter(3);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5000 }, () =>
        limiter.run(async () => {
          inside++;
          most = Math.max(most, inside);
          await Promise.resolve();
          inside--;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(limiter.active).toBe(0);
  });
});
