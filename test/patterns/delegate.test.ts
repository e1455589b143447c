import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { delegate } from '../../src/patterns/delegate.js';
import { usageOf } from '../../src/patterns/worker-protocol.js';
import { actors, taskWorker } from './helpers.js';

let sys: ActorSystem;
afterEach(async () => {
  await sys?.shutdown();
});

/** A range of numbers to sum: atomic when short, else split in halves. */
type Range = { from: number; to: number };
const halves = (r: Range): Range[] => {
  const mid = Math.floor((r.from + r.to) / 2);
  return [
    { from: r.from, to: mid },
    { from: mid + 1, to: r.to },
  ];
};

describe('delegate', () => {
  it('decomposes recursively, executes atomic tasks with hierarchical ids, and combines in order', async () => {
    sys = createSystem();
    const ids: string[] = [];
    const depths: number[] = [];
    const summer = taskWorker(
      (input) => {
        const r = input as Range;
        let s = 0;
        for (let i = r.from; i <= r.to; i++) s += i;
        return s;
      },
      { usage: () => usageOf('cheap', 5, 1) },
    );
    const result = await delegate<Range, number>(sys, {
      task: { from: 1, to: 100 },
      isAtomic: (r, info) => {
        ids.push(info.id);
        depths.push(info.depth);
        return r.to - r.from < 13;
      },
      decompose: halves,
      execute: summer,
      combine: (results) => results.reduce((a, b) => a + b, 0),
      maxDepth: 3,
    });
    expect(result.output).toBe(5050);
    expect(result.executed).toBe(8);
    expect(result.usage.calls).toBe(8);
    expect(result.depth).toBe(3);
    expect(ids.slice(0, 3)).toEqual(['1', '1.1', '1.2']);
    expect(ids).toContain('1.2.2.1');
    expect(actors(sys)).toBe(0);
  });

  it('sends the hierarchical id and depth in the task event', async () => {
    sys = createSystem();
    const seen: unknown[] = [];
    const echo = taskWorker((input) => input);
    const spy = sys.spawn(echo, { name: 'spy' });
    sys.inspect((e) => {
      if (e.type === '@troupe.pattern' && e.step === 'task-start') seen.push(e.taskId);
    });
    await delegate<Range, Range>(sys, {
      task: { from: 1, to: 4 },
      isAtomic: (r) => r.from === r.to,
      decompose: (r) => Array.from({ length: r.to - r.from + 1 }, (_, i) => ({ from: r.from + i, to: r.from + i })),
      execute: spy,
      combine: (results) => results[0],
      maxDepth: 1,
    });
    expect(seen.sort()).toEqual(['1.1', '1.2', '1.3', '1.4']);
  });

  it('fails the whole call with TROUPE_ERR_MAX_DEPTH past maxDepth, and stops every worker', async () => {
    sys = createSystem();
    let executed = 0;
    const slow = taskWorker(async (_input, signal) => {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, 1000);
        signal.addEventListener('abort', () => clearTimeout(t));
      });
      executed++;
      return 0;
    });
    const run = delegate<Range, number>(sys, {
      task: { from: 1, to: 64 },
      // the left half is atomic at once; the right half keeps splitting
      isAtomic: (_r, info) => info.id === '1.1',
      decompose: halves,
      execute: slow,
      combine: (results) => results.reduce((a, b) => a + b, 0),
      maxDepth: 2,
    });
    await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_MAX_DEPTH' });
    expect(executed).toBe(0);
    expect(actors(sys)).toBe(0);
  });

  it('allows exactly maxDepth levels, and maxDepth 0 means the root must be atomic', async () => {
    sys = createSystem();
    const one = taskWorker(() => 1);
    const options = {
      isAtomic: (r: Range) => r.from === r.to,
      decompose: halves,
      execute: one,
      combine: (results: number[]) => results.reduce((a, b) => a + b, 0),
    };
    const ok = await delegate<Range, number>(sys, { ...options, task: { from: 1, to: 4 }, maxDepth: 2 });
    expect(ok.output).toBe(4);
    await expect(delegate<Range, number>(sys, { ...options, task: { from: 1, to: 4 }, maxDepth: 1 })).rejects.toMatchObject({
      code: 'TROUPE_ERR_MAX_DEPTH',
    });
    await expect(delegate<Range, number>(sys, { ...options, task: { from: 1, to: 2 }, maxDepth: 0 })).rejects.toMatchObject({
      code: 'TROUPE_ERR_MAX_DEPTH',
    });
    expect((await delegate<Range, number>(sys, { ...options, task: { from: 3, to: 3 }, maxDepth: 0 })).output).toBe(1);
  });

  it('runs subtasks concurrently, never more than `concurrency` atomic tasks at once', async () => {
    sys = createSystem();
    let inFlight = 0;
    let most = 0;
    const worker = taskWorker(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 3));
      inFlight--;
      return 1;
    });
    const result = await delegate<Range, number>(sys, {
      task: { from: 1, to: 16 },
      isAtomic: (r) => r.from === r.to,
      decompose: halves,
      execute: worker,
      combine: (results) => results.reduce((a, b) => a + b, 0),
      maxDepth: 4,
      concurrency: 3,
    });
    expect(result.output).toBe(16);
    expect(most).toBe(3);
  });

  it('rejects with the first worker failure', async () => {
    sys = createSystem();
    const worker = taskWorker((input) => {
      if ((input as Range).from === 3) throw new Error('three');
      return 1;
    });
    await expect(
      delegate<Range, number>(sys, {
        task: { from: 1, to: 4 },
        isAtomic: (r) => r.from === r.to,
        decompose: halves,
        execute: worker,
        combine: (results) => results.reduce((a, b) => a + b, 0),
        maxDepth: 2,
      }),
    ).rejects.toMatchObject({ code: 'TROUPE_ERR_WORKER_FAILED' });
    expect(actors(sys)).toBe(0);
  });
});
