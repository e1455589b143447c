import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/store/order.js';
import { prefixUpperBound } from '../../src/store/prefix-range.js';

// Strings over a small alphabet that includes the edges: U+FFFF, a surrogate pair, U+10FFFF.
const char = fc.constantFrom('a', 'b', '%', '_', '\\', '\u00e9', '\ud7ff', '\ue000', '\uffff', '🎭', '\u{10ffff}');
const text = fc.array(char, { maxLength: 5 }).map((cs) => cs.join(''));

describe('prefixUpperBound', () => {
  it('bounds exactly the strings that start with the prefix: p <= s < upper', () => {
    fc.assert(
      fc.property(text, text, (p, s) => {
        const upper = prefixUpperBound(p);
        const inRange = compareKeys(s, p) >= 0 && (upper === undefined || compareKeys(s, upper) < 0);
        expect(inRange).toBe(s.startsWith(p));
      }),
      { numRuns: 2000 },
    );
  });

  it('raises the last code point, skips the surrogate block, and has no bound for U+10FFFF only', () => {
    expect(prefixUpperBound('ab')).toBe('ac');
    expect(prefixUpperBound('a\ud7ff')).toBe('a\ue000');
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\u{10ffff}\u{10ffff}')).toBeUndefined();
    expect(prefixUpperBound('')).toBeUndefined();
  });
});

describe('compareKeys', () => {
  it('orders by code point, which is UTF-8 byte order', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        expect(Math.sign(compareKeys(a, b))).toBe(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
