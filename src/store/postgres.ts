/**
 * `postgresStore({ connectionString })`: the {@link Store} contract in PostgreSQL (pg), for nodes on
 * several machines. Keys live in one table with a version column; versions come from one sequence,
 * so a key deleted and written again never reuses one. A cas is one `UPDATE … WHERE version = $n`
 * (or `INSERT … ON CONFLICT DO NOTHING` for "only if absent"). Leases live in a second table and use
 * the server's clock, so the machines' clocks need not agree. A fenced write locks the lease row
 * (`FOR SHARE`) in the write's transaction, so no new holder can be granted between check and write.
 * @module
 */

import type { Pool, PoolClient } from 'pg';
import { createError } from '../errors.js';
import { checkExpectedVersion, checkKey, checkLeaseText, checkPrefix, checkPutOptions, checkToken, checkTtl } from './args.js';
import { closedError, fencedError, storeFailure } from './failures.js';
import { decodeValue, encodeValue } from './json.js';
import { acquireOutcome, fenceHolds, RELEASED, type StoredLease } from './lease-rules.js';
import { prefixUpperBound } from './prefix-range.js';
import type { Fence, JsonValue, LeaseRecord, PutOptions, Store, StoreEntry, Versioned } from './store.js';

/**
 * Options of {@link postgresStore}.
 *
 * @example
 * ```ts
 * const store = postgresStore({ connectionString: 'postgres://app@db:5432/app', maxConnections: 8, queryTimeoutMs: 5000 });
 * ```
 */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Most connections open at once (default 4). */
  maxConnections?: number;
  /** How long to wait for a connection, in ms (default 10000). */
  connectTimeoutMs?: number;
  /** How long one statement may take before it fails with `TROUPE_ERR_STORE_FAILED`, in ms (default 30000). */
  queryTimeoutMs?: number;
  /**
   * How long the server keeps a session of this store that sits idle inside a transaction, in ms
   * (default 5000). A process paused mid-transaction (SIGSTOP, a suspended VM) holds its row locks;
   * past this the server ends its session, so the others' leases and writes go on.
   */
  idleInTransactionTimeoutMs?: number;
}

/** The server's clock in epoch ms, read when the statement runs (not when its transaction began). */
const NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

const SCHEMA = `
SELECT pg_advisory_xact_lock(7261393462);
CREATE TABLE IF NOT EXISTS troupe_kv (key text COLLATE "C" PRIMARY KEY, value text NOT NULL, version bigint NOT NULL);
CREATE TABLE IF NOT EXISTS troupe_leases (name text COLLATE "C" PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL, expires_at bigint NOT NULL);
CREATE SEQUENCE IF NOT EXISTS troupe_kv_version;
`;

const SQL = {
  get: 'SELECT value, version FROM troupe_kv WHERE key = $1',
  // nextval in DO UPDATE runs once the row is locked, so later writers of a key get larger versions.
  put: `INSERT INTO troupe_kv (key, value, version) VALUES ($1, $2, nextval('troupe_kv_version'))
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = nextval('troupe_kv_version') RETURNING version`,
  insertIfAbsent: `INSERT INTO troupe_kv (key, value, version) VALUES ($1, $2, nextval('troupe_kv_version')) ON CONFLICT (key) DO NOTHING RETURNING version`,
  updateIfVersion: `UPDATE troupe_kv SET value = $2, version = nextval('troupe_kv_version') WHERE key = $1 AND version = $3 RETURNING version`,
  delete: 'DELETE FROM troupe_kv WHERE key = $1',
  listFrom: 'SELECT key, value, version FROM troupe_kv WHERE key >= $1 ORDER BY key',
  listRange: 'SELECT key, value, version FROM troupe_kv WHERE key >= $1 AND key < $2 ORDER BY key',
  leaseForShare: 'SELECT holder, token, expires_at FROM troupe_leases WHERE name = $1 FOR SHARE',
  ensureLease: 'INSERT INTO troupe_leases (name, holder, token, expires_at) VALUES ($1, $2, 0, 0) ON CONFLICT (name) DO NOTHING',
  leaseForUpdate: `SELECT holder, token, expires_at FROM troupe_leases WHERE name = $1 FOR UPDATE`,
  now: `SELECT ${NOW} AS now`,
  saveLease: 'UPDATE troupe_leases SET holder = $2, token = $3, expires_at = $4 WHERE name = $1',
  // The same rule as lease-rules `holds`, in one statement: live, same holder, same token.
  renew: `UPDATE troupe_leases SET expires_at = ${NOW} + $4 WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > ${NOW}`,
  release: `UPDATE troupe_leases SET expires_at = ${RELEASED} WHERE name = $1 AND holder = $2 AND token = $3`,
};

