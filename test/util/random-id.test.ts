import { describe, expect, it } from 'vitest';
import { randomId } from '../../src/util/random-id.js';

describe('randomId', () => {
  it('gives alphanumeric ids of the asked length, all distinct', () => {
    const ids = Array.from({ length: 20_000 }, () => randomId(16));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every one of the 62 characters, across refills of its pool', () => {
    const chars = Array.from({ length: 2000 }, () => randomId(12)).join('');
    expect(new Set(chars).size).toBe(62);
  });
});
