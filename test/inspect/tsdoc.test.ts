/** Every public export of the inspect layer carries TSDoc with an `@example` (STYLE.md: comments cluster on the public API). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../src/', import.meta.url);

/** The inspect exports of src/index.ts: [name, module]. */
function inspectExports(): [string, string][] {
  const index = readFileSync(new URL('index.ts', root), 'utf8');
  const found: [string, string][] = [];
  for (const m of index.matchAll(/export (?:type )?\{([^}]*)\} from '\.\/(inspect\/[^']+)\.js'/g)) {
    for (const name of (m[1] as string).split(',').map((n) => n.trim())) if (name !== '') found.push([name, m[2] as string]);
  }
  return found;
}

/** The TSDoc block right before `name`'s declaration in `module`, or undefined. */
function docOf(name: string, module: string): string | undefined {
  const source = readFileSync(new URL(`${module}.ts`, root), 'utf8');
  const decl = new RegExp(`export (?:async )?(?:function\\*?|interface|type|class|const) ${name}\\b`).exec(source);
  if (decl === null) return undefined;
  const before = source.slice(0, decl.index).trimEnd();
  if (!before.endsWith('*/')) return undefined;
  return before.slice(before.lastIndexOf('/**'));
}

describe('inspect TSDoc', () => {
  it('finds the inspect exports', () => {
    expect(inspectExports().length).toBeGreaterThan(30);
  });

  it('gives every inspect export of src/index.ts an @example', () => {
    const missing = inspectExports()
      .filter(([name, module]) => !docOf(name, module)?.includes('@example'))
      .map(([name, module]) => `${module}: ${name}`);
    expect(missing).toEqual([]);
  });
});
