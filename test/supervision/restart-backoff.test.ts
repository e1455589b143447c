import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../src/supervision/restart-backoff.js';

describe('RestartBackoff', () => {
  describe('#next', () => {
    it('grows exponentially up to maxMs while failures keep coming', () => {
      const backoff = new RestartBackoff({ minMs: 10, maxMs: 100, factor: 2, jitter: 0 }, 1000);
      expect([0, 1, 2, 3, 4, 5].map((t) => backoff.next(t))).toEqual([10, 20, 40, 80, 100, 100]);
    });

    it('starts over after a quiet period', () => {
      const backoff = new RestartBackoff({ minMs: 10, maxMs: 100, factor: 2, jitter: 0 }, 1000);
      backoff.next(0);
      backoff.next(10);
      expect(backoff.next(1011)).toBe(10);
    });

    it('randomises downwards by up to jitter', () => {
      const backoff = new RestartBackoff({ minMs: 100, jitter: 0.5 }, 1000, () => 1);
      expect(backoff.next(0)).toBe(50);
    });
  });
});
