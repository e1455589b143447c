/**
 * The errors every store rejects with, made in one place so backends word them alike.
 * @module
 */

import { createError, TroupeError } from '../errors.js';

/** The error a closed store rejects with. */
export function closedError(): TroupeError {
  return createError('TROUPE_ERR_STORE_FAILED', 'the store is closed');
}

/** The error a write with a stale fence rejects with. */
export function fencedError(lease: string, token: number, current: number | undefined): TroupeError {
  const now = current === undefined ? 'the lease was never taken' : `its current token is ${current}`;
  return createError('TROUPE_ERR_FENCED', `write fenced: token ${token} of lease '${lease}' is stale (${now})`);
}

/**
 * `err` as the store's rejection: troupe's own errors (fenced, invalid value or option) pass
 * unchanged; anything from the backend becomes `TROUPE_ERR_STORE_FAILED` with it as `cause`.
 */
export function storeFailure(err: unknown, backend: string, op: string): TroupeError {
  if (err instanceof TroupeError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return createError('TROUPE_ERR_STORE_FAILED', `${backend} store: ${op} failed: ${why}`, { cause: err });
}
