import { describe, expect, it } from 'vitest';
import { randomId, randomName } from '../../src/util/random-id.js';

describe('randomId', () => {
  it('gives ids of the asked length in the base64url alphabet, all distinct', () => {
    const ids = Array.from({ length: 20_000 }, () => randomId(16));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every character of the alphabet (6 random bits per character)', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => randomId(16)).join(''));
    expect(seen.size).toBe(64);
  });
});

describe('randomName', () => {
  it('gives alphanumeric names of the asked length, all distinct', () => {
    const names = Array.from({ length: 20_000 }, () => randomName(12));
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(names.join('')).size).toBe(62);
  });
});
