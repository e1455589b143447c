import { describe, expect, it } from 'vitest';
import { backoffDelay, validateBackoff } from '../../src/util/backoff.js';

describe('backoffDelay', () => {
  it('grows by factor and caps at max, without jitter', () => {
    const o = { minMs: 10, maxMs: 100, factor: 2, jitter: 0 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o))).toEqual([10, 20, 40, 80, 100, 100]);
  });

  it('randomises at most `jitter` of the delay downwards', () => {
    const o = { minMs: 100, maxMs: 100, jitter: 0.5 };
    expect(backoffDelay(0, o, () => 0)).toBe(100);
    expect(backoffDelay(0, o, () => 0.999)).toBe(50);
  });
});

describe('validateBackoff', () => {
  const fail = (m: string): never => {
    throw new Error(m);
  };
  it.each([
    [{ minMs: -1 }, /minMs/],
    [{ minMs: 10, maxMs: 5 }, /maxMs/],
    [{ factor: 0.5 }, /factor/],
    [{ jitter: 2 }, /jitter/],
  ])('rejects %o', (o, msg) => {
    expect(() => validateBackoff(o, fail)).toThrow(msg);
  });

  it('fills defaults', () => {
    expect(validateBackoff({}, fail)).toEqual({ minMs: 10, maxMs: 5000, factor: 2, jitter: 0.2 });
  });
});
