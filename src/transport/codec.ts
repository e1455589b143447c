import { addExtension, Packr, Unpackr } from 'msgpackr';
import { BaseRef } from '../actors/ref.js';
import { reviveError } from '../error-wire.js';
import { createError } from '../errors.js';
import { needsScan, type Refusal, type ScanLimits, scanFrame } from './frame-scan.js';

export { FrameRefused } from './frame-scan.js';

/** msgpack extension type of a ref: its address travels, and the receiver rebuilds a usable ref. */
export const REF_EXTENSION = 0x10;
/** msgpack extension type of an Error: name, message and (for troupe errors) code travel. */
export const ERROR_EXTENSION = 0x11;

/** Turns a decoded address into a ref of the receiving system (local again when it lives there). */
export type RefResolver = (address: string) => BaseRef;

/**
 * The resolver of the decode in progress, and whether troupe is decoding at all. msgpackr's
 * extension table is process-wide and decoding is synchronous, so troupe's decode marks itself
 * here for one `unpack` call; any other msgpackr user decoding meanwhile is not troupe.
 */
let resolving: RefResolver | undefined;
let decoding = false;

const options = { useRecords: false, moreTypes: false, structuredClone: false, bundleStrings: false } as const;
const packr = new Packr(options);
const unpackr = new Unpackr(options);

/** msgpackr's "unknown extension" error, for decodes that are not troupe's. */
function unknownExtension(type: number): Error {
  return new Error(`Unknown extension ${type}`);
}

type Extension = Parameters<typeof addExtension>[0];
type Allocate = (size: number) => { target: Uint8Array; position: number };
type PackValue = (value: unknown) => void;

/** Writes msgpackr's fixext-1 tag for `type`, followed by `inner` packed as its own value. */
function wrap(allocate: Allocate, pack: PackValue, type: number, inner: unknown): void {
  const { target, position } = allocate(3);
  target[position] = 0xd4;
  target[position + 1] = type;
  target[position + 2] = 0;
  pack(inner);
}

// msgpackr looks extensions up in one process-wide table, and calls them with the Packr that is
// packing as `this`. troupe's extensions only act for troupe's own Packr; for every other Packr
// they write what msgpackr writes without troupe loaded, and for every other decode they fail as
// an unknown extension does. So importing troupe changes nothing for other msgpackr users.
addExtension({
  Class: BaseRef,
  type: REF_EXTENSION,
  pack(this: unknown, ref: BaseRef, allocate: Allocate, pack: PackValue): undefined {
    if (this === packr) wrap(allocate, pack, REF_EXTENSION, ref.address);
    else {
      allocate(0);
      pack(ref.toJSON());
    }
    return undefined;
  },
  read(address: unknown): BaseRef {
    if (!decoding) throw unknownExtension(REF_EXTENSION);
    if (typeof address !== 'string') throw createError('TROUPE_ERR_PROTOCOL', 'a ref on the wire must carry an address string');
    if (resolving === undefined) throw createError('TROUPE_ERR_PROTOCOL', 'refs are not allowed here');
    return resolving(address);
  },
} as unknown as Extension);

addExtension({
  Class: Error,
  type: ERROR_EXTENSION,
  pack(this: { moreTypes?: boolean; useToJSON?: boolean }, error: Error, allocate: Allocate, pack: PackValue): undefined {
    if (this === packr) {
      const code = (error as { code?: unknown }).code;
      wrap(allocate, pack, ERROR_EXTENSION, typeof code === 'string' ? [error.name, error.message, code] : [error.name, error.message]);
      return undefined;
    }
    // msgpackr's own handling: a subclass's toJSON wins, else the name, message and cause
    const json = (error as { toJSON?: () => unknown }).toJSON;
    if (error.constructor !== Error && this.useToJSON !== false && typeof json === 'function') {
      allocate(0);
      const value = json.call(error);
      pack(value === error ? { ...error } : value);
      return undefined;
    }
    if (this.moreTypes) wrap(allocate, pack, 0x65, [error.name, error.message, error.cause]);
    else {
      allocate(0);
      pack([error.name, error.message, error.cause]);
    }
    return undefined;
  },
  read(data: unknown): Error {
    if (!decoding) throw unknownExtension(ERROR_EXTENSION);
    if (!Array.isArray(data) || typeof data[0] !== 'string' || typeof data[1] !== 'string') {
      throw createError('TROUPE_ERR_PROTOCOL', 'an error on the wire must carry a name and a message');
    }
    const [name, message, code] = data as [string, string, unknown];
    return reviveError(name, message, code);
  },
} as unknown as Extension);

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
  decoding = true;
  try {
    return unpackr.unpack(frame);
  } finally {
    resolving = undefined;
    decoding = false;
  }
}

