import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActorRef, TroupeError } from '../../src/index.js';
import { BaseRef } from '../../src/internal.js';
import { decode, encode, mayPollute, POLLUTION_SCAN_BUDGET, pollutedItems, type RefResolver } from '../../src/transport/codec.js';

/** A ref that only has an address: what a resolver would rebuild. */
class AddressRef extends BaseRef {
  constructor(readonly address: string) {
    super();
  }
  send(): void {}
  ask<T>(): Promise<T> {
    return Promise.reject(new Error('not here'));
  }
  _down(): void {}
  _watch(): void {}
  _unwatch(): void {}
  _stop(): Promise<void> {
    return Promise.resolve();
  }
}

const resolve: RefResolver = (address) => new AddressRef(`resolved:${address}`);

describe('codec', () => {
  describe('refs', () => {
    it('travel as their address and come back through the receiving system’s resolver', () => {
      const ref = new AddressRef('troupe://alpha/a/b');
      const decoded = decode(encode([{ type: 'x', replyTo: ref, deep: [{ r: ref }] }]), resolve) as [
        { replyTo: ActorRef; deep: [{ r: ActorRef }] },
      ];
      expect(decoded[0].replyTo).toBeInstanceOf(AddressRef);
      expect(decoded[0].replyTo.address).toBe('resolved:troupe://alpha/a/b');
      expect(decoded[0].deep[0].r.address).toBe('resolved:troupe://alpha/a/b');
    });

    it('are refused where no resolver is given (before authentication)', () => {
      expect(() => decode(encode({ r: new AddressRef('troupe://alpha/a') }))).toThrow(TroupeError);
    });
  });

  describe('errors', () => {
    it('keep a TroupeError’s code and message, and a plain error’s name and message', () => {
      const [t, r] = decode(encode([new TroupeError('TROUPE_ERR_NO_ACTOR', 'gone'), new RangeError('far')])) as [TroupeError, Error];
      expect(t).toBeInstanceOf(TroupeError);
      expect(t).toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR', message: 'gone' });
      expect(r).toMatchObject({ name: 'RangeError', message: 'far' });
    });

    it('do not trust a code that is not one of troupe’s', () => {
      const e = Object.assign(new Error('x'), { code: 'ENOENT' });
      const back = decode(encode(e)) as Error & { code: string };
      expect(back).not.toBeInstanceOf(TroupeError);
      expect(back.code).toBe('ENOENT');
    });
  });

  describe('round trip', () => {
    it('returns any JSON value unchanged (as JSON sees it: -0 travels as 0)', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          // A __proto__ key is renamed on purpose (see #pollutedItems); it is not a round-trip value.
          fc.pre(!JSON.stringify(value).includes('"__proto__"'));
          expect(decode(encode([value]))).toEqual([JSON.parse(JSON.stringify(value))]);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('#pollutedItems', () => {
    it('finds __proto__ and constructor.prototype keys at any depth, per top-level item', () => {
      const frame = encode([
        { type: 'ok' },
        JSON.parse('{"a":[{"b":{"__proto__":{"x":1}}}]}'),
        JSON.parse('{"constructor":{"prototype":{"x":1}}}'),
        { constructor: 'fine', prototype: 'fine too' },
      ]);
      expect(mayPollute(frame)).toBe(true);
      expect([...pollutedItems(frame, resolve)]).toEqual([
        [1, 'a __proto__ key'],
        [2, 'a constructor.prototype key'],
      ]);
    });

    it('rejects an item too large to scan instead of letting a key hide past the budget', () => {
      const pad = [new Map([['__proto__', 1]]), ...new Array(POLLUTION_SCAN_BUDGET + 1).fill(0)];
      const frame = encode([
        [1, 'a', { type: 'x' }],
        [1, 'a', { type: 'x', pad }],
      ]);
      const found = pollutedItems(frame, resolve);
      expect([...found.keys()]).toEqual([1]);
      expect(found.get(1)).toMatch(/more than/);
    });

    it('skips the full check when the frame cannot hold such a key', () => {
      expect(mayPollute(encode([{ type: 'plain', text: 'nothing to see' }]))).toBe(false);
    });

    it('never lets a decoded object change Object.prototype', () => {
      const decoded = decode(encode(JSON.parse('{"__proto__":{"polluted":true}}'))) as object;
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });
  });
});
