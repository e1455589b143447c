import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Runs `body` in a child process that logs every module URL it resolves, after importing troupe's
 * entry; `loaded(name)` in `body` tells whether a URL under node_modules/<name>/ was resolved so far.
 */
function inChild(body: string): Record<string, unknown> {
  const hook = [
    'import { appendFileSync } from "node:fs";',
    'let log;',
    'export function initialize(data) { log = data.log; }',
    'export async function resolve(specifier, context, next) {',
    '  const result = await next(specifier, context);',
    '  appendFileSync(log, result.url + "\\n");',
    '  return result;',
    '}',
  ].join('\n');
  const script = `
    import { register, createRequire } from 'node:module';
    import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
    import { dirname, join } from 'node:path';
    import { tmpdir } from 'node:os';
    const log = join(mkdtempSync(join(tmpdir(), 'troupe-lazy-drivers-')), 'resolved.txt');
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), { data: { log } });
    const require = createRequire(import.meta.url);
    const loaded = (name) =>
      readFileSync(log, 'utf8').split('\\n').some((url) => url.includes('/node_modules/' + name + '/')) ||
      Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/'));
    const troupe = await import('./src/index.ts');
    try {
      ${body}
    } finally {
      rmSync(dirname(log), { recursive: true, force: true });
    }
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../../', import.meta.url),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
}

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
