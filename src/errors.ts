/**
 * Every failure troupe reports to a caller is a {@link TroupeError} with a stable `code`.
 * Codes are tabled in `docs/errors.md`; they never change meaning once released.
 */

/** The stable error codes. */
export const ErrorCodes = {
  TIMEOUT: 'TROUPE_ERR_TIMEOUT',
  ABORTED: 'TROUPE_ERR_ABORTED',
  NO_ACTOR: 'TROUPE_ERR_NO_ACTOR',
  ACTOR_STOPPED: 'TROUPE_ERR_ACTOR_STOPPED',
  ACTOR_FAILED: 'TROUPE_ERR_ACTOR_FAILED',
  MAILBOX_FULL: 'TROUPE_ERR_MAILBOX_FULL',
  NODE_DOWN: 'TROUPE_ERR_NODE_DOWN',
  NAME_TAKEN: 'TROUPE_ERR_NAME_TAKEN',
  INVALID_NAME: 'TROUPE_ERR_INVALID_NAME',
  INVALID_ADDRESS: 'TROUPE_ERR_INVALID_ADDRESS',
  INVALID_EVENT: 'TROUPE_ERR_INVALID_EVENT',
  INVALID_OPTION: 'TROUPE_ERR_INVALID_OPTION',
  INVALID_SPEC: 'TROUPE_ERR_INVALID_SPEC',
  SYSTEM_STOPPED: 'TROUPE_ERR_SYSTEM_STOPPED',
  NOT_LOCAL: 'TROUPE_ERR_NOT_LOCAL',
  NOT_SUPERVISOR: 'TROUPE_ERR_NOT_SUPERVISOR',
  ALREADY_PRESENT: 'TROUPE_ERR_ALREADY_PRESENT',
  ALREADY_STARTED: 'TROUPE_ERR_ALREADY_STARTED',
  NOT_FOUND: 'TROUPE_ERR_NOT_FOUND',
  RUNNING: 'TROUPE_ERR_RUNNING',
  RESTARTING: 'TROUPE_ERR_RESTARTING',
  START_FAILED: 'TROUPE_ERR_START_FAILED',
  RESTART_INTENSITY: 'TROUPE_ERR_RESTART_INTENSITY',
  NOT_ALLOWED: 'TROUPE_ERR_NOT_ALLOWED',
  AUTH_FAILED: 'TROUPE_ERR_AUTH_FAILED',
  PROTOCOL: 'TROUPE_ERR_PROTOCOL',
  FRAME_TOO_LARGE: 'TROUPE_ERR_FRAME_TOO_LARGE',
  TOO_MANY_PENDING: 'TROUPE_ERR_TOO_MANY_PENDING',
  INSECURE: 'TROUPE_ERR_INSECURE',
  STREAM_FAILED: 'TROUPE_ERR_STREAM_FAILED',
  STREAM_OVERFLOW: 'TROUPE_ERR_STREAM_OVERFLOW',
  QUORUM_NOT_MET: 'TROUPE_ERR_QUORUM_NOT_MET',
  EVENT_TOO_DEEP: 'TROUPE_ERR_EVENT_TOO_DEEP',
  // agents and the worker protocol
  INVALID_INPUT: 'TROUPE_ERR_INVALID_INPUT',
  INVALID_OUTPUT: 'TROUPE_ERR_INVALID_OUTPUT',
  WORKER_FAILED: 'TROUPE_ERR_WORKER_FAILED',
  CANCELLED: 'TROUPE_ERR_CANCELLED',
  MAX_DEPTH: 'TROUPE_ERR_MAX_DEPTH',
  ESCALATED: 'TROUPE_ERR_ESCALATED',
  // LLM clients
  LLM_AUTH: 'TROUPE_ERR_LLM_AUTH',
  LLM_MODEL_NOT_FOUND: 'TROUPE_ERR_LLM_MODEL_NOT_FOUND',
  LLM_UNAVAILABLE: 'TROUPE_ERR_LLM_UNAVAILABLE',
  LLM_RATE_LIMITED: 'TROUPE_ERR_LLM_RATE_LIMITED',
  LLM_BAD_RESPONSE: 'TROUPE_ERR_LLM_BAD_RESPONSE',
  LLM_FAILED: 'TROUPE_ERR_LLM_FAILED',
  // patterns
  NO_CONSENSUS: 'TROUPE_ERR_NO_CONSENSUS',
  // store, leases
  FENCED: 'TROUPE_ERR_FENCED',
  STORE_FAILED: 'TROUPE_ERR_STORE_FAILED',
  INVALID_VALUE: 'TROUPE_ERR_INVALID_VALUE',
} as const;

/** One of the stable `TROUPE_ERR_*` codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * The error every troupe API rejects or throws with.
 *
 * @example
 * ```ts
 * try {
 *   await ref.ask({ type: 'get' }, { timeoutMs: 100 });
 * } catch (err) {
 *   if (err instanceof TroupeError && err.code === 'TROUPE_ERR_TIMEOUT') retry();
 * }
 * ```
 */
