/**
 * The layers of docs/architecture.md, checked on the import lines of the source: dependencies point
 * down only (type-only imports included).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');

/** Every troupe module `folder` imports, as `folder/file` relative to src. */
function importsOf(folder: string): { from: string; to: string }[] {
  const dir = join(src, folder);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return files.flatMap((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    return [...text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)].map((m) => ({
      from: `${folder}/${file}`,
      to: relative(src, resolve(dir, file, '..', m[1] as string)).replace(/\.js$/, ''),
    }));
  });
}

function outside(folder: string, allowed: string[]): string[] {
  return importsOf(folder)
    .filter(({ to }) => !allowed.some((a) => to === a || to.startsWith(`${a}/`)))
    .map(({ from, to }) => `${from} → ${to}`);
}

describe('layers', () => {
  it('util/ imports only util/ and errors', () => {
    expect(outside('util', ['util', 'errors'])).toEqual([]);
  });

  it('mailbox/ and supervision/ import only themselves, util/ and errors', () => {
    expect(outside('mailbox', ['mailbox', 'util', 'errors'])).toEqual([]);
    expect(outside('supervision', ['supervision', 'util', 'errors'])).toEqual([]);
  });

  it('actors/ imports nothing above it: no streams, patterns, transport, inspect, agents, store', () => {
    expect(outside('actors', ['actors', 'mailbox', 'supervision', 'util', 'errors', 'error-wire'])).toEqual([]);
  });

  it('streams/ imports only the actor core and below', () => {
    expect(outside('streams', ['streams', 'actors', 'mailbox', 'util', 'errors', 'error-wire'])).toEqual([]);
  });
});
