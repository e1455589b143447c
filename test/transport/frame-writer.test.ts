import { describe, expect, it } from 'vitest';
import { decodeFrame, Kind } from '../../src/internal.js';
import type { Envelope } from '../../src/transport/envelope.js';
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
