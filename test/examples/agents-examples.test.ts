import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main as codeChange } from '../../examples/code-change-coordinator.js';
import { main as hierarchy } from '../../examples/hierarchy.js';

// the examples use a real endpoint when OPENAI_BASE_URL is set; tests run them offline
let saved: string | undefined;
beforeEach(() => {
  saved = process.env.OPENAI_BASE_URL;
  delete process.env.OPENAI_BASE_URL;
});
afterEach(() => {
  if (saved !== undefined) process.env.OPENAI_BASE_URL = saved;
});

describe('examples/code-change-coordinator', () => {
  it('changes the three files through search, parallel code, tests and review', async () => {
    const { run, changed } = await codeChange();
    expect(run.stopReason).toBe('done');
    expect(changed).toEqual(['src/auth/jwt.ts', 'src/routes/users.ts', 'test/auth.test.ts']);
    expect(run.decisions.map((d) => d.calls.map((c) => c.worker))).toEqual([
      ['search_agent'],
      ['code_agent', 'code_agent'],
      ['code_agent'],
      ['review_agent'],
      [],
    ]);
    expect(run.decisions[2]!.results[0]!.summary).toMatch(/3 passed/);
    expect(Object.keys(run.usage.byModel).sort()).toEqual(['code', 'coordinator', 'review', 'search']);
  });
});

describe('examples/hierarchy', () => {
  it('runs lead → two teams → four workers and sums usage over the tree', async () => {
    const run = await hierarchy();
    expect(run.stopReason).toBe('done');
    expect(run.output.answer).toMatch(/last_login_at/);
    expect(run.usage.calls).toBe(10);
    expect(Object.keys(run.usage.byModel).sort()).toEqual(['api', 'backend', 'db', 'frontend', 'lead', 'tests', 'ui']);
  });
});
