import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { postgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { type PostgresServer, startPostgres } from '../support/postgres.js';
import { storeConformance } from './conformance.js';
import { raceInProcesses } from './race.js';

// A real server, started here; without the binaries this fails (CI installs them), never skips.
let server: PostgresServer;
let url = '';

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('conformance');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

storeConformance('postgres', {
  async create() {
    await server.sql('DROP TABLE IF EXISTS troupe_kv, troupe_leases; DROP SEQUENCE IF EXISTS troupe_kv_version', 'conformance');
    return postgresStore({ connectionString: url });
  },
  elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  raceInProcesses: (opts) => raceInProcesses({ kind: 'postgres', connectionString: url }, opts),
});

describe('postgresStore', () => {
  it('keeps what was written for the next store on the same database', async () => {
    const one = postgresStore({ connectionString: url });
    const v = await one.put('kept', [1, 2]);
    await one.close();
    const two = postgresStore({ connectionString: url });
    expect(await two.get('kept')).toEqual({ value: [1, 2], version: v });
    await two.close();
  });

  it('keeps a value byte for byte (key order, duplicate-free text), not as jsonb would', async () => {
    const store = postgresStore({ connectionString: url });
    await store.put('order', { z: 1, a: 2, m: { y: 1, b: 2 } });
    expect(JSON.stringify((await store.get('order'))?.value)).toBe('{"z":1,"a":2,"m":{"y":1,"b":2}}');
    await store.close();
  });

  it('creates its schema once when many stores open at the same moment', async () => {
    await server.createDatabase('schema_race');
    const stores: Store[] = Array.from({ length: 6 }, () => postgresStore({ connectionString: server.url('schema_race') }));
    const versions = await Promise.all(stores.map((s, i) => s.put(`k${i}`, i)));
    expect(new Set(versions).size).toBe(6);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('rejects with TROUPE_ERR_STORE_FAILED and the driver error as cause when the server is unreachable', async () => {
    const store = postgresStore({ connectionString: `postgres://troupe@127.0.0.1:1/none`, connectTimeoutMs: 2000 });
    const err = await store.get('k').catch((e: unknown) => e);
    expect(TroupeError.is(err, 'TROUPE_ERR_STORE_FAILED')).toBe(true);
    expect((err as TroupeError).cause).toBeInstanceOf(Error);
    await store.close();
  });

  it('fails a statement that waits past queryTimeoutMs with TROUPE_ERR_STORE_FAILED, and recovers after', async () => {
    const store = postgresStore({ connectionString: url, queryTimeoutMs: 300 });
    await store.put('locked', 1);
    const { default: pg } = await import('pg');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE troupe_kv IN ACCESS EXCLUSIVE MODE');
    const err = await store.put('locked', 2).catch((e: unknown) => e);
    expect(TroupeError.is(err, 'TROUPE_ERR_STORE_FAILED')).toBe(true);
    await holder.query('ROLLBACK');
    await holder.end();
    await store.put('locked', 3);
    expect((await store.get('locked'))?.value).toBe(3);
    await store.close();
  });

  it('connects on a later call once the database it could not reach exists', async () => {
    const store = postgresStore({ connectionString: server.url('not_yet'), connectTimeoutMs: 2000 });
    await expect(store.get('k')).rejects.toMatchObject({ code: 'TROUPE_ERR_STORE_FAILED' });
    await server.createDatabase('not_yet');
    await store.put('k', 1);
    expect((await store.get('k'))?.value).toBe(1);
    await store.close();
  });

  it('refuses bad options at once', () => {
    expect(() => postgresStore({ connectionString: '' })).toThrow(TroupeError);
    expect(() => postgresStore({ connectionString: url, maxConnections: 0 })).toThrow(TroupeError);
    expect(() => postgresStore({ connectionString: url, queryTimeoutMs: -1 })).toThrow(TroupeError);
    expect(() => postgresStore({ connectionString: url, idleInTransactionTimeoutMs: 0 })).toThrow(TroupeError);
  });
});
