/**
 * `sqliteStore({ path })`: the {@link Store} contract in one SQLite file (better-sqlite3, WAL),
 * shared safely by the processes of one machine. Every write that reads before it writes (cas,
 * fenced writes, leases) runs in a `BEGIN IMMEDIATE` transaction, which takes the file's write lock
 * first, so two processes never decide on the same old state. Lease expiry uses this machine's
 * wall clock, which all processes sharing the file also share.
 * @module
 */

import type BetterSqlite3 from 'better-sqlite3';
import { createError } from '../errors.js';
import { checkExpectedVersion, checkKey, checkLeaseText, checkPrefix, checkPutOptions, checkToken, checkTtl } from './args.js';
import { closedError, fencedError, storeFailure } from './failures.js';
import { decodeValue, encodeValue } from './json.js';
import { acquireOutcome, fenceHolds, holds, RELEASED, type StoredLease } from './lease-rules.js';
import { prefixUpperBound } from './prefix-range.js';
import type { Fence, JsonValue, LeaseRecord, PutOptions, Store, StoreEntry, Versioned } from './store.js';

/**
 * Options of {@link sqliteStore}.
 *
 * @example
 * ```ts
 * const store = sqliteStore({ path: './troupe.db', busyTimeoutMs: 2000, synchronous: 'normal' });
 * ```
 */
