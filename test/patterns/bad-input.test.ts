/** Bad input to any pattern is a TroupeError with a stable code, never a raw TypeError or a hang. */
import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { council } from '../../src/patterns/council.js';
import { delegate } from '../../src/patterns/delegate.js';
import { fanOut } from '../../src/patterns/fan-out.js';
import { mapReduce } from '../../src/patterns/map-reduce.js';
import { pipeline } from '../../src/patterns/pipeline.js';
import { kFor, vote } from '../../src/patterns/vote.js';
import { workQueue } from '../../src/patterns/work-queue.js';
import { lease } from '../../src/store/lease.js';
import { memoryStore } from '../../src/store/memory.js';
import { actors, taskWorker } from './helpers.js';

let sys: ActorSystem;
afterEach(async () => {
  await sys?.shutdown();
});

/** The code `fn` throws or rejects with ('none' when it succeeds). */
async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'none';
  } catch (err) {
    return (err as { code?: string }).code ?? `raw ${(err as Error).name}`;
  }
}

describe('patterns refuse bad input with TroupeError codes', () => {
  it('refuses null or missing options of every pattern with TROUPE_ERR_INVALID_OPTION', async () => {
    sys = createSystem();
    const calls: [string, () => unknown][] = [
      ['fanOut', () => fanOut(sys, null as never)],
      ['mapReduce', () => mapReduce(sys, null as never)],
      ['delegate', () => delegate(sys, null as never)],
      ['pipeline', () => pipeline(sys, undefined as never)],
      ['workQueue', () => workQueue(sys, null as never)],
      ['council', () => council(sys, null as never)],
      ['vote', () => vote(null as never)],
      ['kFor', () => kFor(null as never)],
    ];
    const codes = Object.fromEntries(await Promise.all(calls.map(async ([name, fn]) => [name, await codeOf(fn)])));
    expect(codes).toEqual(Object.fromEntries(calls.map(([name]) => [name, 'TROUPE_ERR_INVALID_OPTION'])));
    expect(actors(sys)).toBe(0);
  });

  it('refuses a fanOut depth and a workQueue backoff of the wrong kind', async () => {
    sys = createSystem();
    const w = taskWorker((n) => n);
    expect(await codeOf(() => fanOut(sys, { worker: w, items: [1], depth: 'deep' as never }))).toBe('TROUPE_ERR_INVALID_OPTION');
    expect(await codeOf(() => fanOut(sys, { worker: w, items: [1], depth: -1 }))).toBe('TROUPE_ERR_INVALID_OPTION');
    expect(await codeOf(() => workQueue(sys, { workers: [w], backoff: 'fast' as never }))).toBe('TROUPE_ERR_INVALID_OPTION');
    expect(actors(sys)).toBe(0);
  });

  it('refuses a pipeline input that is not JSON before any stage runs; a stage output that is not JSON is TROUPE_ERR_INVALID_OUTPUT', async () => {
    sys = createSystem();
    let ran = 0;
    const w = taskWorker((n) => {
      ran++;
      return n;
    });
    const store = memoryStore();
    const stages = [{ name: 'echo', worker: w }];
    expect(await codeOf(() => pipeline(sys, { runId: 'in', stages, input: 5n as never, store }))).toBe('TROUPE_ERR_INVALID_OPTION');
    expect(ran).toBe(0);
    const dated = taskWorker(() => ({ at: new Date(0) }));
    const err = await pipeline(sys, { runId: 'out', stages: [{ name: 'dates', worker: dated }], input: 1, store }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'TROUPE_ERR_INVALID_OUTPUT' });
    expect((err as Error).message).toContain('stage dates');
    expect(await store.get('pipeline/out')).toBeUndefined();
    expect(actors(sys)).toBe(0);
  });

  it('refuses a lease over something that is not a Store', () => {
    expect(() => lease(null as never, 'l', { holder: 'h', ttlMs: 100 })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
    );
    expect(() => lease({} as never, 'l', { holder: 'h', ttlMs: 100 })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
    );
  });
});
