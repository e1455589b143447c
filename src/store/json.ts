/**
 * Value checks shared by every store: a value must be JSON (plain objects, arrays, strings, finite
 * numbers, booleans, null), and is kept as its JSON text so reads hand out fresh copies.
 * @module
 */

import { createError, TroupeError } from '../errors.js';
import type { JsonValue } from './store.js';

const MAX_DEPTH = 512;

/**
 * The longest JSON text of one value, in UTF-16 code units (64 Mi): the same bound for every store,
 * well below what SQLite, Postgres and `JSON.stringify` itself can hold.
 */
export const MAX_VALUE_LENGTH = 64 * 1024 * 1024;

function refuse(path: string, why: string): never {
  throw createError('TROUPE_ERR_INVALID_VALUE', `store value${path === '' ? '' : ` at ${path}`} is not JSON: ${why}`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function check(value: unknown, path: string, depth: number, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse(path, `${value} is not a finite number`);
      return;
    case 'object':
      break;
    default:
      refuse(path, `a ${typeof value}`);
  }
  if (value === null) return;
  if (depth >= MAX_DEPTH) refuse(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (seen.has(value)) refuse(path, 'a cycle');
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) refuse(`${path}[${i}]`, 'a hole in an array');
      check(value[i], `${path}[${i}]`, depth + 1, seen);
    }
  } else {
    if (!isPlainObject(value)) refuse(path, `an instance of ${value.constructor?.name ?? 'a class'}`);
    if (Object.getOwnPropertySymbols(value).length > 0) refuse(path, 'an object with symbol keys');
    for (const [k, v] of Object.entries(value)) check(v, `${path}.${k}`, depth + 1, seen);
  }
  seen.delete(value);
}

/** Checks that `value` is JSON and returns its JSON text; throws `TROUPE_ERR_INVALID_VALUE` otherwise. */
export function encodeValue(value: unknown): string {
  let text: string;
  try {
    check(value, '', 0, new Set());
    text = JSON.stringify(value);
  } catch (err) {
    if (err instanceof TroupeError) throw err;
    // A getter or a proxy that throws, or a RangeError: the text would pass the longest string the engine can build.
    refuse('', `it cannot be encoded (${err instanceof Error ? err.message : String(err)})`);
  }
  if (text.length > MAX_VALUE_LENGTH) refuse('', `its JSON text has ${text.length} characters, more than ${MAX_VALUE_LENGTH}`);
  return text;
}

/** Throws `TROUPE_ERR_INVALID_VALUE` unless `value` is JSON a store accepts. */
export function checkJson(value: unknown): void {
  encodeValue(value);
}

/** Parses text written by {@link encodeValue}. */
export function decodeValue<T extends JsonValue>(text: string): T {
  return JSON.parse(text) as T;
}
