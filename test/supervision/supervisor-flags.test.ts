import { describe, expect, it } from 'vitest';
import { supervisor } from '../../src/index.js';
import { workerMachine } from './helpers.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('supervisor flags', () => {
  it.each([
    ['not an object', 'fast', /flags must be an object/],
    ['an unknown strategy', { strategy: 'simple-one-for-one' }, /strategy must be/],
    ['a negative intensity', { intensity: -1 }, /intensity must be/],
    ['a fractional intensity', { intensity: 1.5 }, /intensity must be/],
    ['a zero period', { periodMs: 0 }, /periodMs must be/],
    ['a NaN period', { periodMs: Number.NaN }, /periodMs must be/],
    ['a bad autoShutdown', { autoShutdown: 'sometimes' }, /autoShutdown must be/],
    ['a backoff that is not an object', { backoff: 5 }, /backoff must be an object/],
    ['a backoff with max below min', { backoff: { minMs: 100, maxMs: 10 } }, /backoff.maxMs/],
    ['children that are not an array', { children: {} }, /children must be an array/],
    [
      'a duplicate child id',
      {
        children: [
          { id: 'a', logic: workerMachine },
          { id: 'a', logic: workerMachine },
        ],
      },
      /duplicate child id "a"/,
    ],
    ['a child id that is not an actor name', { children: [{ id: 'a/b', logic: workerMachine }] }, /invalid actor name/],
    ['a child without logic', { children: [{ id: 'a' }] }, /logic must be/],
    [
      'a significant child with autoShutdown never',
      { children: [{ id: 'a', logic: workerMachine, restart: 'transient', significant: true }] },
      /need autoShutdown/,
    ],
  ])('rejects %s at once with INVALID_SPEC', (_what, flags, message) => {
    const result = code(() => supervisor(flags as Parameters<typeof supervisor>[0]));
    expect(result).toMatch(/^TROUPE_ERR_INVALID_SPEC: /);
    expect(result).toMatch(message);
  });

  it('accepts an empty supervisor and a nested one', () => {
    expect(code(() => supervisor())).toBe('no error');
    expect(code(() => supervisor({ children: [{ id: 'sub', logic: supervisor() }] }))).toBe('no error');
  });
});