interface LeaseRow {
  holder: string;
  token: string;
  expires_at: string;
}

function toLease(row: LeaseRow | undefined): StoredLease | undefined {
  return row === undefined ? undefined : { holder: row.holder, token: Number(row.token), expiresAt: Number(row.expires_at) };
}

class PostgresStore implements Store {
  readonly #options: Required<PostgresStoreOptions>;
  #opening: Promise<Pool> | undefined;
  #closed = false;

  constructor(options: Required<PostgresStoreOptions>) {
    this.#options = options;
  }

  async get<T extends JsonValue = JsonValue>(key: string): Promise<Versioned<T> | undefined> {
    checkKey(key);
    return this.#run('get', async (pool) => {
      const { rows } = await pool.query<{ value: string; version: string }>(SQL.get, [key]);
      const row = rows[0];
      return row === undefined ? undefined : { value: decodeValue<T>(row.value), version: Number(row.version) };
    });
  }

  async put(key: string, value: JsonValue, options?: PutOptions): Promise<number> {
    checkKey(key);
    const fence = checkPutOptions(options);
    const text = encodeValue(value);
    return this.#fenced('put', fence, async (db) => {
      const { rows } = await db.query<{ version: string }>(SQL.put, [key, text]);
      return Number(rows[0]!.version);
    });
  }

  async delete(key: string, options?: PutOptions): Promise<void> {
    checkKey(key);
    const fence = checkPutOptions(options);
    await this.#fenced('delete', fence, async (db) => {
      await db.query(SQL.delete, [key]);
    });
  }

  async cas(key: string, expectedVersion: number | null, value: JsonValue, options?: PutOptions): Promise<boolean> {
    checkKey(key);
    checkExpectedVersion(expectedVersion);
    const fence = checkPutOptions(options);
    const text = encodeValue(value);
    return this.#fenced('cas', fence, async (db) => {
      const result =
        expectedVersion === null
          ? await db.query(SQL.insertIfAbsent, [key, text])
          : await db.query(SQL.updateIfVersion, [key, text, expectedVersion]);
      return result.rowCount === 1;
    });
  }

  async list<T extends JsonValue = JsonValue>(prefix: string): Promise<StoreEntry<T>[]> {
    checkPrefix(prefix);
    const upper = prefixUpperBound(prefix);
    return this.#run('list', async (pool) => {
      const { rows } = await pool.query<{ key: string; value: string; version: string }>(
        upper === undefined ? SQL.listFrom : SQL.listRange,
        upper === undefined ? [prefix] : [prefix, upper],
      );
      return rows.map((r) => ({ key: r.key, value: decodeValue<T>(r.value), version: Number(r.version) }));
    });
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseRecord | null> {
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkTtl(ttlMs);
    return this.#transaction('acquireLease', async (db) => {
      // Make sure a row exists to lock, then decide on the locked row with the server's time.
      await db.query(SQL.ensureLease, [name, holder]);
      const { rows } = await db.query<LeaseRow>(SQL.leaseForUpdate, [name]);
      const { rows: clock } = await db.query<{ now: string }>(SQL.now);
      const next = acquireOutcome(toLease(rows[0]), holder, ttlMs, Number(clock[0]!.now));
      if (next !== null) await db.query(SQL.saveLease, [name, next.holder, next.token, next.expiresAt]);
      return next;
    });
  }

  async renewLease(name: string, holder: string, token: number, ttlMs: number): Promise<boolean> {
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkToken(token);
    checkTtl(ttlMs);
    return this.#run('renewLease', async (pool) => (await pool.query(SQL.renew, [name, holder, token, ttlMs])).rowCount === 1);
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    checkLeaseText('lease name', name);
    checkLeaseText('lease holder', holder);
    checkToken(token);
    await this.#run('releaseLease', (pool) => pool.query(SQL.release, [name, holder, token]));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const opening = this.#opening;
    if (opening === undefined) return;
    try {
      await (await opening).end();
    } catch {
      // It never opened, or already lost its connections: nothing left to close.
    }
  }

  /** Runs `fn` on its own (`fence` absent) or in a transaction that holds the lease row shared. */
  #fenced<T>(op: string, fence: Fence | undefined, fn: (db: Pool | PoolClient) => Promise<T>): Promise<T> {
    if (fence === undefined) return this.#run(op, fn);
    return this.#transaction(op, async (db) => {
      const { rows } = await db.query<LeaseRow>(SQL.leaseForShare, [fence.lease]);
      const current = toLease(rows[0]);
      if (!fenceHolds(current, fence.token)) throw fencedError(fence.lease, fence.token, current?.token);
      return fn(db);
    });
  }

  #transaction<T>(op: string, fn: (db: PoolClient) => Promise<T>): Promise<T> {
    return this.#run(op, async (pool) => {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr;
        }
        throw err;
      } finally {
        // A client whose rollback failed is in an unknown state: drop it instead of pooling it.
        client.release(broken instanceof Error ? broken : undefined);
      }
    });
  }

  async #run<T>(op: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
    if (this.#closed) throw closedError();
    let pool: Pool;
    try {
      this.#opening ??= this.#open();
      pool = await this.#opening;
    } catch (err) {
      // Forget the failed attempt: the next call tries again (the file's folder or the server may be back).
      this.#opening = undefined;
      throw storeFailure(err, 'postgres', 'connect');
    }
    if (this.#closed) throw closedError();
    try {
      return await fn(pool);
    } catch (err) {
      throw this.#closed ? closedError() : storeFailure(err, 'postgres', op);
    }
  }

  async #open(): Promise<Pool> {
    const { default: pg } = await import('pg').catch((err: unknown) => {
      throw new Error('postgresStore needs the pg package (npm install pg@^8.16.0)', { cause: err });
    });
    const pool = new pg.Pool({
      connectionString: this.#options.connectionString,
      max: this.#options.maxConnections,
      connectionTimeoutMillis: this.#options.connectTimeoutMs,
      query_timeout: this.#options.queryTimeoutMs,
      idle_in_transaction_session_timeout: this.#options.idleInTransactionTimeoutMs,
    });
    // An idle connection that breaks (server restart) must not crash the process; the next
    // query gets a fresh connection or rejects with TROUPE_ERR_STORE_FAILED.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(SCHEMA);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
      return pool;
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
  }
}

