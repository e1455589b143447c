import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../src/supervision/restart-backoff.js';

describe('RestartBackoff', () => {
  describe('#next', () => {
    it('grows exponentially up to maxMs while failures keep coming', () => {
      const backoff = new RestartBackoff({ minMs: 10, maxMs: 100, factor: 2, jitter: 0 }, 1000);
      expect([0, 1, 2, 3, 4, 5].map((t) => backoff.next(t))).toEqual([10, 20, 40, 80, 100, 100]);
    });

    it('starts over once the child ran for a whole quiet period', () => {
      const backoff = new RestartBackoff({ minMs: 10, maxMs: 100, factor: 2, jitter: 0 }, 1000);
      backoff.next(0);
      backoff.started(10);
      backoff.next(10);
      backoff.started(20);
      expect(backoff.next(1021)).toBe(10);
    });

    it('does not count the wait before a restart as quiet time', () => {
      const backoff = new RestartBackoff({ minMs: 100, maxMs: 60_000, factor: 2, jitter: 0 }, 1000);
      const delays: number[] = [];
      let now = 0;
      for (let i = 0; i < 7; i++) {
        const delay = backoff.next(now);
        delays.push(delay);
        now += delay;
        backoff.started(now); // and crashes at once
      }
      expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400]);
    });

    it('randomises downwards by up to jitter', () => {
      const backoff = new RestartBackoff({ minMs: 100, jitter: 0.5 }, 1000, () => 1);
      expect(backoff.next(0)).toBe(50);
    });
  });
});
