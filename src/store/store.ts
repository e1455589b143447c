/**
 * The `Store`: a small key-value interface with versions, compare-and-set and fenced writes, which
 * pipelines, work queues, coordinators and `singleton` checkpoint to. Backends: `memoryStore()`,
 * `sqliteStore({ path })`, `postgresStore({ connectionString })`; every one passes the same
 * conformance suite (`test/store/conformance.ts`).
 * @module
 */

/**
 * A JSON value: what a store holds.
 *
 * @example
 * ```ts
 * const value: JsonValue = { stage: 2, outputs: ['draft', null], done: false };
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A stored value and its version (a positive integer that grows on every write of the key).
 *
 * @example
 * ```ts
 * const got: Versioned | undefined = await store.get('run/1'); // { value: { stage: 2 }, version: 7 }
 * ```
 */
export interface Versioned<T extends JsonValue = JsonValue> {
  value: T;
  version: number;
}

/**
 * A listed entry.
 *
 * @example
 * ```ts
 * for (const { key, value, version } of await store.list('run/')) console.log(key, version, value);
 * ```
 */
export interface StoreEntry<T extends JsonValue = JsonValue> extends Versioned<T> {
  key: string;
}

/**
 * A fencing token: the write is refused with `TROUPE_ERR_FENCED` unless `token` is the lease's current one.
 *
 * @example
 * ```ts
 * const fence: Fence = { lease: 'billing-leader', token: 12 };
 * await store.put('billing/cursor', { at: 40 }, { fence });
 * ```
 */
export interface Fence {
  lease: string;
  token: number;
}

/**
 * Options of {@link Store.put} (and `delete`, `cas`).
 *
 * @example
 * ```ts
 * await store.delete('billing/cursor', { fence: leader.fence });
 * ```
 */
export interface PutOptions {
  fence?: Fence;
}

/**
 * The state of one lease as a store keeps it.
 *
 * @example
 * ```ts
 * const record = await store.acquireLease('billing-leader', 'node-a/x1', 3000); // { holder, token, expiresAt } or null
 * ```
 */
export interface LeaseRecord {
  holder: string;
  token: number;
  /** Epoch ms (the store's clock) when the lease lapses unless renewed. */
  expiresAt: number;
}

/**
 * A key-value store with versions and compare-and-set. Every method is async; values are JSON.
 * Leases are part of the contract so each backend makes them atomic in its own way.
 *
 * @example
 * ```ts
 * const store = memoryStore();
 * const v = await store.put('run/1', { stage: 2 });
 * const ok = await store.cas('run/1', v, { stage: 3 });   // true: nobody wrote in between
 * ```
 */
export interface Store {
  get<T extends JsonValue = JsonValue>(key: string): Promise<Versioned<T> | undefined>;
  /** Writes `value`; resolves to the new version. With `fence`, refused (`TROUPE_ERR_FENCED`) when stale. */
  put(key: string, value: JsonValue, options?: PutOptions): Promise<number>;
  delete(key: string, options?: PutOptions): Promise<void>;
  /** Writes only if the key's version is `expectedVersion` (`null`: only if absent). */
  cas(key: string, expectedVersion: number | null, value: JsonValue, options?: PutOptions): Promise<boolean>;
  /** Entries whose key starts with `prefix`, in key order. */
  list<T extends JsonValue = JsonValue>(prefix: string): Promise<StoreEntry<T>[]>;
  /**
   * Takes or renews lease `name` for `holder` for `ttlMs` if it is free, expired, or already
   * `holder`'s. The token grows on every change of holder. Resolves to the record, or `null` when
   * another holder has it.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseRecord | null>;
  /** Renews only if `holder` still holds it with `token`; `false` otherwise. */
  renewLease(name: string, holder: string, token: number, ttlMs: number): Promise<boolean>;
  /** Lets go if `holder` holds it with `token` (its token is kept so the next holder's grows). */
  releaseLease(name: string, holder: string, token: number): Promise<void>;
  /** Closes connections; later calls reject with `TROUPE_ERR_STORE_FAILED`. */
  close(): Promise<void>;
}
