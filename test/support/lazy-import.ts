/** Checks which modules a fresh process loads: how tests prove that drivers and SDKs are imported lazily. */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/**
 * Runs `body` in a child process that logs every module URL it resolves, after importing troupe's
 * entry; in `body`, `troupe` is that entry, `loaded(name)` tells whether a URL under node_modules/<name>/ was
 * resolved so far, and `resolved(fragment)` whether any resolved URL contains `fragment`. `body` prints
 * one JSON line last, which is returned.
 */
export function inChild(body: string, timeoutMs = 30_000): Record<string, unknown> {
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
    const resolved = (fragment) => readFileSync(log, 'utf8').includes(fragment);
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
    timeout: timeoutMs,
  });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
}
