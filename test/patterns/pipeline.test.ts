import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { pipeline, pipelineKey } from '../../src/patterns/pipeline.js';
import { usageOf } from '../../src/patterns/worker-protocol.js';
import { lease } from '../../src/store/lease.js';
import { memoryStore } from '../../src/store/memory.js';
import type { JsonValue } from '../../src/store/store.js';
import { SimulatedClock } from '../../src/util/clock.js';
import { actors, taskWorker } from './helpers.js';

let sys: ActorSystem;
afterEach(async () => {
  await sys?.shutdown();
});

type Doc = { text: string; notes: string[] };

function stageWorker(name: string, runs: string[], failOnce?: { failed: boolean }) {
  return taskWorker(
    (input) => {
      runs.push(name);
      if (failOnce !== undefined && !failOnce.failed) {
        failOnce.failed = true;
        throw new Error(`${name} fell over`);
      }
      const doc = input as Doc;
      return { text: `${doc.text}>${name}`, notes: [...doc.notes, `${name} was here`] };
    },
    { usage: () => usageOf('m', 10, 1) },
  );
}

describe('pipeline', () => {
  it("passes each stage's output to the next and checkpoints after every stage", async () => {
    sys = createSystem();
    const store = memoryStore();
    const runs: string[] = [];
    const stages = ['a', 'b', 'c'].map((name) => ({ name, worker: stageWorker(name, runs) }));
    const result = await pipeline<Doc>(sys, { runId: 'r1', stages, input: { text: 'in', notes: [] }, store });
    expect(result.output.text).toBe('in>a>b>c');
    expect(result.ran).toEqual(['a', 'b', 'c']);
    expect(result.usage.calls).toBe(3);
    expect(runs).toEqual(['a', 'b', 'c']);
    const saved = await store.get(pipelineKey('r1'));
    expect(saved?.value).toMatchObject({ next: 3, stages: ['a', 'b', 'c'] });
    expect(actors(sys)).toBe(0);
  });

  it('resumes after a crash at the failed stage and never runs a finished stage again', async () => {
    sys = createSystem();
    const store = memoryStore();
    const runs: string[] = [];
    const flaky = { failed: false };
    const stages = [
      { name: 'fetch', worker: stageWorker('fetch', runs) },
      { name: 'parse', worker: stageWorker('parse', runs) },
      { name: 'summarize', worker: stageWorker('summarize', runs, flaky) },
      { name: 'publish', worker: stageWorker('publish', runs) },
    ];
    const input = { text: 'doc', notes: [] };
    await expect(pipeline(sys, { runId: 'r2', stages, input, store })).rejects.toMatchObject({
      code: 'TROUPE_ERR_WORKER_FAILED',
      message: expect.stringContaining('stage summarize'),
    });
    expect(runs).toEqual(['fetch', 'parse', 'summarize']);

    const result = await pipeline<Doc>(sys, { runId: 'r2', stages, input, store });
    expect(runs).toEqual(['fetch', 'parse', 'summarize', 'summarize', 'publish']);
    expect(result.resumed).toEqual(['fetch', 'parse']);
    expect(result.ran).toEqual(['summarize', 'publish']);
    expect(result.output.text).toBe('doc>fetch>parse>summarize>publish');

    // A finished run returns its output and runs nothing.
    const again = await pipeline<Doc>(sys, { runId: 'r2', stages, input, store });
    expect(again.ran).toEqual([]);
    expect(again.output.text).toBe(result.output.text);
    expect(runs).toHaveLength(5);
    expect(actors(sys)).toBe(0);
  });

  it('resumes in a new system (a restarted process) from the same store', async () => {
    const store = memoryStore();
    const runs: string[] = [];
    const first = createSystem();
    const stages = (fail?: { failed: boolean }) => [
      { name: 'one', worker: stageWorker('one', runs) },
      { name: 'two', worker: stageWorker('two', runs, fail) },
    ];
    await expect(
      pipeline(first, { runId: 'r3', stages: stages({ failed: false }), input: { text: '', notes: [] }, store }),
    ).rejects.toThrow();
    await first.shutdown();
    sys = createSystem();
    await pipeline(sys, { runId: 'r3', stages: stages(), input: { text: '', notes: [] }, store });
    expect(runs).toEqual(['one', 'two', 'two']);
  });

  it('prunes the carried context between stages, and checkpoints the pruned context', async () => {
    sys = createSystem();
    const store = memoryStore();
    const runs: string[] = [];
    const stages = ['a', 'b', 'c'].map((name) => ({ name, worker: stageWorker(name, runs) }));
    const seenByPrune: string[] = [];
    const prune = (context: JsonValue, info: { after: string; next: string }) => {
      seenByPrune.push(`${info.after}->${info.next}`);
      const doc = context as Doc;
      return { text: doc.text, notes: doc.notes.slice(-1) };
    };
    const result = await pipeline<Doc>(sys, { runId: 'r4', stages, input: { text: 'x', notes: ['old', 'older'] }, store, prune });
    expect(seenByPrune).toEqual(['a->b', 'b->c']);
    expect(result.output.notes).toEqual(['b was here', 'c was here']);
  });

  it('refuses to resume with different stages, and rejects bad options', async () => {
    sys = createSystem();
    const store = memoryStore();
    const runs: string[] = [];
    await pipeline(sys, { runId: 'r5', stages: [{ name: 'a', worker: stageWorker('a', runs) }], input: { text: '', notes: [] }, store });
    await expect(
      pipeline(sys, { runId: 'r5', stages: [{ name: 'z', worker: stageWorker('z', runs) }], input: { text: '', notes: [] }, store }),
    ).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
    await expect(pipeline(sys, { runId: '', stages: [], input: null, store })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
    const dup = [
      { name: 'a', worker: stageWorker('a', runs) },
      { name: 'a', worker: stageWorker('a', runs) },
    ];
    await expect(pipeline(sys, { runId: 'r6', stages: dup, input: null, store })).rejects.toMatchObject({
      code: 'TROUPE_ERR_INVALID_OPTION',
    });
  });

  it('is aborted by its signal and leaves no actor', async () => {
    sys = createSystem();
    const store = memoryStore();
    const controller = new AbortController();
    const hang = taskWorker(() => {
      controller.abort();
      return new Promise(() => {});
    });
    await expect(
      pipeline(sys, { runId: 'r7', stages: [{ name: 'h', worker: hang }], input: null, store, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    expect(actors(sys)).toBe(0);
    expect(await store.get(pipelineKey('r7'))).toBeUndefined();
  });
  it("fences its checkpoints with a lease grant: once another holder took the lease, the stale run's next checkpoint is refused", async () => {
    sys = createSystem();
    const clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const mine = lease(store, 'coordinator', { holder: 'a', ttlMs: 1000 });
    await mine.acquire();
    const runs: string[] = [];
    const takeOver = taskWorker(async (input) => {
      runs.push('second');
      clock.advance(2000); // a's grant lapses while it is paused in stage 2…
      await lease(store, 'coordinator', { holder: 'b', ttlMs: 1000 }).acquire(); // …and b takes over
      return input;
    });
    const stages = [
      { name: 'first', worker: stageWorker('first', runs) },
      { name: 'second', worker: takeOver },
    ];
    const input = { text: 'x', notes: [] };
    const err = await pipeline(sys, { runId: 'fenced', stages, input, store, fence: mine.fence }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TROUPE_ERR_FENCED' });
    expect(runs).toEqual(['first', 'second']);
    expect((await store.get(pipelineKey('fenced')))?.value).toMatchObject({ next: 1 });
    expect(actors(sys)).toBe(0);
    await expect(pipeline(sys, { runId: 'f2', stages, input, store, fence: { lease: 'coordinator' } as never })).rejects.toMatchObject({
      code: 'TROUPE_ERR_INVALID_OPTION',
    });
  });
});
