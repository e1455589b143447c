/**
 * Every TypeScript block of the README, and every complete one (it imports from 'troupe') of the
 * docs listed here, typechecks as a user would write it: `import … from 'troupe'` (resolved to
 * src/index.ts here), no undefined names, no casts needed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('README.md and complete doc examples', () => {
  it('are self-contained TypeScript that typechecks', { timeout: 120_000 }, async () => {
    const readme = tsBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(readme.length).toBeGreaterThanOrEqual(2);
    const docs = ['docs/streams.md'].flatMap((doc) =>
      tsBlocks(readFileSync(join(root, doc), 'utf8')).filter((code) => code.includes("from 'troupe'")),
    );
    expect(docs.length).toBeGreaterThanOrEqual(1);
    const blocks = [...readme, ...docs];
    mkdirSync(join(root, '.scratch'), { recursive: true });
    const dir = mkdtempSync(join(root, '.scratch', 'readme-'));
    try {
      const entry = relative(dir, join(root, 'src', 'index.js')).replaceAll('\\', '/');
      const files = blocks.map((code, i) => {
        const file = join(dir, `block-${i + 1}.ts`);
        // each block is its own module (top-level await, its own names)
        writeFileSync(file, `${code.replaceAll("from 'troupe'", `from '${entry}'`)}\nexport {};\n`);
        return file;
      });
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: relative(dir, join(root, 'tsconfig.json')),
          compilerOptions: { rootDir: relative(dir, root) },
          include: [],
          files,
        }),
      );
      const tsc = join(root, 'node_modules', '.bin', 'tsc');
      const result = await promisify(execFile)(tsc, ['--noEmit', '-p', join(dir, 'tsconfig.json')]).then(
        () => '',
        (err: { stdout?: string }) => err.stdout ?? String(err),
      );
      expect(result.split('\n').filter((line) => line.includes(dir.split('/').pop() as string))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