export class TroupeError extends Error {
  override name = 'TroupeError';
  /** Stable machine-readable code, `TROUPE_ERR_*`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** True when `err` is a TroupeError, optionally with the given code. */
  static is(err: unknown, code?: ErrorCode): err is TroupeError {
    return err instanceof TroupeError && (code === undefined || err.code === code);
  }
}

/** Thrown at once for a caller mistake: a bad option, name, address or spec. */
export class InvalidArgumentError extends TroupeError {
  override name = 'InvalidArgumentError';
}

/** An ask that got no answer in time, or whose wait was aborted. */
export class AskError extends TroupeError {
  override name = 'AskError';
}

/** A message that could not be delivered: no such actor, full mailbox, node down. */
export class DeliveryError extends TroupeError {
  override name = 'DeliveryError';
}

/** A failure of the link between nodes: auth, protocol, frame size. */
export class TransportError extends TroupeError {
  override name = 'TransportError';
}

/** A stream that ended with an error: the producer failed or exited, the wait timed out, it was aborted or overflowed. */
export class StreamError extends TroupeError {
  override name = 'StreamError';
}

/**
 * A `gather` that got fewer successful replies than its `min`. `results` holds what did arrive,
 * one `GatherResult` per ref in the order given.
 */
export class QuorumError extends TroupeError {
  override name = 'QuorumError';
  /** One `GatherResult` per ref, in the order given. */
  readonly results: readonly unknown[];

  constructor(message: string, results: readonly unknown[], options?: { cause?: unknown }) {
    super('TROUPE_ERR_QUORUM_NOT_MET', message, options);
    this.results = results;
  }
}

const codes = new Set<string>(Object.values(ErrorCodes));

/**
 * True for one of troupe's stable error codes.
 *
 * @example
 * ```ts
 * isErrorCode('TROUPE_ERR_TIMEOUT'); // true
 * isErrorCode('ECONNRESET'); // false
 * ```
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && codes.has(value);
}

type ErrorClass = new (code: ErrorCode, message: string, options?: { cause?: unknown }) => TroupeError;

/** The one table from code to class: an error with a given code has the same class wherever it is raised. */
const classOf = new Map<ErrorCode, ErrorClass>();
const family = (cls: ErrorClass, list: ErrorCode[]) => {
  for (const code of list) classOf.set(code, cls);
};
family(InvalidArgumentError, [
  'TROUPE_ERR_NAME_TAKEN',
  'TROUPE_ERR_INVALID_NAME',
  'TROUPE_ERR_INVALID_ADDRESS',
  'TROUPE_ERR_INVALID_EVENT',
  'TROUPE_ERR_INVALID_OPTION',
  'TROUPE_ERR_INVALID_SPEC',
  'TROUPE_ERR_NOT_LOCAL',
  'TROUPE_ERR_NOT_SUPERVISOR',
  'TROUPE_ERR_INSECURE',
]);
family(AskError, ['TROUPE_ERR_TIMEOUT', 'TROUPE_ERR_ABORTED']);
family(DeliveryError, [
  'TROUPE_ERR_NO_ACTOR',
  'TROUPE_ERR_ACTOR_STOPPED',
  'TROUPE_ERR_MAILBOX_FULL',
  'TROUPE_ERR_NODE_DOWN',
  'TROUPE_ERR_SYSTEM_STOPPED',
]);
family(TransportError, [
  'TROUPE_ERR_AUTH_FAILED',
  'TROUPE_ERR_PROTOCOL',
  'TROUPE_ERR_FRAME_TOO_LARGE',
  'TROUPE_ERR_TOO_MANY_PENDING',
  'TROUPE_ERR_EVENT_TOO_DEEP',
]);
family(StreamError, ['TROUPE_ERR_STREAM_FAILED', 'TROUPE_ERR_STREAM_OVERFLOW']);

/**
 * The class an error with `code` has: `InvalidArgumentError` for caller mistakes, `AskError` for
 * waits that timed out or were aborted, `DeliveryError` for messages that could not reach their
 * actor, `TransportError` for link failures, `StreamError` for failed streams, `QuorumError` for
 * `TROUPE_ERR_QUORUM_NOT_MET`, and `TroupeError` itself for every other code.
 *
 * @example
 * ```ts
 * errorClassOf('TROUPE_ERR_NO_ACTOR') === DeliveryError; // true
 * ```
 */
export function errorClassOf(code: ErrorCode): typeof TroupeError {
  if (code === 'TROUPE_ERR_QUORUM_NOT_MET') return QuorumError as unknown as typeof TroupeError;
  return (classOf.get(code) ?? TroupeError) as typeof TroupeError;
}

/**
 * Builds the error for `code`, of the class {@link errorClassOf} names: the one way troupe turns a
 * code into an error, so a missing actor is a `DeliveryError` whether an ask, a stream or `spawnOn`
 * found it missing.
 *
 * @example
 * ```ts
 * throw createError('TROUPE_ERR_NO_ACTOR', 'no actor at troupe://alpha/w1');
 * ```
 */
export function createError(code: ErrorCode, message: string, options?: { cause?: unknown }): TroupeError {
  if (code === 'TROUPE_ERR_QUORUM_NOT_MET') return new QuorumError(message, [], options);
  return new (classOf.get(code) ?? TroupeError)(code, message, options);
}
