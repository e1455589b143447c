/**
 * The lease rules every backend applies inside its own atomic section, so they agree exactly:
 * who may take a lease, when the token grows, and when a renewal or a fence holds.
 * @module
 */

import type { LeaseRecord } from './store.js';

/** A lease as kept by a backend: a released lease keeps its holder and token, with `expiresAt` {@link RELEASED}. */
export type StoredLease = LeaseRecord;

/** `expiresAt` of a released lease (a granted one always expires after `now + ttlMs > 0`). */
export const RELEASED = 0;

/**
 * The outcome of an acquire at time `now`: the record to store and return, or `null` when another
 * holder has a live lease. The token stays the same only when `holder` renews its own live lease;
 * any other grant (a new holder, or the same holder after its lease lapsed or was released) takes
 * the next token, so writes fenced with an older grant are refused.
 */
export function acquireOutcome(current: StoredLease | undefined, holder: string, ttlMs: number, now: number): StoredLease | null {
  const live = current !== undefined && current.expiresAt > now;
  if (live && current.holder !== holder) return null;
  if (live) return { holder, token: current.token, expiresAt: now + ttlMs };
  return { holder, token: (current?.token ?? 0) + 1, expiresAt: now + ttlMs };
}

/** True when `holder` holds a live lease with `token` at `now` (what `renewLease` requires). */
export function holds(current: StoredLease | undefined, holder: string, token: number, now: number): boolean {
  return current !== undefined && current.holder === holder && current.token === token && current.expiresAt > now;
}

/**
 * True when a write fenced with `token` may go ahead: `token` is the lease's current one and the
 * lease was not released. A lapsed lease nobody has taken since still accepts its token: no other
 * holder can have written in between, and the next grant raises the token.
 */
export function fenceHolds(current: StoredLease | undefined, token: number): boolean {
  return current !== undefined && current.token === token && current.expiresAt !== RELEASED;
}
