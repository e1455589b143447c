/**
 * Every pattern, finished, failed or aborted, leaves the system as it found it: no actor, no
 * pending ask or temporary, no timer on the system's clock, and no listener on the caller's signal.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { council } from '../../src/patterns/council.js';
import { delegate } from '../../src/patterns/delegate.js';
import { fanOut } from '../../src/patterns/fan-out.js';
import { mapReduce } from '../../src/patterns/map-reduce.js';
import { pipeline } from '../../src/patterns/pipeline.js';
import { vote } from '../../src/patterns/vote.js';
import { workQueue } from '../../src/patterns/work-queue.js';
import { memoryStore } from '../../src/store/memory.js';
import { SimulatedClock } from '../../src/util/clock.js';
import { eventually, taskWorker } from './helpers.js';

let sys: ActorSystem | undefined;
afterEach(async () => {
  await sys?.shutdown();
  sys = undefined;
});

type Mode = 'finish' | 'fail' | 'abort';

/** A worker that answers, fails, or hangs until cancelled, by mode; `started` counts tasks begun. */
function workerFor(mode: Mode, started: { n: number }) {
  return taskWorker(async (input, signal) => {
    started.n++;
    if (mode === 'fail') throw new Error('no');
    if (mode === 'abort') await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled'))));
    return input ?? null;
  });
}

const patterns: Record<string, (s: ActorSystem, w: ReturnType<typeof workerFor>, signal: AbortSignal) => Promise<unknown>> = {
  fanOut: (s, w, signal) => fanOut(s, { worker: w, items: [1, 2, 3], signal }),
  mapReduce: (s, w, signal) => mapReduce(s, { items: [1, 2], map: w, reduce: w, signal }),
  delegate: (s, w, signal) =>
    delegate(s, {
      task: 2,
      isAtomic: (t) => t === 1,
      decompose: () => [1, 1],
      execute: w,
      combine: (r) => r,
      maxDepth: 2,
      signal,
    }),
  pipeline: (s, w, signal) => pipeline(s, { runId: 'leak', stages: [{ name: 'a', worker: w }], input: 1, store: memoryStore(), signal }),
  workQueue: (s, w, signal) =>
    workQueue(s, { workers: [{ worker: w, count: 2 }], tasks: [{ id: 'a', input: 1 }], maxAttempts: 1, signal }).done,
  council: (s, w, signal) => council(s, { members: [w, w], chair: w, question: 'q', signal }),
};

describe('patterns leave nothing behind', () => {
  for (const [name, run] of Object.entries(patterns)) {
    for (const mode of ['finish', 'fail', 'abort'] as const) {
      it(`${name}, ${mode === 'finish' ? 'finished' : mode === 'fail' ? 'failed' : 'aborted'}`, async () => {
        const clock = new SimulatedClock();
        const system = createSystem({ clock, onUnhandledExit: () => {} } as Parameters<typeof createSystem>[0]);
        sys = system;
        const before = system.stats();
        const controller = new AbortController();
        const started = { n: 0 };
        const running = run(system, workerFor(mode, started), controller.signal).then(
          () => 'resolved',
          (err: { code?: string }) => err.code ?? 'error',
        );
        if (mode === 'abort') {
          await eventually(() => started.n > 0, 2000, 'a task started');
          controller.abort();
        }
        const outcome = await running;
        if (mode === 'abort') expect(outcome).toBe('TROUPE_ERR_ABORTED');
        await eventually(() => system.stats().actors === before.actors, 2000, 'actors back to baseline');
        const after = system.stats();
        expect({ pendingAsks: after.pendingAsks, temporaries: after.temporaries }).toEqual({
          pendingAsks: before.pendingAsks,
          temporaries: before.temporaries,
        });
        expect(clock.pending).toBe(0);
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      });
    }
  }

  it('workQueue aborted while a task waits out its retry backoff: the backoff timer is cleared', async () => {
    const clock = new SimulatedClock();
    const system = createSystem({ clock, onUnhandledExit: () => {} } as Parameters<typeof createSystem>[0]);
    sys = system;
    const controller = new AbortController();
    const started = { n: 0 };
    const q = workQueue(system, {
      workers: [workerFor('fail', started)],
      tasks: [{ id: 'a', input: 1 }],
      maxAttempts: 5,
      backoff: { minMs: 60_000, maxMs: 60_000, jitter: 0 },
      signal: controller.signal,
    });
    await eventually(() => q.stats().retries === 1 && clock.pending === 1, 2000, 'a retry waiting');
    controller.abort();
    await expect(q.done).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    expect(clock.pending).toBe(0);
    await eventually(() => system.stats().actors === 0, 2000, 'no actor left');
  });

  it('vote, decided, undecided, timed out or aborted, keeps no listener on the caller signal', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    await vote({ sample: async () => 'a', k: 2, signal });
    await vote({ sample: async () => 'a', k: 2, signal, redFlag: () => true }).catch(() => {});
    await vote({ sample: () => new Promise(() => {}), k: 1, signal, timeoutMs: 5 }).catch(() => {});
    const pending = vote({ sample: () => new Promise(() => {}), k: 1, signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