/** The extension types that wrap one value (see {@link scanFrame}). */
const WRAPPERS = [REF_EXTENSION, ERROR_EXTENSION] as const;

/** Largest item of a refused envelope that {@link RefusedEnvelope.item} still decodes. */
const REFUSED_ITEM_BYTES = 1024;

/** An envelope refused unread, with just enough of it to tell its sender why. */
export interface RefusedEnvelope extends Refusal {
  /** Item `j` of the envelope (its kind, path, reply path, call id…) when small; else undefined. */
  item(j: number): unknown;
}

/** A frame read by {@link readFrame}. */
export interface DecodedFrame {
  /** The envelopes, in order; a refused one is `undefined` here and listed in `refused`. */
  envelopes: unknown[];
  refused: Map<number, RefusedEnvelope> | undefined;
}

/**
 * Reads a frame from an authenticated peer. It is scanned first ({@link scanFrame}): a frame with
 * too many values or broken msgpack throws {@link FrameRefused} before anything is decoded; an
 * envelope nested too deep or carrying a prototype-pollution key is left undecoded and listed in
 * `refused`, and the others are decoded alone.
 */
export function readFrame(frame: Uint8Array, resolve: RefResolver, limits?: Omit<ScanLimits, 'wrapperTypes'>): DecodedFrame {
  if (!needsScan(frame, limits?.maxEventDepth)) return { envelopes: decode(frame, resolve) as unknown[], refused: undefined };
  const scan = scanFrame(frame, { ...limits, wrapperTypes: WRAPPERS });
  if (scan.refused === undefined) return { envelopes: decode(frame, resolve) as unknown[], refused: undefined };
  const { offsets } = scan;
  const refused = new Map<number, RefusedEnvelope>();
  const envelopes: unknown[] = new Array(offsets.length - 1);
  for (let i = 0; i < envelopes.length; i++) {
    const why = scan.refused.get(i);
    if (why === undefined) {
      try {
        envelopes[i] = decode(frame.subarray(offsets[i], offsets[i + 1]), resolve);
      } catch (err) {
        refused.set(
          i,
          refusedEnvelope(frame, [], { code: 'TROUPE_ERR_PROTOCOL', detail: `a value that does not decode (${(err as Error).message})` }),
        );
      }
    } else {
      refused.set(i, refusedEnvelope(frame, why.items ?? [], why));
    }
  }
  return { envelopes, refused };
}

function refusedEnvelope(frame: Uint8Array, items: readonly number[], why: Refusal): RefusedEnvelope {
  return {
    code: why.code,
    detail: why.detail,
    item(j: number): unknown {
      const start = items[j];
      const end = items[j + 1];
      if (start === undefined || end === undefined || end - start > REFUSED_ITEM_BYTES) return undefined;
      try {
        return decode(frame.subarray(start, end));
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Why a receiver would drop `frame` whole (more values than it reads), or undefined. The frame
 * writer asks this of the rare frame large enough to need it, so the sender learns instead.
 */
export function wholeFrameRefusal(frame: Uint8Array): string | undefined {
  try {
    scanFrame(frame, { wrapperTypes: WRAPPERS });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
