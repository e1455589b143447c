import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { decodeValue, encodeValue } from '../../src/store/json.js';

function refusal(value: unknown): string {
  try {
    encodeValue(value);
  } catch (err) {
    expect(TroupeError.is(err, 'TROUPE_ERR_INVALID_VALUE')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('encodeValue', () => {
  it('round-trips JSON through decodeValue', () => {
    const value = { a: [1, 'two', null, true, { b: -0.5 }], ключ: '🎭' };
    expect(decodeValue(encodeValue(value))).toEqual(value);
  });

  it('names where the value stops being JSON', () => {
    expect(refusal({ a: [1, { b: undefined }] })).toContain('at .a[1].b');
    expect(refusal({ when: new Date(0) })).toContain('an instance of Date');
    expect(refusal([Number.NaN])).toContain('NaN is not a finite number');
    expect(refusal(1n)).toContain('a bigint');
  });

  it('refuses, with TROUPE_ERR_INVALID_VALUE, a value whose getter or proxy throws while it is read', () => {
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('no reading me');
      },
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(refusal(getter)).toContain('no reading me');
    expect(refusal({ nested: proxy })).toContain('no keys');
  });

  it('accepts shared (non-cyclic) references and objects without a prototype', () => {
    const shared = { x: 1 };
    const bare = Object.assign(Object.create(null) as object, { y: 2 });
    expect(encodeValue({ a: shared, b: shared, bare })).toBe('{"a":{"x":1},"b":{"x":1},"bare":{"y":2}}');
  });

  it('refuses a nesting deeper than 512 levels instead of overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refusal(deep)).toContain('nested deeper than 512');
  });
});
