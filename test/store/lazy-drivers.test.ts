import { describe, expect, it } from 'vitest';
import { inChild } from '../support/lazy-import.js';

describe('store drivers load lazily', () => {
  it("importing troupe loads neither 'better-sqlite3' nor 'pg'; the first sqliteStore call loads only its driver", () => {
    const result = inChild(`
      const afterImport = { sqlite: loaded('better-sqlite3'), pg: loaded('pg') };
      const store = troupe.sqliteStore({ path: ':memory:' });
      troupe.postgresStore({ connectionString: 'postgres://127.0.0.1:1/none' });
      const afterCreate = { sqlite: loaded('better-sqlite3'), pg: loaded('pg') };
      await store.put('k', 1);
      await store.close();
      const afterUse = { sqlite: loaded('better-sqlite3'), pg: loaded('pg') };
      console.log(JSON.stringify({ exports: Object.keys(troupe).length, afterImport, afterCreate, afterUse }));
    `);
    expect(result.exports).toBeGreaterThan(0);
    expect(result).toMatchObject({
      afterImport: { sqlite: false, pg: false },
      afterCreate: { sqlite: false, pg: false },
      afterUse: { sqlite: true, pg: false },
    });
  }, 40_000);

  it("the first postgresStore call loads 'pg'", () => {
    const result = inChild(`
      const store = troupe.postgresStore({ connectionString: 'postgres://127.0.0.1:1/none', connectTimeoutMs: 500 });
      const code = await store.get('k').then(() => 'ok', (err) => err.code);
      await store.close();
      console.log(JSON.stringify({ code, pg: loaded('pg'), sqlite: loaded('better-sqlite3') }));
    `);
    expect(result).toEqual({ code: 'TROUPE_ERR_STORE_FAILED', pg: true, sqlite: false });
  }, 40_000);
});
