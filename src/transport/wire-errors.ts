import { AskError, DeliveryError, type ErrorCode, ErrorCodes, InvalidArgumentError, TransportError, TroupeError } from '../errors.js';

const known = new Set<string>(Object.values(ErrorCodes));

const delivery = new Set<string>(['TROUPE_ERR_NO_ACTOR', 'TROUPE_ERR_ACTOR_STOPPED', 'TROUPE_ERR_MAILBOX_FULL', 'TROUPE_ERR_NODE_DOWN']);
const invalid = new Set<string>([
  'TROUPE_ERR_NAME_TAKEN',
  'TROUPE_ERR_INVALID_NAME',
  'TROUPE_ERR_INVALID_ADDRESS',
  'TROUPE_ERR_INVALID_EVENT',
  'TROUPE_ERR_INVALID_OPTION',
]);
const transport = new Set<string>([
  'TROUPE_ERR_AUTH_FAILED',
  'TROUPE_ERR_PROTOCOL',
  'TROUPE_ERR_FRAME_TOO_LARGE',
  'TROUPE_ERR_TOO_MANY_PENDING',
  'TROUPE_ERR_INSECURE',
]);

/** A code read from the wire, or `TROUPE_ERR_PROTOCOL` when the peer sent something else. */
export function codeFromWire(code: unknown): ErrorCode {
  return typeof code === 'string' && known.has(code) ? (code as ErrorCode) : 'TROUPE_ERR_PROTOCOL';
}

/**
 * The one place a failure reported by a peer (`code`, `message`) becomes an error object of the
 * same class it would have had locally.
 */
export function errorFromWire(code: unknown, message: unknown): TroupeError {
  const c = codeFromWire(code);
  const text = typeof message === 'string' ? message.slice(0, 2000) : 'the peer reported a failure without a message';
  if (c === 'TROUPE_ERR_TIMEOUT' || c === 'TROUPE_ERR_ABORTED') return new AskError(c, text);
  if (delivery.has(c)) return new DeliveryError(c, text);
  if (invalid.has(c)) return new InvalidArgumentError(c, text);
  if (transport.has(c)) return new TransportError(c, text);
  return new TroupeError(c, text);
}

/** What a peer learns of a local failure: its code and message. */
export function errorToWire(error: unknown): [ErrorCode, string] {
  if (error instanceof TroupeError) return [error.code, error.message];
  return ['TROUPE_ERR_ACTOR_FAILED', error instanceof Error ? error.message : String(error)];
}
