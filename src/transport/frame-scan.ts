/**
 * One pass over a frame's msgpack bytes, before anything is decoded: it bounds the work a frame
 * may cost (values in all, nesting depth), finds where each envelope starts, and spots
 * prototype-pollution keys. The pass is iterative, so no frame can overflow the stack here; a frame
 * it passes is then decoded by msgpackr, whose recursion the depth limit keeps shallow.
 */
import { type ErrorCode, TransportError } from '../errors.js';
import { Kind } from './envelope.js';

/**
 * Deepest an event may nest: `{ type }` is one level, each object or array inside it one more.
 * Deeper events are refused with `TROUPE_ERR_EVENT_TOO_DEEP`, on the sending and receiving node.
 */
export const MAX_EVENT_DEPTH = 64;

/** Most values (array items, map keys and map values, at any depth) one frame may hold. */
export const MAX_FRAME_VALUES = 1_000_000;

/** msgpack extension types troupe's codec writes; any other is refused unread. */
const EXT_UNDEFINED = 0x00;
const EXT_TIMESTAMP = 0xff;

/** Why one envelope of a frame is refused. */
export interface Refusal {
  code: ErrorCode;
  detail: string;
  /** Byte offsets where the envelope's own items start, and where it ends. */
  items?: number[];
}

/** What a scan found. */
export interface FrameScan {
  /** Byte offset where envelope `i` starts; `offsets[count]` is the frame's end. */
  readonly offsets: number[];
  /** Envelopes that must not be decoded, by index, with the reason. */
  readonly refused: Map<number, Refusal> | undefined;
}

/** Thrown for a frame refused whole: not msgpack, not an array, or over {@link MAX_FRAME_VALUES}. */
export class FrameRefused extends TransportError {
  override name = 'FrameRefused';
}

/** Options of {@link scanFrame}. */
export interface ScanLimits {
  /** Deepest event; default {@link MAX_EVENT_DEPTH}. */
  maxEventDepth?: number;
  /** Most values in the frame; default {@link MAX_FRAME_VALUES}. */
  maxValues?: number;
  /** Extension types (fixext 1, followed by one value) the codec uses for refs and errors. */
  wrapperTypes: readonly number[];
}

const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]; // __proto__
const PROTOTYPE = [0x70, 0x72, 0x6f, 0x74, 0x6f, 0x74, 0x79, 0x70, 0x65]; // prototype
const CONSTRUCTOR = [0x63, 0x6f, 0x6e, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74, 0x6f, 0x72]; // constructor

function same(bytes: Uint8Array, at: number, word: readonly number[]): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

const LEFT: number[] = [];
const FLAGS: number[] = [];
const ITEM_STARTS: number[] = [];

/** Common to `__proto__` and `prototype`: frames without it skip the key checks. */
const PROTO_BYTES = Buffer.from('proto');

/**
 * Scans `frame` (a msgpack array of envelopes). Throws {@link FrameRefused} for a frame that must be
 * dropped whole; returns each envelope's offset and the envelopes to refuse alone (too deep, or
 * carrying a `__proto__` key or a `constructor.prototype` path).
 */
