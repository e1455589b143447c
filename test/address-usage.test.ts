import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', 'src');

/** Every `.ts` file under src/, as a path relative to src/ with `/` separators. */
function sources(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** `troupe://` in code, a `$` test by character code, or a slice past a node's prefix: the address format restated. */
const HAND_BUILT = /troupe:\/\/|charCodeAt\(0\) === 36|\.length \+ 10\b/g;

/** Files that may spell the format out, with the reason. */
const allowed: Record<string, string> = {
  'actors/address.ts': 'owns the address format',
  'cli/commands/tour.ts': 'a demo written as a user would: it names an address on its own node through the public API',
};

describe('the address format lives in actors/address.ts', () => {
  it('no other module builds or slices troupe:// addresses by hand (formatAddress, nodePrefix, pathOf, isOnNode, isTemporaryPath)', () => {
    const found: string[] = [];
    for (const file of sources()) {
      if (file in allowed) continue;
      const lines = readFileSync(join(root, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\*|\/\/|\/\*)/.test(line)) return;
        if (line.match(HAND_BUILT)) found.push(`src/${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('the scan sees a hand-built address (it would fail on one)', () => {
    expect('const a = "troupe://" + node;'.match(HAND_BUILT)).toHaveLength(1);
    expect('if (path.charCodeAt(0) === 36) return;'.match(HAND_BUILT)).toHaveLength(1);
  });
});
