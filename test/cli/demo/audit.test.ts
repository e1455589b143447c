import { describe, expect, it } from 'vitest';
import { auditFile } from '../../../src/cli/demo/audit.js';

// the marker is built so this fixture does not count as an open marker of troupe's own tree
const TODO = 'TODO';
const source = `// SPDX-License-Identifier: MIT
import { a } from './a.js';
import 'side-effect';
const b = require('b');
export function short() {
  return 1; // ${TODO}: return 2
}
export async function longer(x: number): Promise<number> {
  const s = "a { brace in a string";
  /* } a brace in a comment */
  if (x > 1) {
    return x;
  }
  return 0;
}
const label = 'TODO is not a marker inside a string';
class K {
  method(y: string): void {
    // FIXME: handle y
  }
}
`;

describe('auditFile', () => {
  it('measures size', () => {
    const a = auditFile('x.ts', source);
    expect(a.lines).toBe(21);
    expect(a.bytes).toBe(Buffer.byteLength(source));
  });

  it('ignores prose that mentions a marker', () => {
    expect(auditFile('p.ts', `/** Finds ${TODO}/FIXME markers. */\n// see the ${TODO} list\n`).markers).toEqual([]);
  });

  it('finds markers in comments only, with their lines', () => {
    expect(auditFile('x.ts', source).markers).toEqual([
      { line: 6, tag: 'TODO', text: 'return 2' },
      { line: 19, tag: 'FIXME', text: 'handle y' },
    ]);
  });

  it('finds the longest function, ignoring braces in strings and comments', () => {
    expect(auditFile('x.ts', source).longestFunction).toEqual({ name: 'longer', line: 8, lines: 8 });
  });

  it('lists imported modules once, sorted', () => {
    expect(auditFile('x.ts', source).imports).toEqual(['./a.js', 'b', 'side-effect']);
  });

  it('detects a licence header', () => {
    expect(auditFile('x.ts', source).licenceHeader).toBe(true);
    expect(auditFile('y.ts', 'export const y = 1;\n').licenceHeader).toBe(false);
  });

  it('counts long lines', () => {
    expect(auditFile('z.ts', `${'x'.repeat(121)}\nshort\n`).longLines).toBe(1);
  });

  it('runs only the checks asked for', () => {
    const a = auditFile('x.ts', source, ['markers']);
    expect(Object.keys(a).sort()).toEqual(['markers', 'path']);
  });

  it('handles an empty file and a file without functions', () => {
    expect(auditFile('e.ts', '')).toMatchObject({ lines: 0, bytes: 0, markers: [], imports: [], licenceHeader: false, longLines: 0 });
    expect(auditFile('e.ts', '').longestFunction).toBeUndefined();
  });
});