export function scanFrame(frame: Uint8Array, limits: ScanLimits): FrameScan {
  const maxDepth = limits.maxEventDepth ?? MAX_EVENT_DEPTH;
  const maxValues = limits.maxValues ?? MAX_FRAME_VALUES;
  const wrappers = limits.wrapperTypes;
  const b = frame;
  const end = b.byteLength;
  const bytes = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const checkKeys = bytes.indexOf(PROTO_BYTES) >= 0;
  // Closures here would move these hot variables into a context object: the loop stays flat.
  const offsets: number[] = [];
  let refused: Map<number, Refusal> | undefined;
  /** Open containers: values still to read, and flags (1: a map, 2: the value of a `constructor` key). */
  // Scans never overlap (they are synchronous): the working stacks are reused, not allocated.
  const left = LEFT;
  const flags = FLAGS;
  const itemStarts = ITEM_STARTS;
  let depth = 0;
  let pos = 0;

  if (end === 0) throw malformed(0, 'empty');
  const head = b[0];
  let count: number;
  if (head >= 0x90 && head <= 0x9f) {
    count = head & 0x0f;
    pos = 1;
  } else if (head === 0xdc && end >= 3) {
    count = (b[1] << 8) | b[2];
    pos = 3;
  } else if (head === 0xdd && end >= 5) {
    count = u32(b, 1);
    pos = 5;
  } else {
    throw new FrameRefused('TROUPE_ERR_PROTOCOL', 'a frame must be an array of envelopes');
  }
  let values = count;
  if (values > maxValues) throw tooMany(maxValues);

  for (let e = 0; e < count; e++) {
    offsets.push(pos);
    // the envelope array is level 1; its payload starts at level 2 (a batch's events at level 3)
    let maxLevel = maxDepth + 1;
    let why: Refusal | undefined;
    let itemIndex = 0;
    let wrapped = false;
    let afterCtor = false;
    let lastKey = 0;
    itemStarts.length = 0;
    do {
      if (pos >= end) throw malformed(pos, 'truncated');
      if (depth === 1 && !wrapped) {
        itemStarts.push(pos);
        if (itemIndex++ === 0 && b[pos] === Kind.SEND_BATCH) maxLevel = maxDepth + 2;
      }
      wrapped = false;
      let slotIsKey = false;
      let keyOfCtor = false;
      if (checkKeys && depth > 0) {
        slotIsKey = (flags[depth - 1] & 1) !== 0 && (left[depth - 1] & 1) === 0;
        keyOfCtor = afterCtor;
        afterCtor = false;
      }
      const byte = b[pos++];
      let opened = -1;
      let openedMap = false;
      if (byte <= 0x7f || byte >= 0xe0 || byte === 0xc0 || byte === 0xc2 || byte === 0xc3) {
        // fixint, nil, bool
      } else if (byte <= 0x8f) {
        opened = (byte & 0x0f) * 2;
        openedMap = true;
      } else if (byte <= 0x9f) {
        opened = byte & 0x0f;
      } else if (byte <= 0xbf) {
        const n = byte & 0x1f;
        if (slotIsKey) lastKey = keyKind(b, pos, n);
        pos += n;
      } else {
        let n = -1;
        switch (byte) {
          case 0xcc:
          case 0xd0:
            pos += 1;
            break;
          case 0xcd:
          case 0xd1:
            pos += 2;
            break;
          case 0xca:
          case 0xce:
          case 0xd2:
            pos += 4;
            break;
          case 0xcb:
          case 0xcf:
          case 0xd3:
            pos += 8;
            break;
          case 0xc4:
          case 0xd9:
            n = b[pos];
            pos += 1;
            break;
          case 0xc5:
          case 0xda:
            n = (b[pos] << 8) | b[pos + 1];
            pos += 2;
            break;
          case 0xc6:
          case 0xdb:
            n = u32(b, pos);
            pos += 4;
            break;
          case 0xdc:
            opened = (b[pos] << 8) | b[pos + 1];
            pos += 2;
            break;
          case 0xdd:
            opened = u32(b, pos);
            pos += 4;
            break;
          case 0xde:
            opened = ((b[pos] << 8) | b[pos + 1]) * 2;
            openedMap = true;
            pos += 2;
            break;
          case 0xdf:
            opened = u32(b, pos) * 2;
            openedMap = true;
            pos += 4;
            break;
          case 0xd4: {
            const type = b[pos];
            pos += 2;
            if (wrappers.includes(type)) {
              // troupe's ref and error extensions: the wrapped value follows, in this same slot
              wrapped = true;
              afterCtor = keyOfCtor;
            } else if (type !== EXT_UNDEFINED && type !== EXT_TIMESTAMP) {
              throw malformed(pos - 2, `extension type ${type} is not troupe's`);
            }
            break;
          }
          case 0xd6:
          case 0xd7:
            if (b[pos] !== EXT_TIMESTAMP) throw malformed(pos, `extension type ${b[pos]} is not troupe's`);
            pos += byte === 0xd6 ? 5 : 9;
            break;
          case 0xc7:
            if (b[pos] !== 12 || b[pos + 1] !== EXT_TIMESTAMP) throw malformed(pos, 'unexpected extension');
            pos += 14;
            break;
          default:
            throw malformed(pos - 1, `unexpected byte 0x${byte.toString(16)}`);
        }
        if (n >= 0) {
          if (slotIsKey && (byte === 0xd9 || byte === 0xda)) lastKey = keyKind(b, pos, n);
          pos += n;
        }
      }
      if (pos > end) throw malformed(end, 'truncated');
      if (wrapped) continue;
      if (depth > 0) {
        left[depth - 1]--;
        if (slotIsKey && lastKey !== 0) {
          if (lastKey === KEY_CTOR) afterCtor = true;
          else if (lastKey === KEY_PROTO) why ??= { code: 'TROUPE_ERR_PROTOCOL', detail: 'a __proto__ key' };
          else if ((flags[depth - 1] & 2) !== 0) why ??= { code: 'TROUPE_ERR_PROTOCOL', detail: 'a constructor.prototype key' };
          lastKey = 0;
        }
      }
      if (opened >= 0) {
        values += opened;
        if (values > maxValues) throw tooMany(maxValues);
        left[depth] = opened;
        flags[depth] = (openedMap ? 1 : 0) | (openedMap && keyOfCtor ? 2 : 0);
        depth++;
        if (depth > maxLevel) why ??= { code: 'TROUPE_ERR_EVENT_TOO_DEEP', detail: `an event nested deeper than ${maxDepth} levels` };
      }
      while (depth > 0 && left[depth - 1] === 0) depth--;
    } while (depth > 0 || wrapped);
    if (why !== undefined) {
      why.items = [...itemStarts, pos];
      refused ??= new Map();
      refused.set(e, why);
    }
  }
  if (pos !== end) throw malformed(pos, `${end - pos} bytes after the last envelope`);
  offsets.push(pos);
  return { offsets, refused };
}

