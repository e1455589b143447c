/** Every public export of the patterns and store layers carries TSDoc with an `@example` (STYLE.md). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../src/', import.meta.url);
/** Owned elsewhere (fire-and-gather and the worker protocol have their own checks). */
const elsewhere = new Set(['patterns/gather', 'patterns/worker-protocol']);

/** The patterns and store exports of src/index.ts: [name, module]. */
function layerExports(): [string, string][] {
  const index = readFileSync(new URL('index.ts', root), 'utf8');
  const found: [string, string][] = [];
  for (const m of index.matchAll(/export (?:type )?\{([^}]*)\} from '\.\/((?:patterns|store)\/[^']+)\.js'/g)) {
    if (elsewhere.has(m[2]!)) continue;
    for (const name of m[1]!.split(',').map((n) => n.trim())) if (name !== '') found.push([name, m[2]!]);
  }
  return found;
}

/** The TSDoc block right before `name`'s declaration in `module`, or undefined. */
function docOf(name: string, module: string): string | undefined {
  const source = readFileSync(new URL(`${module}.ts`, root), 'utf8');
  const decl = new RegExp(`export (?:async )?(?:function|interface|type|class|const) ${name}\\b`).exec(source);
  if (decl === null) {
    // Re-exported from a sibling module: look there.
    for (const m of source.matchAll(/export (?:type )?\{([^}]*)\} from '\.\/([^']+)\.js'/g)) {
      if (m[1]!.split(',').some((n) => n.trim() === name)) return docOf(name, module.replace(/[^/]+$/, m[2]!));
    }
    return undefined;
  }
  const before = source.slice(0, decl.index).trimEnd();
  if (!before.endsWith('*/')) return undefined;
  return before.slice(before.lastIndexOf('/**'));
}

describe('patterns and store TSDoc', () => {
  it('finds the patterns and store exports', () => {
    expect(layerExports().length).toBeGreaterThan(40);
  });

  it('gives every patterns and store export of src/index.ts an @example', () => {
    const missing = layerExports()
      .filter(([name, module]) => !docOf(name, module)?.includes('@example'))
      .map(([name, module]) => `${module}: ${name}`);
    expect(missing).toEqual([]);
  });
});
