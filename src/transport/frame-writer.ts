import type { ErrorCode } from '../errors.js';
import { encode } from './codec.js';
import { type Envelope, Kind } from './envelope.js';

/**
 * Prepares a tick's envelopes for the wire: drops the stale ones and merges consecutive tells to
 * one actor into one `SEND_BATCH` (one path on the wire, one lookup on arrival). Order is kept.
 */
export function coalesce(queue: readonly Envelope[], isStale: (envelope: Envelope) => boolean): Envelope[] {
  const live: Envelope[] = [];
  let run: Envelope | undefined;
  for (const e of queue) {
    if (e[0] === Kind.SEND) {
      const last = live[live.length - 1];
      if (last !== undefined && last === run && last[1] === e[1]) {
        if (last[0] === Kind.SEND_BATCH) last[2].push(e[2]);
        else if (last[0] === Kind.SEND) live[live.length - 1] = run = [Kind.SEND_BATCH, e[1], [last[2], e[2]]];
      } else {
        live.push(e);
        run = e;
      }
    } else if (!isStale(e)) {
      live.push(e);
    }
  }
  return live;
}

/**
 * Encodes `envelopes` into frames of at most `maxFrameBytes` and hands each to `send`. A batch
 * that is too large or fails to encode is halved until the culprit is alone; that one goes to
 * `reject` with the reason, and everything else is sent, in order.
 */
export function writeFrames(
  envelopes: Envelope[],
  maxFrameBytes: number,
  send: (frame: Uint8Array) => void,
  reject: (envelope: Envelope, code: ErrorCode, detail: string) => void,
): void {
  let frame: Uint8Array | undefined;
  let failure: unknown;
  try {
    frame = encode(envelopes);
  } catch (err) {
    failure = err;
  }
  if (frame !== undefined && frame.byteLength <= maxFrameBytes) {
    send(frame);
    return;
  }
  if (envelopes.length > 1) {
    const mid = envelopes.length >> 1;
    writeFrames(envelopes.slice(0, mid), maxFrameBytes, send, reject);
    writeFrames(envelopes.slice(mid), maxFrameBytes, send, reject);
    return;
  }
  const envelope = envelopes[0];
  if (envelope[0] === Kind.SEND_BATCH) {
    const [, path, events] = envelope;
    const mid = events.length >> 1;
    for (const half of [events.slice(0, mid), events.slice(mid)]) {
      writeFrames([half.length === 1 ? [Kind.SEND, path, half[0]] : [Kind.SEND_BATCH, path, half]], maxFrameBytes, send, reject);
    }
    return;
  }
  if (frame !== undefined) {
    reject(envelope, 'TROUPE_ERR_FRAME_TOO_LARGE', `a ${frame.byteLength}-byte message exceeds maxFrameBytes (${maxFrameBytes})`);
  } else {
    reject(envelope, 'TROUPE_ERR_INVALID_EVENT', `message cannot be encoded: ${(failure as Error)?.message ?? String(failure)}`);
  }
}
