import { describe, expect, it } from 'vitest';
import { auditFile } from '../../../src/cli/demo/audit.js';
import { formatReport, plainSummary, summarize } from '../../../src/cli/demo/report.js';

const audits = [
  auditFile('a.ts', "import x from 'x';\nexport function f() {\n  // TODO: one\n  return 1;\n}\n"),
  auditFile('b.ts', "// Copyright troupe\nimport x from 'x';\nimport y from 'y';\n"),
];

describe('summarize', () => {
  it('aggregates sizes, functions, markers, licences and imports', () => {
    const f = summarize(audits);
    expect(f).toMatchObject({ files: 2, lines: 8, withoutLicence: ['a.ts'], markerCounts: { TODO: 1 } });
    expect(f.largest[0]).toEqual({ path: 'a.ts', lines: 5 });
    expect(f.longestFunctions[0]).toEqual({ path: 'a.ts', name: 'f', line: 2, lines: 4 });
    expect(f.topImports).toEqual([
      { module: 'x', files: 2 },
      { module: 'y', files: 1 },
    ]);
  });
});

describe('formatReport', () => {
  it('ends with the demo line and names the killed node', () => {
    const f = summarize(audits);
    const lines = formatReport(
      f,
      { tasks: 2, done: 2, lost: 0, requeued: 1, perNode: { n1: 1, n2: 1 }, killed: 'n2', elapsedMs: 1200 },
      plainSummary(f),
    );
    expect(lines.at(-1)).toBe('demo: 2 tasks, 2 done, 0 lost, 1 re-queued');
    expect(lines.join('\n')).toContain('n2           1 tasks (killed midway)');
    expect(plainSummary(f)).toContain('1 open markers (1 TODO)');
  });
});
