import { addExtension, Packr, Unpackr } from 'msgpackr';
import { BaseRef } from '../actors/ref.js';
import { reviveError } from '../error-wire.js';
import { TroupeError } from '../errors.js';

/** msgpack extension type of a ref: its address travels, and the receiver rebuilds a usable ref. */
export const REF_EXTENSION = 0x10;
/** msgpack extension type of an Error: name, message and (for troupe errors) code travel. */
export const ERROR_EXTENSION = 0x11;

/** Turns a decoded address into a ref of the receiving system (local again when it lives there). */
export type RefResolver = (address: string) => BaseRef;

/**
 * The resolver of the decode in progress. msgpackr extensions are process-wide, and decoding is
 * synchronous, so the receiving system is handed over through this slot for one `unpack` call.
 */
let resolving: RefResolver | undefined;

addExtension({
  Class: BaseRef,
  type: REF_EXTENSION,
  write(ref: BaseRef): string {
    return ref.address;
  },
  read(address: unknown): BaseRef {
    if (typeof address !== 'string') throw new TroupeError('TROUPE_ERR_PROTOCOL', 'a ref on the wire must carry an address string');
    if (resolving === undefined) throw new TroupeError('TROUPE_ERR_PROTOCOL', 'refs are not allowed here');
    return resolving(address);
  },
});

addExtension({
  Class: Error,
  type: ERROR_EXTENSION,
  write(error: Error): unknown[] {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? [error.name, error.message, code] : [error.name, error.message];
  },
  read(data: unknown): Error {
    if (!Array.isArray(data) || typeof data[0] !== 'string' || typeof data[1] !== 'string') {
      throw new TroupeError('TROUPE_ERR_PROTOCOL', 'an error on the wire must carry a name and a message');
    }
    const [name, message, code] = data as [string, string, unknown];
    return reviveError(name, message, code);
  },
});

const options = { useRecords: false, moreTypes: false, structuredClone: false, bundleStrings: false } as const;
const packr = new Packr(options);
const unpackr = new Unpackr(options);
/** Decodes maps as `Map`s, so that a `__proto__` key is seen as sent (msgpackr renames it in objects). */
const strictUnpackr = new Unpackr({ ...options, mapsAsObjects: false });

/** Counters for tests and diagnostics: how many frames were decoded in this process. */
export const codecStats = { decodes: 0 };

/** Encodes one value (a frame: an array of envelopes). */
export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

/**
 * Decodes one frame. Refs inside become refs of the receiving system through `resolve`; without
 * a resolver (before authentication) a ref is a protocol error. Throws on malformed input.
 */
export function decode(frame: Uint8Array, resolve?: RefResolver): unknown {
  codecStats.decodes++;
  resolving = resolve;
  try {
    return unpackr.unpack(frame);
  } finally {
    resolving = undefined;
  }
}

/** Common to `__proto__` and `prototype`: one scan finds frames that may carry either. */
const PROTO = Buffer.from('proto');

/** Cheap pre-check: can this frame contain a key that tries prototype pollution? */
export function mayPollute(frame: Uint8Array): boolean {
  const bytes = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return bytes.indexOf(PROTO) >= 0;
}

/**
 * Finds the top-level items of a frame (an array) that carry a `__proto__` key or a
 * `constructor.prototype` path anywhere inside. msgpackr already renames `__proto__` keys, so
 * nothing is polluted either way; troupe rejects such envelopes so that the sender learns.
 */
export function pollutedItems(frame: Uint8Array, resolve: RefResolver): Map<number, string> {
  const found = new Map<number, string>();
  resolving = resolve;
  let decoded: unknown;
  try {
    decoded = strictUnpackr.unpack(frame);
  } finally {
    resolving = undefined;
  }
  if (!Array.isArray(decoded)) return found;
  decoded.forEach((item, index) => {
    const why = findPollution(item);
    if (why !== undefined) found.set(index, why);
  });
  return found;
}

/** Most values one envelope may hold when it has to be scanned; past it, it is rejected unscanned. */
export const POLLUTION_SCAN_BUDGET = 1_000_000;

function findPollution(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  let budget = POLLUTION_SCAN_BUDGET;
  while (stack.length > 0) {
    if (budget-- <= 0) return `more than ${POLLUTION_SCAN_BUDGET} values to check for prototype-pollution keys`;
    const value = stack.pop();
    if (value instanceof Map) {
      for (const [key, inner] of value) {
        if (key === '__proto__') return 'a __proto__ key';
        if (key === 'constructor' && inner instanceof Map && inner.has('prototype')) return 'a constructor.prototype key';
        stack.push(inner);
      }
    } else if (Array.isArray(value)) {
      for (const inner of value) stack.push(inner);
    }
  }
  return undefined;
}
