import { describe, expect, it } from 'vitest';
import { encode } from '../../src/transport/codec.js';
import { Kind } from '../../src/transport/envelope.js';
import { FrameRefused, MAX_EVENT_DEPTH, needsScan, scanFrame } from '../../src/transport/frame-scan.js';

const limits = { wrapperTypes: [0x10, 0x11] };

describe('scanFrame', () => {
  it('finds where each envelope starts and ends, without decoding', () => {
    const envelopes = [
      [Kind.SEND, 'a', { type: 'x', list: [1, 2, 3], when: new Date(0), nothing: undefined }],
      [Kind.PING],
      [Kind.SEND_BATCH, 'b', [{ type: 'y', n: 1.5, big: 2 ** 40, neg: -3, text: 'é'.repeat(300) }]],
    ];
    const frame = encode(envelopes);
    const { offsets, refused } = scanFrame(frame, limits);
    expect(refused).toBeUndefined();
    expect(offsets).toHaveLength(4);
    expect(offsets[0]).toBe(1);
    expect(offsets[3]).toBe(frame.byteLength);
    expect(offsets.slice(1).map((end, i) => Buffer.from(frame.subarray(offsets[i], end)))).toEqual(
      envelopes.map((e) => Buffer.from(encode(e))),
    );
  });

  it('counts levels from the event: a batch’s events may nest as deep as a single tell', () => {
    const nest = (levels: number) => {
      let v: unknown = { type: 'leaf' };
      for (let i = 1; i < levels; i++) v = { type: 'n', c: v };
      return v;
    };
    const codeOf = (envelope: unknown[]) => scanFrame(encode([envelope]), limits).refused?.get(0)?.code;
    expect(codeOf([Kind.SEND, 'a', nest(MAX_EVENT_DEPTH)])).toBeUndefined();
    expect(codeOf([Kind.SEND_BATCH, 'a', [nest(MAX_EVENT_DEPTH)]])).toBeUndefined();
    expect(codeOf([Kind.SEND, 'a', nest(MAX_EVENT_DEPTH + 1)])).toBe('TROUPE_ERR_EVENT_TOO_DEEP');
    expect(codeOf([Kind.SEND_BATCH, 'a', [nest(MAX_EVENT_DEPTH + 1)]])).toBe('TROUPE_ERR_EVENT_TOO_DEEP');
    expect(scanFrame(encode([[Kind.SEND, 'a', nest(3)]]), { ...limits, maxEventDepth: 2 }).refused?.get(0)?.code).toBe(
      'TROUPE_ERR_EVENT_TOO_DEEP',
    );
  });

  it('keeps the offsets of a refused envelope’s own items, so its kind and reply path can be read', () => {
    const frame = encode([[Kind.ASK, 'p', JSON.parse('{"type":"x","__proto__":{}}'), '$ask.r', 10]]);
    const refusal = scanFrame(frame, limits).refused?.get(0);
    expect(refusal?.detail).toBe('a __proto__ key');
    expect(refusal?.items).toHaveLength(6);
  });

  it('refuses a frame over maxValues as soon as a container would pass it', () => {
    expect(() => scanFrame(encode([[Kind.SEND, 'a', { type: 'x', list: new Array(50).fill(0) }]]), { ...limits, maxValues: 40 })).toThrow(
      FrameRefused,
    );
  });

  it('refuses truncated frames, trailing bytes, non-arrays and extensions troupe does not write', () => {
    const frame = encode([[Kind.SEND, 'a', { type: 'x' }]]);
    for (const bad of [
      frame.subarray(0, frame.byteLength - 1),
      Buffer.concat([frame, Buffer.from([0xc0])]),
      encode({ not: 'an array' }),
      Buffer.from([0x91, 0xd4, 0x73, 0x00]),
      Buffer.from([0x91, 0xc1]),
      Buffer.alloc(0),
    ]) {
      expect(() => scanFrame(bad, limits)).toThrow(FrameRefused);
    }
  });
});

describe('needsScan', () => {
  it('lets only small frames without extensions or proto text skip the scan', () => {
    expect(needsScan(encode([[Kind.SEND, '$ask.AAAAAAAAAAAAAAAA', { type: 'pong', seq: 1 }]]))).toBe(false);
    expect(needsScan(encode([[Kind.PING]]))).toBe(false);
    expect(needsScan(encode([[Kind.SEND, 'a', { type: 'x', pad: 'y'.repeat(MAX_EVENT_DEPTH) }]]))).toBe(true);
    expect(needsScan(encode([[Kind.SEND, 'a', { type: 'x', u: undefined }]]))).toBe(true);
    expect(needsScan(encode([[Kind.SEND, 'a', JSON.parse('{"type":"x","__proto__":1}')]]))).toBe(true);
    // a frame of n bytes nests fewer than n levels: below the limit, nothing can be too deep
    expect(needsScan(Buffer.concat([Buffer.alloc(MAX_EVENT_DEPTH + 2, 0x91), Buffer.from([0xc0])]))).toBe(false);
  });
});
