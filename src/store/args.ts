/**
 * Argument checks shared by every store, so each backend rejects the same mistakes the same way.
 * @module
 */

import { createError } from '../errors.js';
import type { PutOptions } from './store.js';

/** Longest key or lease name, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 1024;

function checkText(what: string, text: unknown, allowEmpty: boolean): asserts text is string {
  if (typeof text !== 'string') throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be a string, got ${typeof text}`);
  if (!allowEmpty && text.length === 0) throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must not be empty`);
  if (text.length > MAX_KEY_LENGTH) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${what} is longer than ${MAX_KEY_LENGTH} characters`);
  }
  // Postgres text cannot hold NUL; refuse it everywhere so every backend accepts the same keys.
  if (text.includes('\u0000')) throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must not contain NUL`);
  // A lone surrogate cannot be stored as UTF-8: SQLite and Postgres would keep a different key.
  if (LONE_SURROGATE.test(text)) throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be well-formed Unicode`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A key: a non-empty, well-formed string of at most {@link MAX_KEY_LENGTH} characters, without NUL. */
export function checkKey(key: unknown): asserts key is string {
  checkText('store key', key, false);
}

/** A `list` prefix: like a key, but may be empty (lists everything). */
export function checkPrefix(prefix: unknown): asserts prefix is string {
  checkText('store prefix', prefix, true);
}

/** A lease name or holder. */
export function checkLeaseText(what: 'lease name' | 'lease holder', text: unknown): asserts text is string {
  checkText(what, text, false);
}

/** A positive whole number of milliseconds. */
export function checkTtl(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `lease ttlMs must be a positive whole number, got ${String(ttlMs)}`);
  }
}

/** A token: a non-negative safe integer. */
export function checkToken(token: unknown): asserts token is number {
  if (typeof token !== 'number' || !Number.isSafeInteger(token) || token < 0) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `lease token must be a non-negative whole number, got ${String(token)}`);
  }
}

/** An expected version for `cas`: `null` or a positive whole number. */
export function checkExpectedVersion(version: unknown): asserts version is number | null {
  if (version === null) return;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version <= 0) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `expected version must be null or a positive whole number, got ${String(version)}`);
  }
}

/** Checks write options; returns the fence, if any. */
export function checkPutOptions(options: PutOptions | undefined): PutOptions['fence'] {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null)
    throw createError('TROUPE_ERR_INVALID_OPTION', 'store write options must be an object');
  const fence = options.fence;
  if (fence === undefined) return undefined;
  if (typeof fence !== 'object' || fence === null) throw createError('TROUPE_ERR_INVALID_OPTION', 'fence must be { lease, token }');
  checkLeaseText('lease name', fence.lease);
  checkToken(fence.token);
  return fence;
}
