/** The option checks that spawn, ask, stream and the system share, so each rule is written once. */
import { createError } from '../errors.js';

/**
 * A throughput: messages an actor handles per turn, a whole number >= 1. Throws `TROUPE_ERR_INVALID_OPTION`.
 * @internal
 */
export function validateThroughput(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw createError('TROUPE_ERR_INVALID_OPTION', `throughput must be a whole number >= 1, got ${String(value)}`);
}

/**
 * A duration in ms: a finite number > 0. `what` names it in the error (`ask timeoutMs`).
 * Throws `TROUPE_ERR_INVALID_OPTION`.
 * @internal
 */
export function validateTimeout(what: string, value: unknown): number {
  if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return value;
  throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be a finite number > 0, got ${String(value)}`);
}

/**
 * What a value that should have been an event is, for an error message.
 * @internal
 */
export function describeNonEvent(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return 'an object without a string type';
}
