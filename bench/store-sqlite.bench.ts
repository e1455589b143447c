/**
 * sqliteStore operations per second (put, get, and get + cas read-modify-writes on 100 keys), WAL,
 * synchronous FULL, on a file in the temp directory. Baseline: the same better-sqlite3 build and
 * pragmas, prepared statements in autocommit — an upsert that bumps the key's own version, a select,
 * and a select + `UPDATE … WHERE version = ?` — without troupe's BEGIN IMMEDIATE transaction, global
 * version counter, fence check or promise. Target: ratio ≥ 0.5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '../src/store/sqlite.js';
import { benchStore, type OpsSide, storeSide } from './store-ops.js';

const dir = mkdtempSync(join(tmpdir(), 'troupe-bench-sqlite-'));

async function rawSide(): Promise<OpsSide> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID');
  const upsert = db.prepare(
    'INSERT INTO kv VALUES (?, ?, 1) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = version + 1',
  );
  const select = db.prepare('SELECT value, version FROM kv WHERE key = ?');
  const update = db.prepare('UPDATE kv SET value = ?, version = version + 1 WHERE key = ? AND version = ?');
  return {
    put: (key, value) => upsert.run(key, JSON.stringify(value)),
    get(key) {
      const row = select.get(key) as { value: string; version: number } | undefined;
      return row === undefined ? undefined : { value: JSON.parse(row.value), version: row.version };
    },
    readModifyWrite(key, n) {
      const row = select.get(key) as { version: number };
      return update.run(JSON.stringify({ n, pad: 'x'.repeat(100) }), key, row.version).changes === 1;
    },
  };
}

try {
  await benchStore({
    bench: 'store-sqlite',
    baselineName: 'raw better-sqlite3 prepared statements, autocommit',
    target: 0.5,
    ops: 2000,
    rounds: 5,
    troupe: async () => storeSide(sqliteStore({ path: join(dir, 'troupe.db') })),
    baseline: rawSide,
    extra: { synchronous: 'FULL' },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
