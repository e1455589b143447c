import fc from 'fast-check';
import { Packr, pack, Unpackr, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { type ActorRef, TroupeError } from '../../src/index.js';
import { BaseRef } from '../../src/internal.js';
import { decode, encode, FrameRefused, type RefResolver, readFrame } from '../../src/transport/codec.js';
import { Kind } from '../../src/transport/envelope.js';
import { MAX_EVENT_DEPTH, MAX_FRAME_VALUES } from '../../src/transport/frame-scan.js';

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

  describe('#readFrame', () => {
    it('refuses envelopes with __proto__ or constructor.prototype keys at any depth, and decodes the rest', () => {
      const frame = encode([
        [Kind.SEND, 'a', { type: 'ok' }],
        [Kind.ASK, 'a', JSON.parse('{"type":"x","a":[{"b":{"__proto__":{"x":1}}}]}'), '$ask.r1', 100],
        [Kind.SEND, 'a', JSON.parse('{"type":"x","constructor":{"prototype":{"x":1}}}')],
        [Kind.SEND, 'a', { type: 'x', constructor: 'fine', prototype: 'fine too' }],
      ]);
      const { envelopes, refused } = readFrame(frame, resolve);
      expect(envelopes[0]).toEqual([Kind.SEND, 'a', { type: 'ok' }]);
      expect(envelopes[3]).toEqual([Kind.SEND, 'a', { type: 'x', constructor: 'fine', prototype: 'fine too' }]);
      expect([...(refused ?? [])].map(([i, r]) => [i, r.code, r.detail])).toEqual([
        [1, 'TROUPE_ERR_PROTOCOL', 'a __proto__ key'],
        [2, 'TROUPE_ERR_PROTOCOL', 'a constructor.prototype key'],
      ]);
      // enough of a refused ask is read to answer it
      expect([refused?.get(1)?.item(0), refused?.get(1)?.item(3)]).toEqual([Kind.ASK, '$ask.r1']);
    });

    it(`refuses an event nested deeper than ${MAX_EVENT_DEPTH} levels every time, however deep, without recursing`, () => {
      const nest = (levels: number) => {
        let event: Record<string, unknown> = { type: 'leaf' };
        for (let i = 1; i < levels; i++) event = { type: 'n', c: event };
        return event;
      };
      // hand-built bytes: msgpackr's own encoder would overflow the stack on 10^5 levels
      const deep = Buffer.concat([
        Buffer.from([0x92, 0x93, Kind.SEND, 0xa1, 0x61]),
        Buffer.alloc(100_000, 0x91),
        Buffer.from([0xc0]),
        encode([Kind.SEND, 'a', { type: 'ok' }]),
      ]);
      const { envelopes, refused } = readFrame(deep, resolve);
      expect(refused?.get(0)?.code).toBe('TROUPE_ERR_EVENT_TOO_DEEP');
      expect(envelopes[1]).toEqual([Kind.SEND, 'a', { type: 'ok' }]);
      const at = (levels: number, kind: number) =>
        readFrame(encode([kind === Kind.SEND ? [kind, 'a', nest(levels)] : [kind, 'a', [nest(levels)]]]), resolve).refused?.get(0)?.code;
      for (const kind of [Kind.SEND, Kind.SEND_BATCH]) {
        expect(at(MAX_EVENT_DEPTH, kind)).toBeUndefined();
        expect(at(MAX_EVENT_DEPTH + 1, kind)).toBe('TROUPE_ERR_EVENT_TOO_DEEP');
      }
    });

    it(`refuses a frame of more than ${MAX_FRAME_VALUES} values before decoding any of it`, () => {
      const frame = encode([[Kind.SEND, 'a', { type: 'big', items: new Array(MAX_FRAME_VALUES).fill(1) }]]);
      expect(() => readFrame(frame, resolve)).toThrow(FrameRefused);
      expect(() => readFrame(frame, resolve)).toThrow(/more than 1000000 values/);
    });

    it('never lets a decoded object change Object.prototype', () => {
      const decoded = decode(encode(JSON.parse('{"__proto__":{"polluted":true}}'))) as object;
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });
  });

  describe('extensions', () => {
    const ref = new AddressRef('troupe://alpha/a');

    it('stay troupe’s: another Packr packs errors and refs as msgpackr does without troupe', () => {
      const error = new Error('x');
      expect(pack(error)).toEqual(pack([error.name, error.message, undefined]));
      expect(new Packr({ moreTypes: true }).pack(error)[1]).toBe(0x65);
      expect(new Unpackr({ moreTypes: true }).unpack(new Packr({ moreTypes: true }).pack(error))).toMatchObject({ message: 'x' });
      expect(new Packr().pack({ ref })).toEqual(new Packr().pack({ ref: { address: 'troupe://alpha/a' } }));
      expect(unpack(pack({ ref }))).toEqual({ ref: { address: 'troupe://alpha/a' } });
    });

    it('are not read outside troupe’s decode', () => {
      const bytes = encode([ref, new Error('e')]);
      expect(() => unpack(bytes)).toThrow(/Unknown extension/);
    });
  });
});
