import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it('tables every error code', () => {
    const missing = Object.values(ErrorCodes).filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('tables no code that does not exist', () => {
    const documented = [...doc.matchAll(/`(TROUPE_ERR_[A-Z_]+)`/g)].map((m) => m[1]);
    const known = new Set<string>(Object.values(ErrorCodes));
    expect(documented.filter((c) => !known.has(c))).toEqual([]);
  });
});
