import { describe, expect, it } from 'vitest';
import { decodeFrame, Kind } from '../../src/internal.js';
import type { Envelope } from '../../src/transport/envelope.js';
import { MAX_FRAME_VALUES } from '../../src/transport/frame-scan.js';
import { coalesce, FRAME_SPLIT_BYTES, writeFrames } from '../../src/transport/frame-writer.js';

const send = (path: string, n: number): Envelope => [Kind.SEND, path, { type: 'n', n }];

describe('frame-writer', () => {
  describe('#coalesce', () => {
    it('merges consecutive tells to one path and keeps the order of everything', () => {
      const ask: Envelope = [Kind.ASK, 'a', { type: 'q' }, '$ask.x.1', 1000];
      expect(coalesce([send('a', 1), send('a', 2), ask, send('a', 3), send('b', 4), send('a', 5)], () => false)).toEqual([
        [
          Kind.SEND_BATCH,
          'a',
          [
            { type: 'n', n: 1 },
            { type: 'n', n: 2 },
          ],
        ],
        ask,
        send('a', 3),
        send('b', 4),
        send('a', 5),
      ]);
    });

    it('drops stale envelopes (and merges the tells around them)', () => {
      const stale: Envelope = [Kind.CALL, 1, 'spawn', {}];
      expect(coalesce([send('a', 1), stale, send('a', 2)], (e) => e === stale)).toEqual([
        [
          Kind.SEND_BATCH,
          'a',
          [
            { type: 'n', n: 1 },
            { type: 'n', n: 2 },
          ],
        ],
      ]);
    });
  });

  describe('#writeFrames', () => {
    it('sends one frame when it fits', () => {
      const frames: Uint8Array[] = [];
      writeFrames(
        [send('a', 1), send('b', 2)],
        1024,
        (f) => frames.push(f),
        () => {},
      );
      expect(frames.map((f) => decodeFrame(f))).toEqual([[send('a', 1), send('b', 2)]]);
    });

    it('splits batches (and tell batches) to fit maxFrameBytes, in order', () => {
      const frames: unknown[][] = [];
      const events = Array.from({ length: 20 }, (_, n) => ({ type: 'n', n, pad: 'p'.repeat(100) }));
      writeFrames(
        [[Kind.SEND_BATCH, 'a', events]],
        600,
        (f) => frames.push(decodeFrame(f) as unknown[]),
        () => {},
      );
      expect(frames.length).toBeGreaterThan(1);
      const delivered = frames.flat().flatMap((e) => {
        const env = e as Envelope;
        return env[0] === Kind.SEND_BATCH ? env[2] : env[0] === Kind.SEND ? [env[2]] : [];
      });
      expect(delivered.map((e) => e.n)).toEqual([...Array(20).keys()]);
    });

    it('rejects only the envelope that is too large or cannot be encoded', () => {
      const sent: unknown[] = [];
      const rejected: [unknown, string][] = [];
      const big: Envelope = [Kind.SEND, 'a', { type: 'big', text: 'x'.repeat(2000) }];
      const bad: Envelope = [Kind.SEND, 'a', { type: 'bad', n: 2n ** 70n }];
      writeFrames(
        [send('a', 1), big, send('a', 2), bad, send('a', 3)],
        1024,
        (f) => sent.push(...(decodeFrame(f) as unknown[])),
        (e, code) => rejected.push([e, code]),
      );
      expect(sent).toEqual([send('a', 1), send('a', 2), send('a', 3)]);
      expect(rejected).toEqual([
        [big, 'TROUPE_ERR_FRAME_TOO_LARGE'],
        [bad, 'TROUPE_ERR_INVALID_EVENT'],
      ]);
    });
  });

  describe('#writeFrames limits the receiver applies', () => {
    it('rejects an event too deep to encode with TROUPE_ERR_EVENT_TOO_DEEP, not a stack overflow', () => {
      let deep: Record<string, unknown> = { type: 'leaf' };
      for (let i = 0; i < 100_000; i++) deep = { type: 'n', c: deep };
      const rejected: [string, string][] = [];
      const sent: unknown[] = [];
      writeFrames(
        [[Kind.SEND, 'a', deep as Envelope[2] & { type: string }], send('a', 1)],
        1 << 20,
        (f) => sent.push(...(decodeFrame(f) as unknown[])),
        (_e, code, detail) => rejected.push([code, detail]),
      );
      expect(rejected).toEqual([['TROUPE_ERR_EVENT_TOO_DEEP', 'an event nested deeper than 64 levels cannot be sent']]);
      expect(sent).toEqual([send('a', 1)]);
    });

    it(`rejects a message of more than ${MAX_FRAME_VALUES} values with TROUPE_ERR_FRAME_TOO_LARGE, and sends the rest`, () => {
      const huge: Envelope = [Kind.SEND, 'a', { type: 'huge', items: new Array(MAX_FRAME_VALUES + 1).fill(0) }];
      const rejected: [Envelope, string][] = [];
      const sent: unknown[] = [];
      writeFrames(
        [send('a', 1), huge, send('a', 2)],
        16 << 20,
        (f) => sent.push(...(decodeFrame(f) as unknown[])),
        (e, code) => rejected.push([e, code]),
      );
      expect(rejected).toEqual([[huge, 'TROUPE_ERR_FRAME_TOO_LARGE']]);
      expect(sent).toEqual([send('a', 1), send('a', 2)]);
    });
  });

  describe('#writeFrames frame size', () => {
    it('cuts a batch larger than FRAME_SPLIT_BYTES into frames under it, in order, and sends a lone large message whole', () => {
      const pad = 'x'.repeat(1000);
      const events = Array.from({ length: 3000 }, (_, n) => ({ type: 'n', n, pad }));
      const big: Envelope = [Kind.SEND, 'b', { type: 'big', pad: 'y'.repeat(FRAME_SPLIT_BYTES + 1000) }];
      const frames: Uint8Array[] = [];
      const rejected: Envelope[] = [];
      writeFrames(
        [[Kind.SEND_BATCH, 'a', events], big],
        16 * 1024 * 1024,
        (f) => frames.push(f),
        (e) => rejected.push(e),
      );
      expect(rejected).toEqual([]);
      expect(frames.length).toBeGreaterThan(3);
      const last = frames.pop() as Uint8Array;
      expect(last.byteLength).toBeGreaterThan(FRAME_SPLIT_BYTES);
      for (const f of frames) expect(f.byteLength).toBeLessThanOrEqual(FRAME_SPLIT_BYTES);
      const order = frames.flatMap((f) =>
        (decodeFrame(f) as Envelope[]).flatMap((e) =>
          (e[0] === Kind.SEND_BATCH ? e[2] : [e[2]]).map((ev) => (ev as unknown as { n: number }).n),
        ),
      );
      expect(order).toEqual(events.map((e) => e.n));
    });
  });
});
