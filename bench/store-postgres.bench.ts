/**
 * postgresStore operations per second (put, get, and get + cas read-modify-writes on 100 keys) on a
 * throwaway PostgreSQL server started here (fsync off: it measures troupe's overhead, not the disk).
 * Baseline: the same pg Pool running single statements — an upsert that bumps the key's own
 * version, a select, and a select + `UPDATE … WHERE version = $3` — without troupe's sequence or
 * argument checks. Target: ratio ≥ 0.7. Without the postgresql binaries it prints a skipped line.
 */
import { postgresStore } from '../src/store/postgres.js';
import { findPostgresBin, MISSING_POSTGRES, startPostgres } from '../test/support/postgres.js';
import { report } from './report.js';
import { benchStore, type OpsSide, storeSide } from './store-ops.js';

async function rawSide(url: string): Promise<OpsSide & { end(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {}); // the server stopping under an idle connection is expected at the end
  await pool.query('CREATE TABLE kv (key text COLLATE "C" PRIMARY KEY, value text NOT NULL, version bigint NOT NULL)');
  return {
    put: (key, value) =>
      pool.query('INSERT INTO kv VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = kv.version + 1', [
        key,
        JSON.stringify(value),
      ]),
    async get(key) {
      const { rows } = await pool.query<{ value: string; version: string }>('SELECT value, version FROM kv WHERE key = $1', [key]);
      return rows[0] === undefined ? undefined : { value: JSON.parse(rows[0].value), version: Number(rows[0].version) };
    },
    async readModifyWrite(key, n) {
      const { rows } = await pool.query<{ version: string }>('SELECT version FROM kv WHERE key = $1', [key]);
      const r = await pool.query('UPDATE kv SET value = $1, version = version + 1 WHERE key = $2 AND version = $3', [
        JSON.stringify({ n, pad: 'x'.repeat(100) }),
        key,
        rows[0]!.version,
      ]);
      return r.rowCount === 1;
    },
    end: () => pool.end(),
  };
}

if (findPostgresBin() === undefined) {
  console.error(`store-postgres skipped: ${MISSING_POSTGRES}`);
  report({ bench: 'store-postgres', unit: 'read-modify-writes/s', troupe: Number.NaN, skipped: MISSING_POSTGRES });
} else {
  const server = await startPostgres();
  try {
    const url = await server.createDatabase('bench');
    const store = postgresStore({ connectionString: url });
    const raw = await rawSide(url);
    try {
      await benchStore({
        bench: 'store-postgres',
        baselineName: 'raw pg Pool single statements',
        target: 0.7,
        ops: 1000,
        rounds: 5,
        troupe: async () => storeSide(store),
        baseline: async () => raw,
        extra: { server: 'throwaway PostgreSQL on 127.0.0.1, fsync off' },
      });
    } finally {
      await store.close();
      await raw.end();
    }
  } finally {
    await server.stop();
  }
}
