import type { ErrorCode } from '../errors.js';
import { encode, wholeFrameRefusal } from './codec.js';
import { type Envelope, Kind } from './envelope.js';
import { MAX_EVENT_DEPTH, MAX_FRAME_VALUES } from './frame-scan.js';

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
 * Frames are cut to at most this many bytes when they hold more than one message: a large batch
 * leaves as several frames, so that heartbeats and other traffic are not stuck behind one huge
 * frame on a slow link. A single larger message still goes alone, up to `maxFrameBytes`.
 */
export const FRAME_SPLIT_BYTES = 1024 * 1024;

/**
 * Encodes `envelopes` into frames of at most `splitBytes` (a lone message: `maxFrameBytes`) and
 * hands each to `send`. A batch that is too large or fails to encode is halved until the culprit
 * is alone; that one goes to `reject` with the reason, and everything else is sent, in order.
 */
export function writeFrames(
  envelopes: Envelope[],
  maxFrameBytes: number,
  send: (frame: Uint8Array) => void,
  reject: (envelope: Envelope, code: ErrorCode, detail: string) => void,
  splitBytes = Math.min(FRAME_SPLIT_BYTES, maxFrameBytes),
): void {
  let frame: Uint8Array | undefined;
  let failure: unknown;
  try {
    frame = encode(envelopes);
  } catch (err) {
    failure = err;
  }
  // Every value takes at least a byte: only a frame this large can hold more values than a
  // receiver reads, so only such a frame is scanned here, with the receiver's limits.
  const overfull = frame !== undefined && frame.byteLength > MAX_FRAME_VALUES ? wholeFrameRefusal(frame) : undefined;
  const single = envelopes.length === 1 ? envelopes[0] : undefined;
  const splittable = single === undefined || (single[0] === Kind.SEND_BATCH && single[2].length > 1);
  if (
    frame !== undefined &&
    overfull === undefined &&
    (frame.byteLength <= splitBytes || (!splittable && frame.byteLength <= maxFrameBytes))
  ) {
    send(frame);
    return;
  }
  if (single === undefined) {
    const mid = envelopes.length >> 1;
    writeFrames(envelopes.slice(0, mid), maxFrameBytes, send, reject, splitBytes);
    writeFrames(envelopes.slice(mid), maxFrameBytes, send, reject, splitBytes);
    return;
  }
  if (single[0] === Kind.SEND_BATCH && single[2].length > 1) {
    const [, path, events] = single;
    const mid = events.length >> 1;
    for (const half of [events.slice(0, mid), events.slice(mid)]) {
      writeFrames(
        [half.length === 1 ? [Kind.SEND, path, half[0]] : [Kind.SEND_BATCH, path, half]],
        maxFrameBytes,
        send,
        reject,
        splitBytes,
      );
    }
    return;
  }
  if (overfull !== undefined) {
    reject(single, 'TROUPE_ERR_FRAME_TOO_LARGE', `message cannot be sent: ${overfull}`);
  } else if (frame !== undefined) {
    reject(single, 'TROUPE_ERR_FRAME_TOO_LARGE', `a ${frame.byteLength}-byte message exceeds maxFrameBytes (${maxFrameBytes})`);
  } else if (nestedDeeperThan(single, MAX_EVENT_DEPTH + 2)) {
    // msgpackr's encoder recurses: an event this deep may overflow the stack here, and would be
    // refused by the receiver anyway
    reject(single, 'TROUPE_ERR_EVENT_TOO_DEEP', `an event nested deeper than ${MAX_EVENT_DEPTH} levels cannot be sent`);
  } else {
    reject(single, 'TROUPE_ERR_INVALID_EVENT', `message cannot be encoded: ${(failure as Error)?.message ?? String(failure)}`);
  }
}

/** True when objects and arrays inside `value` nest more than `limit` levels; walks without recursion. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, level] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    if (level > limit) return true;
    seen.add(v);
    for (const inner of Array.isArray(v) ? v : Object.values(v)) stack.push([inner, level + 1]);
  }
  return false;
}