/**
 * False for a frame too small to break any limit: it cannot nest deeper than `maxEventDepth` (every
 * level takes a byte), holds no extension (no byte that could start one) and no `proto` text. Such
 * frames — single asks, replies, heartbeats — go straight to the decoder.
 */
export function needsScan(frame: Uint8Array, maxEventDepth = MAX_EVENT_DEPTH): boolean {
  const n = frame.byteLength;
  if (n > maxEventDepth + 3) return true;
  for (let i = 0; i < n; i++) {
    const b = frame[i];
    if ((b >= 0xc7 && b <= 0xc9) || (b >= 0xd4 && b <= 0xd8)) return true;
  }
  const bytes = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, n);
  return bytes.indexOf(PROTO_BYTES) >= 0;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

function malformed(at: number, message: string): FrameRefused {
  return new FrameRefused('TROUPE_ERR_PROTOCOL', `malformed frame at byte ${at}: ${message}`);
}

const KEY_PROTO = 1;
const KEY_PROTOTYPE = 2;
const KEY_CTOR = 3;

/** Which key the pollution check looks for the `n`-byte string key at `at` is, or 0. */
function keyKind(b: Uint8Array, at: number, n: number): number {
  if (n === 9) {
    if (same(b, at, PROTO)) return KEY_PROTO;
    if (same(b, at, PROTOTYPE)) return KEY_PROTOTYPE;
  } else if (n === 11 && same(b, at, CONSTRUCTOR)) {
    return KEY_CTOR;
  }
  return 0;
}

function tooMany(max: number): FrameRefused {
  return new FrameRefused('TROUPE_ERR_FRAME_TOO_LARGE', `a frame holds more than ${max} values`);
}
