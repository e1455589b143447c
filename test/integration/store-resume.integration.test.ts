/**
 * Checkpoints across real processes on one SQLite file: a pipeline SIGKILLed in stage 2 resumes in
 * a new process without running stage 1 again; a work queue of 1,000 tasks whose process is
 * SIGKILLed midway finishes every task in a new process, without re-running the tasks the store had
 * recorded as done.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/store/sqlite.js';
import { StoreChild } from './fixtures/store-child.js';

const pipelineRun = fileURLToPath(new URL('./fixtures/store-pipeline-run.ts', import.meta.url));
const queueRun = fileURLToPath(new URL('./fixtures/store-work-queue-run.ts', import.meta.url));
const TASKS = 1000;

let dir: string;
let path: string;
let execLog: string;
let children: StoreChild[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'troupe-resume-'));
  path = join(dir, 'store.db');
  execLog = join(dir, 'exec.log');
  writeFileSync(execLog, '');
});

afterEach(async () => {
  for (const c of children) await c.kill();
  children = [];
  rmSync(dir, { recursive: true, force: true });
});

async function start(fixture: string, name: string, args: string[]): Promise<StoreChild> {
  const child = await StoreChild.start(fixture, name, args);
  children.push(child);
  return child;
}

/** The exec log as `[what, pid]` pairs. */
function runs(): [string, number][] {
  return readFileSync(execLog, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [what, pid] = l.split(' ');
      return [what!, Number(pid)];
    });
}

describe('resuming checkpointed patterns in a new process (SQLite store)', () => {
  it('a pipeline SIGKILLed in stage 2 resumes in a new process without running stage 1 again', async () => {
    const first = await start(pipelineRun, 'first', [path, 'run-1', execLog, '1']);
    await first.waitFor('in-stage-2');
    await first.kill();
    const second = await start(pipelineRun, 'second', [path, 'run-1', execLog, '0']);
    const done = await second.waitFor('done');
    expect(done).toMatchObject({ output: { text: 'in>s1>s2>s3' }, ran: ['s2', 's3'], resumed: ['s1'] });
    expect(runs()).toEqual([
      ['s1', first.pid],
      ['s2', first.pid],
      ['s2', second.pid],
      ['s3', second.pid],
    ]);
  });

  it('a work queue of 1,000 tasks SIGKILLed midway finishes every task in a new process', async () => {
    const first = await start(queueRun, 'first', [path, 'queue-1', execLog]);
    await first.waitFor('progress', 60_000, (m) => (m.done as number) >= TASKS * 0.4);
    await first.kill();

    // What the store held when the first process died: these tasks must not run again.
    const store = sqliteStore({ path });
    const saved = await store.list<{ id: string; state: string }>('work-queue/queue-1/');
    await store.close();
    const doneBefore = new Set(saved.filter((e) => e.value.state === 'done').map((e) => e.value.id));
    expect(doneBefore.size).toBeGreaterThan(0);
    expect(doneBefore.size).toBeLessThan(TASKS);

    const second = await start(queueRun, 'second', [path, 'queue-1', execLog]);
    const done = await second.waitFor('done', 120_000);
    const results = done.results as Record<string, number>;
    expect(Object.keys(results)).toHaveLength(TASKS);
    for (let i = 0; i < TASKS; i++) expect(results[`t${i}`]).toBe(i * 2);

    const byFirst = new Set(
      runs()
        .filter(([, pid]) => pid === first.pid)
        .map(([id]) => id),
    );
    const bySecond = runs()
      .filter(([, pid]) => pid === second.pid)
      .map(([id]) => id);
    expect(bySecond.filter((id) => doneBefore.has(id))).toEqual([]);
    // Every task ran at least once; a task runs twice only if it finished in the first process
    // but its checkpoint was not yet written (at-least-once).
    for (let i = 0; i < TASKS; i++) expect(byFirst.has(`t${i}`) || bySecond.includes(`t${i}`)).toBe(true);
    expect(new Set(bySecond).size).toBe(bySecond.length);
    const twice = bySecond.filter((id) => byFirst.has(id));
    expect(twice.length).toBeLessThan(TASKS - doneBefore.size);
    console.log(
      `work queue resume: ${doneBefore.size} done before the kill, ${bySecond.length} run after it, ${twice.length} of them twice`,
    );
  }, 180_000);
});
