/**
 * The one codec between errors and what crosses the wire. Errors are not guaranteed to survive a
 * codec (msgpack, JSON, a machine's event), so they travel as `{ name, message, code? }` or as a
 * bare `[code, message]`, and come back through {@link createError}: the class follows the code.
 */
import { createError, type ErrorCode, isErrorCode, TroupeError } from './errors.js';

/** An error as it crosses the wire: no prototype, no stack. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

/** Longest message kept from a peer. */
const MAX_MESSAGE = 2000;
/** Longest error name kept from a peer. */
const MAX_NAME = 100;

/**
 * A code read from the wire, or `TROUPE_ERR_PROTOCOL` when the peer sent something else.
 *
 * @example
 * ```ts
 * codeFromWire('TROUPE_ERR_TIMEOUT'); // 'TROUPE_ERR_TIMEOUT'
 * codeFromWire('nonsense'); // 'TROUPE_ERR_PROTOCOL'
 * ```
 */
export function codeFromWire(code: unknown): ErrorCode {
  return isErrorCode(code) ? code : 'TROUPE_ERR_PROTOCOL';
}

/**
 * A failure a peer reported as `(code, message)`, as an error of the class its code has locally.
 *
 * @example
 * ```ts
 * errorFromWire('TROUPE_ERR_NO_ACTOR', 'no actor at troupe://alpha/w1'); // a DeliveryError
 * ```
 */
export function errorFromWire(code: unknown, message: unknown): TroupeError {
  const text = typeof message === 'string' ? message.slice(0, MAX_MESSAGE) : 'the peer reported a failure without a message';
  return createError(codeFromWire(code), text);
}

/**
 * What a peer learns of a local failure: its code (`TROUPE_ERR_ACTOR_FAILED` for anything that is
 * not a TroupeError) and its message.
 *
 * @example
 * ```ts
 * const [code, message] = errorToWire(new Error('boom')); // ['TROUPE_ERR_ACTOR_FAILED', 'boom']
 * ```
 */
export function errorToWire(error: unknown): [ErrorCode, string] {
  if (error instanceof TroupeError) return [error.code, error.message];
  return ['TROUPE_ERR_ACTOR_FAILED', error instanceof Error ? error.message : String(error)];
}

/**
 * `err` in a form every codec carries: name, message and, when it has a string one, its code.
 *
 * @example
 * ```ts
 * sendTo(consumer, { type: 'troupe.error', error: toWireError(err) });
 * ```
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { name: err.name, message: err.message, code } : { name: err.name, message: err.message };
  }
  return { name: 'Error', message: typeof err === 'string' ? err : safeString(err) };
}

/**
 * Rebuilds an error from its wire form (a {@link WireError}, an Error, or anything else): a
 * known code gives the class that code has, with the sender's name kept; an unknown one a plain
 * `Error` carrying the code.
 *
 * @example
 * ```ts
 * fromWireError({ name: 'RangeError', message: 'far' }); // an Error named RangeError
 * ```
 */
export function fromWireError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'object' && value !== null && typeof (value as WireError).message === 'string') {
    const w = value as WireError;
    return reviveError(typeof w.name === 'string' ? w.name : 'Error', w.message, w.code);
  }
  return new Error(typeof value === 'string' ? value : safeString(value));
}

/**
 * An error from its three wire fields, as {@link fromWireError} describes.
 *
 * @example
 * ```ts
 * reviveError('DeliveryError', 'gone', 'TROUPE_ERR_NO_ACTOR') instanceof DeliveryError; // true
 * ```
 */
export function reviveError(name: string, message: string, code: unknown): Error {
  const text = message.slice(0, MAX_MESSAGE);
  const error: Error = isErrorCode(code) ? createError(code, text) : new Error(text);
  error.name = name.slice(0, MAX_NAME);
  if (typeof code === 'string' && !(error instanceof TroupeError)) (error as Error & { code?: string }).code = code;
  return error;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