export interface SqliteStoreOptions {
  /** The database file (created if missing). `':memory:'` gives a private, non-durable store. */
  path: string;
  /** How long a call waits for another process's write lock before failing, in ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * `'full'` (default) syncs the WAL on every commit, so a committed write survives power loss;
   * `'normal'` survives a crash of the process but may lose the last commits on power loss.
   */
  synchronous?: 'full' | 'normal';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS troupe_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS troupe_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS troupe_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO troupe_meta (name, value) VALUES ('version', 0);
`;

interface KvRow {
  value: string;
  version: number;
}

interface LeaseRow {
  holder: string;
  token: number;
  expires_at: number;
}

type Db = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** The prepared statements of one open database. */
class Statements {
  readonly get: Statement;
  readonly version: Statement;
  readonly upsert: Statement;
  readonly remove: Statement;
  readonly listFrom: Statement;
  readonly listRange: Statement;
  readonly nextVersion: Statement;
  readonly lease: Statement;
  readonly saveLease: Statement;

  constructor(db: Db) {
    this.get = db.prepare('SELECT value, version FROM troupe_kv WHERE key = ?');
    this.version = db.prepare('SELECT version FROM troupe_kv WHERE key = ?').pluck();
    this.upsert = db.prepare(
      'INSERT INTO troupe_kv (key, value, version) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version',
    );
    this.remove = db.prepare('DELETE FROM troupe_kv WHERE key = ?');
    this.listFrom = db.prepare('SELECT key, value, version FROM troupe_kv WHERE key >= ? ORDER BY key');
    this.listRange = db.prepare('SELECT key, value, version FROM troupe_kv WHERE key >= ? AND key < ? ORDER BY key');
    this.nextVersion = db.prepare("UPDATE troupe_meta SET value = value + 1 WHERE name = 'version' RETURNING value").pluck();
    this.lease = db.prepare('SELECT holder, token, expires_at FROM troupe_leases WHERE name = ?');
    this.saveLease = db.prepare(
      'INSERT INTO troupe_leases (name, holder, token, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at',
    );
  }
}

function toLease(row: LeaseRow | undefined): StoredLease | undefined {
  return row === undefined ? undefined : { holder: row.holder, token: row.token, expiresAt: row.expires_at };
}

class SqliteStore implements Store {
  readonly #options: Required<SqliteStoreOptions>;
  #opening: Promise<{ db: Db; st: Statements }> | undefined;
  #closed = false;

  constructor(options: Required<SqliteStoreOptions>) {
    this.#options = options;
  }

  async get<T extends JsonValue = JsonValue>(key: string): Promise<Versioned<T> | undefined> {
    checkKey(key);
    return this.#run('get', (_db, st) => {
      const row = st.get.get(key) as KvRow | undefined;
      return row === undefined ? undefined : { value: decodeValue<T>(row.value), version: row.version };
    });
  }

  async put(key: string, value: JsonValue, options?: PutOptions): Promise<number> {
    checkKey(key);
    const fence = checkPutOptions(options);
    const text = encodeValue(value);
    return this.#write('put', (st) => {
      this.#checkFence(st, fence);
      return this.#store(st, key, text);
    });
  }

  async delete(key: string, options?: PutOptions): Promise<void> {
    checkKey(key);
    const fence = checkPutOptions(options);
    await this.#write('delete', (st) => {
      this.#checkFence(st, fence);
      st.remove.run(key);
    });
  }

  async cas(key: string, expectedVersion: number | null, value: JsonValue, options?: PutOptions): Promise<boolean> {
    checkKey(key);
    checkExpectedVersion(expectedVersion);
    const fence = checkPutOptions(options);
    const text = encodeValue(value);
    return this.#write('cas', (st) => {
      this.#checkFence(st, fence);
      const current = (st.version.get(key) as number | undefined) ?? null;
      if (current !== expectedVersion) return false;
      this.#store(st, key, text);
      return true;
    });
  }

  async list<T extends JsonValue = JsonValue>(prefix: string): Promise<StoreEntry<T>[]> {
    checkPrefix(prefix);
    const upper = prefixUpperBound(prefix);
    return this.#run('list', (_db, st) => {
      const rows = (upper === undefined ? st.listFrom.all(prefix) : st.listRange.all(prefix, upper)) as (KvRow & { key: string })[];
      return rows.map((r) => ({ key: r.key, value: decodeValue<T>(r.value), version: r.version }));
    });
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseRecord | null> {
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkTtl(ttlMs);
    return this.#write('acquireLease', (st) => {
      const next = acquireOutcome(toLease(st.lease.get(name) as LeaseRow | undefined), holder, ttlMs, Date.now());
      if (next !== null) st.saveLease.run(name, next.holder, next.token, next.expiresAt);
      return next;
    });
  }

  async renewLease(name: string, holder: string, token: number, ttlMs: number): Promise<boolean> {
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkToken(token);
    checkTtl(ttlMs);
    return this.#write('renewLease', (st) => {
      const now = Date.now();
      if (!holds(toLease(st.lease.get(name) as LeaseRow | undefined), holder, token, now)) return false;
      st.saveLease.run(name, holder, token, now + ttlMs);
      return true;
    });
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkToken(token);
    await this.#write('releaseLease', (st) => {
      const current = toLease(st.lease.get(name) as LeaseRow | undefined);
      if (current === undefined || current.holder !== holder || current.token !== token) return;
      st.saveLease.run(name, holder, token, RELEASED);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const opening = this.#opening;
    if (opening === undefined) return;
    try {
      (await opening).db.close();
    } catch {
      // It never opened: nothing to close.
    }
  }

  #checkFence(st: Statements, fence: Fence | undefined): void {
    if (fence === undefined) return;
    const current = toLease(st.lease.get(fence.lease) as LeaseRow | undefined);
    if (!fenceHolds(current, fence.token)) throw fencedError(fence.lease, fence.token, current?.token);
  }

  #store(st: Statements, key: string, text: string): number {
    const version = st.nextVersion.get() as number;
    st.upsert.run(key, text, version);
    return version;
  }

  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before anything is read. */
  #write<T>(op: string, fn: (st: Statements) => T): Promise<T> {
    return this.#run(op, (db, st) => db.transaction(() => fn(st)).immediate());
  }

  async #run<T>(op: string, fn: (db: Db, st: Statements) => T): Promise<T> {
    if (this.#closed) throw closedError();
    let opened: { db: Db; st: Statements };
    try {
      this.#opening ??= this.#open();
      opened = await this.#opening;
    } catch (err) {
      // Forget the failed attempt: the next call tries again (the file's folder or the server may be back).
      this.#opening = undefined;
      throw storeFailure(err, 'sqlite', 'open');
    }
    if (this.#closed) throw closedError();
    try {
      return fn(opened.db, opened.st);
    } catch (err) {
      throw storeFailure(err, 'sqlite', op);
    }
  }

  async #open(): Promise<{ db: Db; st: Statements }> {
    const { default: Database } = await import('better-sqlite3').catch((err: unknown) => {
      throw new Error('sqliteStore needs the better-sqlite3 package (npm install better-sqlite3@^12.11.1)', { cause: err });
    });
    const { path, busyTimeoutMs, synchronous } = this.#options;
    const db = new Database(path, { timeout: busyTimeoutMs });
    try {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.transaction(() => db.exec(SCHEMA)).immediate();
      const st = new Statements(db);
      return { db, st };
    } catch (err) {
      db.close();
      throw err;
    }
  }
}

/**
 * A {@link Store} in a SQLite file: the embedded default. Several processes of one machine may
 * open the same file (WAL mode; cas, fenced writes and leases take the write lock first). Not for
 * network file systems, and not for nodes on several machines — use `postgresStore` there.
 * `better-sqlite3` is loaded on first use.
 *
 * @example
 * ```ts
 * const store = sqliteStore({ path: './troupe.db' });
 * await store.put('pipeline/run-7/stage-1', { output: 'draft' });
 * const entries = await store.list('pipeline/run-7/');
 * await store.close();
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): Store {
  if (typeof options !== 'object' || options === null || typeof options.path !== 'string' || options.path === '') {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'sqliteStore needs { path }: a file name or ":memory:"');
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `busyTimeoutMs must be a non-negative whole number, got ${busyTimeoutMs}`);
  }
  const synchronous = options.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw createError('TROUPE_ERR_INVALID_OPTION', `synchronous must be 'full' or 'normal', got ${String(synchronous)}`);
  }
  return new SqliteStore({ path: options.path, busyTimeoutMs, synchronous });
}