/**
 * A {@link Store} in PostgreSQL, for nodes on several machines (SQLite is for one machine). Creates
 * its tables (`troupe_kv`, `troupe_leases`) and sequence on first use. `pg` is loaded on first use.
 *
 * @example
 * ```ts
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! });
 * const leader = lease(store, 'scheduler', { holder: nodeId, ttlMs: 3000 });
 * if (await leader.acquire()) await store.put('scheduler/state', { tick: 1 }, { fence: leader.fence });
 * await store.close();
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): Store {
  if (typeof options !== 'object' || options === null || typeof options.connectionString !== 'string' || options.connectionString === '') {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'postgresStore needs { connectionString }');
  }
  const maxConnections = options.maxConnections ?? 4;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
  const idleInTransactionTimeoutMs = options.idleInTransactionTimeoutMs ?? 5000;
  for (const [what, v] of [
    ['maxConnections', maxConnections],
    ['connectTimeoutMs', connectTimeoutMs],
    ['queryTimeoutMs', queryTimeoutMs],
    ['idleInTransactionTimeoutMs', idleInTransactionTimeoutMs],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be a positive whole number, got ${v}`);
  }
  return new PostgresStore({
    connectionString: options.connectionString,
    maxConnections,
    connectTimeoutMs,
    queryTimeoutMs,
    idleInTransactionTimeoutMs,
  });
}
