import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { sqliteStore } from '../../src/store/sqlite.js';
import { storeConformance } from './conformance.js';
import { raceInProcesses } from './race.js';

const dir = mkdtempSync(join(tmpdir(), 'troupe-sqlite-'));
let n = 0;
let path = '';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeConformance('sqlite', {
  async create() {
    path = join(dir, `store-${++n}.db`);
    return sqliteStore({ path });
  },
  elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  raceInProcesses: (opts) => raceInProcesses({ kind: 'sqlite', path }, opts),
});

describe('sqliteStore', () => {
  it('keeps what was written across a reopen of the file', async () => {
    const file = join(dir, 'reopen.db');
    const one = sqliteStore({ path: file });
    const v = await one.put('k', { kept: true });
    const lease = await one.acquireLease('L', 'a', 60_000);
    await one.close();
    const two = sqliteStore({ path: file });
    expect(await two.get('k')).toEqual({ value: { kept: true }, version: v });
    expect(await two.acquireLease('L', 'b', 60_000)).toBeNull();
    expect(await two.renewLease('L', 'a', lease!.token, 60_000)).toBe(true);
    expect(await two.put('k2', 1)).toBeGreaterThan(v);
    await two.close();
  });

  it('opens the file in WAL mode', async () => {
    const file = join(dir, 'wal.db');
    const store = sqliteStore({ path: file });
    await store.put('k', 1);
    await store.close();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('rejects with TROUPE_ERR_STORE_FAILED and the driver error as cause when the file cannot be opened', async () => {
    const store = sqliteStore({ path: join(dir, 'no-such-dir', 'x.db') });
    const err = await store.get('k').catch((e: unknown) => e);
    expect(TroupeError.is(err, 'TROUPE_ERR_STORE_FAILED')).toBe(true);
    expect((err as TroupeError).cause).toBeInstanceOf(Error);
  });

  it('opens on a later call once what failed the first open is fixed', async () => {
    const folder = join(dir, 'later');
    const store = sqliteStore({ path: join(folder, 'x.db') });
    await expect(store.get('k')).rejects.toMatchObject({ code: 'TROUPE_ERR_STORE_FAILED' });
    mkdirSync(folder);
    await store.put('k', 1);
    expect((await store.get('k'))?.value).toBe(1);
    await store.close();
  });

  it('refuses bad options at once', () => {
    expect(() => sqliteStore({ path: '' })).toThrow(TroupeError);
    expect(() => sqliteStore({ path: 'x.db', busyTimeoutMs: -1 })).toThrow(TroupeError);
    expect(() => sqliteStore({ path: 'x.db', synchronous: 'off' as 'full' })).toThrow(TroupeError);
  });
});
