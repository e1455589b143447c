/**
 * `memoryStore()`: the {@link Store} contract in one process's memory, for tests and single-process
 * runs. Values are kept as JSON text, so callers never share objects with the store.
 * @module
 */

import { createError } from '../errors.js';
import { checkExpectedVersion, checkKey, checkLeaseText, checkPrefix, checkPutOptions, checkToken, checkTtl } from './args.js';
import { closedError, fencedError } from './failures.js';
import { decodeValue, encodeValue } from './json.js';
import { acquireOutcome, fenceHolds, holds, RELEASED, type StoredLease } from './lease-rules.js';
import { compareKeys } from './order.js';
import type { Fence, JsonValue, LeaseRecord, PutOptions, Store, StoreEntry, Versioned } from './store.js';

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * const clock = new SimulatedClock();
 * const store = memoryStore({ clock }); // leases expire only when the test advances the clock
 * ```
 */
export interface MemoryStoreOptions {
  /** The store's time for lease expiry, in ms (default `Date.now`); pass a `SimulatedClock` in tests. */
  clock?: { now(): number };
}

interface Entry {
  text: string;
  version: number;
}

class MemoryStore implements Store {
  #entries = new Map<string, Entry>();
  #leases = new Map<string, StoredLease>();
  // One counter for every key: a key deleted and written again never reuses a version, so a
  // cas against a version read before the delete fails.
  #lastVersion = 0;
  #closed = false;
  #now: () => number;

  constructor(options: MemoryStoreOptions) {
    const clock = options.clock;
    this.#now = clock === undefined ? Date.now : () => clock.now();
  }

  async get<T extends JsonValue = JsonValue>(key: string): Promise<Versioned<T> | undefined> {
    this.#open();
    checkKey(key);
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : { value: decodeValue<T>(entry.text), version: entry.version };
  }

  async put(key: string, value: JsonValue, options?: PutOptions): Promise<number> {
    this.#open();
    checkKey(key);
    const fence = checkPutOptions(options);
    const text = encodeValue(value);
    this.#checkFence(fence);
    return this.#write(key, text);
  }

  async delete(key: string, options?: PutOptions): Promise<void> {
    this.#open();
    checkKey(key);
    const fence = checkPutOptions(options);
    this.#checkFence(fence);
    this.#entries.delete(key);
  }

  async cas(key: string, expectedVersion: number | null, value: JsonValue, options?: PutOptions): Promise<boolean> {
    this.#open();
    checkKey(key);
    checkExpectedVersion(expectedVersion);
    const fence = checkPutOptions(options);
    const text = encodeValue(value);
    this.#checkFence(fence);
    const current = this.#entries.get(key)?.version ?? null;
    if (current !== expectedVersion) return false;
    this.#write(key, text);
    return true;
  }

  async list<T extends JsonValue = JsonValue>(prefix: string): Promise<StoreEntry<T>[]> {
    this.#open();
    checkPrefix(prefix);
    const keys = [...this.#entries.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    return keys.map((key) => {
      const entry = this.#entries.get(key)!;
      return { key, value: decodeValue<T>(entry.text), version: entry.version };
    });
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseRecord | null> {
    this.#open();
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkTtl(ttlMs);
    const next = acquireOutcome(this.#leases.get(name), holder, ttlMs, this.#now());
    if (next === null) return null;
    this.#leases.set(name, next);
    return { ...next };
  }

  async renewLease(name: string, holder: string, token: number, ttlMs: number): Promise<boolean> {
    this.#open();
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkToken(token);
    checkTtl(ttlMs);
    const now = this.#now();
    const current = this.#leases.get(name);
    if (!holds(current, holder, token, now)) return false;
    this.#leases.set(name, { holder, token, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    this.#open();
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkToken(token);
    const current = this.#leases.get(name);
    if (current === undefined || current.holder !== holder || current.token !== token) return;
    this.#leases.set(name, { holder, token, expiresAt: RELEASED });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    this.#leases.clear();
  }

  #open(): void {
    if (this.#closed) throw closedError();
  }

  #checkFence(fence: Fence | undefined): void {
    if (fence === undefined) return;
    const current = this.#leases.get(fence.lease);
    if (!fenceHolds(current, fence.token)) throw fencedError(fence.lease, fence.token, current?.token);
  }

  #write(key: string, text: string): number {
    const version = ++this.#lastVersion;
    this.#entries.set(key, { text, version });
    return version;
  }
}

/**
 * A {@link Store} in this process's memory: for tests, examples and runs that need no durability.
 * Everything is lost when the process ends; use `sqliteStore` or `postgresStore` to survive it.
 *
 * @example
 * ```ts
 * const store = memoryStore();
 * const version = await store.put('run/1/stage', { done: 1 });
 * await store.cas('run/1/stage', version, { done: 2 }); // true
 * await store.cas('run/1/stage', version, { done: 3 }); // false: the version moved on
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  if (typeof options !== 'object' || options === null) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'memoryStore options must be an object');
  }
  const clock = options.clock;
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'memoryStore clock must have a now() method');
  }
  return new MemoryStore(options);
}
