import { afterEach, describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { type ActorSystem, createSystem, type ReplyTo } from '../../src/index.js';
import { type WorkTask, workQueue } from '../../src/patterns/work-queue.js';
import { lease } from '../../src/store/lease.js';
import { memoryStore } from '../../src/store/memory.js';
import { SimulatedClock } from '../../src/util/clock.js';
import { actors, deferred, doubler, eventually, taskWorker } from './helpers.js';

const systems: ActorSystem[] = [];
function system(options: Parameters<typeof createSystem>[0] = {}): ActorSystem {
  const s = createSystem({ onUnhandledExit: () => {}, ...options } as Parameters<typeof createSystem>[0]);
  systems.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.shutdown()));
});

const tasksOf = (n: number, input = (i: number) => i): WorkTask<number>[] =>
  Array.from({ length: n }, (_, i) => ({ id: `t${i}`, input: input(i) }));
const fast = { minMs: 1, maxMs: 5, jitter: 0 };

describe('workQueue', () => {
  it('runs every task once and resolves with the outputs by id', async () => {
    const sys = system();
    const q = workQueue<number, number>(sys, { workers: [{ worker: doubler, count: 3 }], tasks: tasksOf(50) });
    const results = await q.done;
    expect(results.size).toBe(50);
    expect(results.get('t7')).toBe(14);
    expect(q.stats()).toEqual({ queued: 0, running: 0, done: 50, failed: 0, retries: 0 });
    expect(actors(sys)).toBe(0);
  });

  it('is pull-based: a slow worker never holds a backlog', async () => {
    const sys = system();
    const counts = { slow: 0, fast: 0 };
    const slow = sys.spawn(
      taskWorker(async (n) => {
        counts.slow++;
        // holds its first task until the fast worker has done every other one
        await eventually(() => counts.fast >= 39, 10_000);
        return n;
      }),
    );
    const quick = sys.spawn(
      taskWorker(async (n) => {
        counts.fast++;
        await new Promise((r) => setTimeout(r, 1));
        return n;
      }),
    );
    const q = workQueue(sys, { workers: [slow, quick], tasks: tasksOf(40) });
    await q.done;
    expect(counts.slow + counts.fast).toBe(40);
    expect(counts.slow).toBe(1);
    // the refs it was given are still there
    expect(actors(sys)).toBe(2);
  });

  it('runs higher priorities first, FIFO within one priority', async () => {
    const sys = system();
    const order: string[] = [];
    const worker = taskWorker((input) => {
      order.push(input as string);
      return input;
    });
    const tasks = [
      { id: 'a', input: 'low-1', priority: 0 },
      { id: 'b', input: 'high-1', priority: 5 },
      { id: 'c', input: 'low-2' },
      { id: 'd', input: 'mid-1', priority: 1 },
      { id: 'e', input: 'high-2', priority: 5 },
    ];
    await workQueue(sys, { workers: [worker], tasks }).done;
    expect(order).toEqual(['high-1', 'high-2', 'mid-1', 'low-1', 'low-2']);
  });

  it('retries a failing task with backoff up to maxAttempts, then records the failure', async () => {
    const sys = system();
    const tries = new Map<string, number>();
    const worker = taskWorker((input) => {
      const key = input as string;
      tries.set(key, (tries.get(key) ?? 0) + 1);
      if (key === 'never') throw new Error('always fails');
      if (key === 'twice' && (tries.get(key) ?? 0) <= 2) throw new Error('flaky');
      return key;
    });
    const q = workQueue(sys, {
      workers: [worker],
      tasks: [
        { id: 'n', input: 'never' },
        { id: 't', input: 'twice' },
        { id: 'o', input: 'ok' },
      ],
      maxAttempts: 3,
      backoff: fast,
    });
    const results = await q.done;
    expect([...results.keys()].sort()).toEqual(['o', 't']);
    expect(tries.get('never')).toBe(3);
    expect(tries.get('twice')).toBe(3);
    expect(q.failures().get('n')).toMatchObject({ code: 'TROUPE_ERR_WORKER_FAILED' });
    expect(q.stats()).toMatchObject({ done: 2, failed: 1, retries: 4 });
  });

  it('re-queues a task that timed out, on a fresh worker', async () => {
    const sys = system();
    let first = true;
    const worker = taskWorker((input) => {
      if (input === 'stuck' && first) {
        first = false;
        return new Promise(() => {});
      }
      return input;
    });
    const q = workQueue(sys, { workers: [worker], tasks: [{ id: 's', input: 'stuck' }], taskTimeoutMs: 250, backoff: fast });
    expect((await q.done).get('s')).toBe('stuck');
    expect(q.stats().retries).toBeGreaterThanOrEqual(1);
    expect(actors(sys)).toBe(0);
  });

  it('re-queues the task of a crashed worker and replaces the worker', async () => {
    const sys = system();
    let crashes = 0;
    const worker = taskWorker((input) => input, {
      crash: (input) => input === 'boom' && crashes++ === 0,
    });
    const q = workQueue<unknown>(sys, {
      workers: [{ worker, count: 2 }],
      tasks: [...tasksOf(10), { id: 'b', input: 'boom' }],
      backoff: fast,
    });
    const results = await q.done;
    expect(results.size).toBe(11);
    expect(results.get('b')).toBe('boom');
    expect(crashes).toBe(2);
  });

  it('fails a poison task that crashes every worker after maxAttempts, without retiring the slot or sinking the queue', async () => {
    const sys = system();
    const worker = taskWorker((input) => input, { crash: (input) => typeof input === 'string' && input.startsWith('poison') });
    const q = workQueue<unknown>(sys, {
      workers: [worker],
      tasks: [{ id: 'p1', input: 'poison 1' }, { id: 'p2', input: 'poison 2' }, ...tasksOf(3)],
      maxAttempts: 6,
      backoff: fast,
    });
    const results = await q.done;
    expect([...results.keys()].sort()).toEqual(['t0', 't1', 't2']);
    expect([...q.failures().keys()].sort()).toEqual(['p1', 'p2']);
    expect(q.stats()).toMatchObject({ done: 3, failed: 2 });
  });

  it('treats TROUPE_ERR_NO_ACTOR relayed by a live local worker as that task failing, not as the worker gone', async () => {
    const sys = system();
    // A worker whose own callee is gone for one input: it answers that task with NO_ACTOR, and lives on.
    const relay = sys.spawn(
      fromCallback<{ type: string; input?: unknown; taskId?: string; replyTo?: ReplyTo }>(({ receive }) => {
        receive((e) => {
          if (e.type !== 'task' || e.replyTo === undefined) return;
          if (e.input === 'lost') {
            e.replyTo.send({ type: 'troupe.error', code: 'TROUPE_ERR_NO_ACTOR', error: { name: 'Error', message: 'my callee is gone' } });
          } else e.replyTo.send({ type: 'result', output: e.input, taskId: e.taskId });
        });
      }),
    );
    const q = workQueue<unknown>(sys, {
      workers: [relay],
      tasks: [{ id: 'x', input: 'lost' }, ...tasksOf(3)],
      maxAttempts: 2,
      backoff: fast,
    });
    const results = await q.done;
    expect([...results.keys()].sort()).toEqual(['t0', 't1', 't2']);
    expect(q.failures().get('x')?.code).toBe('TROUPE_ERR_NO_ACTOR');
  });

  it('accepts tasks while running, ignores known ids, and refuses tasks once done', async () => {
    const sys = system();
    const gate = deferred();
    const worker = taskWorker(async (input) => {
      if (input === 0) await gate.promise;
      return input;
    });
    const q = workQueue(sys, { workers: [worker], tasks: tasksOf(1) });
    await eventually(() => q.stats().running === 1);
    q.add({ id: 'late', input: 42, priority: 3 });
    q.add({ id: 't0', input: 99 });
    expect(q.stats()).toMatchObject({ queued: 1, running: 1 });
    gate.resolve();
    const results = await q.done;
    expect(results).toEqual(
      new Map<string, number>([
        ['t0', 0],
        ['late', 42],
      ]),
    );
    expect(() => q.add({ id: 'later', input: 1 })).toThrow(/finished/);
  });

  it('scales to thousands of tasks over several workers', async () => {
    const sys = system();
    const q = workQueue<number, number>(sys, { workers: [{ worker: doubler, count: 8 }], tasks: tasksOf(5000) });
    const results = await q.done;
    expect(results.size).toBe(5000);
    expect(results.get('t4999')).toBe(9998);
  });

  it('checkpoints every task and resumes a run by runId without losing or redoing a finished task', async () => {
    const store = memoryStore();
    const ran: number[] = [];
    const first = system();
    const controller = new AbortController();
    const worker = taskWorker(async (n) => {
      ran.push(n as number);
      if (ran.length === 10) controller.abort();
      return (n as number) + 1;
    });
    const q1 = workQueue<number, number>(first, {
      workers: [worker],
      tasks: tasksOf(30),
      store,
      runId: 'job-1',
      signal: controller.signal,
    });
    await expect(q1.done).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    const doneBefore = q1.stats().done;
    expect(doneBefore).toBeGreaterThanOrEqual(9);
    await first.shutdown();

    const second = system();
    const before = ran.length;
    const q2 = workQueue<number, number>(second, { workers: [worker], tasks: tasksOf(30), store, runId: 'job-1' });
    const results = await q2.done;
    expect(results.size).toBe(30);
    for (let i = 0; i < 30; i++) expect(results.get(`t${i}`)).toBe(i + 1);
    // Only the unfinished ones ran again (the one in flight at the abort may run twice: at-least-once).
    expect(ran.length - before).toBeLessThanOrEqual(30 - doneBefore);
    expect(new Set(ran).size).toBe(30);
  });

  it('re-queues tasks of a worker whose node went down onto the remaining workers', async () => {
    const slowish = taskWorker(async (n) => {
      await new Promise((r) => setTimeout(r, 5));
      return n;
    });
    const beta = system({
      node: 'beta',
      listen: { port: 0 },
      secret: 's',
      logic: { w: slowish },
      heartbeat: { intervalMs: 50, maxMissed: 2 },
    });
    await beta.ready;
    const alpha = system({ node: 'alpha', secret: 's', heartbeat: { intervalMs: 50, maxMissed: 2 }, reconnect: { maxAttempts: 1 } });
    await alpha.connect(`ws://127.0.0.1:${beta.listenAddress?.port}`);
    const remote = await alpha.spawnOn('beta', 'w');
    const local = alpha.spawn(slowish);
    const q = workQueue<number, number>(alpha, { workers: [remote, local], tasks: tasksOf(60), taskTimeoutMs: 2000, backoff: fast });
    await eventually(() => q.stats().done >= 5);
    await beta.shutdown();
    const results = await q.done;
    expect(results.size).toBe(60);
    expect(q.failures().size).toBe(0);
  });

  it('rejects with TROUPE_ERR_NO_ACTOR when every worker is gone', async () => {
    const sys = system();
    const w = sys.spawn(doubler);
    await sys.stop(w);
    const q = workQueue(sys, { workers: [w], tasks: tasksOf(3) });
    await expect(q.done).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
  });

  it('rejects bad options at once', () => {
    const sys = system();
    expect(() => workQueue(sys, { workers: [] })).toThrow(/workers/);
    expect(() => workQueue(sys, { workers: [doubler], tasks: [{ id: '', input: 1 }] })).toThrow(/id/);
    expect(() => workQueue(sys, { workers: [doubler], maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => workQueue(sys, { workers: [doubler], store: memoryStore() })).toThrow(/runId/);
  });
});

describe('workQueue with a store: untrusted input and output', () => {
  it('refuses, at once, a store that is not a Store and a task whose input cannot be checkpointed', async () => {
    const sys = system();
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return 'accepted';
    };
    expect(bad(() => workQueue(sys, { workers: [doubler], store: {} as never, runId: 'r' }))).toBe('TROUPE_ERR_INVALID_OPTION');
    const store = memoryStore();
    const big = { id: 'big', input: 10n as unknown as number };
    expect(bad(() => workQueue(sys, { workers: [doubler], store, runId: 'r', tasks: [big] }))).toBe('TROUPE_ERR_INVALID_OPTION');
    const q = workQueue(sys, { workers: [doubler], store, runId: 'r2', tasks: tasksOf(2) });
    expect(bad(() => q.add({ id: 'nan', input: Number.NaN }))).toBe('TROUPE_ERR_INVALID_OPTION');
    // Ids and runIds that cannot name a store key are refused at once too, not when the checkpoint is written.
    expect(bad(() => q.add({ id: 'x'.repeat(1100), input: 1 }))).toBe('TROUPE_ERR_INVALID_OPTION');
    expect(bad(() => q.add({ id: 'nul\u0000', input: 1 }))).toBe('TROUPE_ERR_INVALID_OPTION');
    expect(bad(() => workQueue(sys, { workers: [doubler], store, runId: 'r'.repeat(1100) }))).toBe('TROUPE_ERR_INVALID_OPTION');
    expect(await q.done).toEqual(
      new Map([
        ['t0', 0],
        ['t1', 2],
      ]),
    );
  });

  it('fails only the task whose worker output cannot be checkpointed, not the queue', async () => {
    const sys = system();
    const store = memoryStore();
    const worker = taskWorker((n) => (n === 1 ? { when: new Date(0) } : n));
    const q = workQueue(sys, { workers: [{ worker, count: 2 }], store, runId: 'out', tasks: tasksOf(4), maxAttempts: 2, backoff: fast });
    const results = await q.done;
    expect([...results.keys()].sort()).toEqual(['t0', 't2', 't3']);
    expect(q.failures().get('t1')?.code).toBe('TROUPE_ERR_INVALID_OUTPUT');
    expect((await store.get('work-queue/out/t1'))?.value).toMatchObject({ state: 'failed' });
  });
});

describe('workQueue with a fence', () => {
  it('fails with TROUPE_ERR_FENCED once another holder took the lease its checkpoints are fenced with', async () => {
    const sys = system();
    const clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const mine = lease(store, 'queue', { holder: 'a', ttlMs: 1000 });
    await mine.acquire();
    const worker = taskWorker(async (n) => {
      if (n === 2) {
        clock.advance(2000);
        await lease(store, 'queue', { holder: 'b', ttlMs: 1000 }).acquire();
      }
      return n;
    });
    const q = workQueue(sys, { workers: [worker], tasks: tasksOf(5), store, runId: 'fenced', fence: mine.fence });
    await expect(q.done).rejects.toMatchObject({ code: 'TROUPE_ERR_FENCED' });
    const saved = await store.list('work-queue/fenced/');
    expect(saved.filter((e) => (e.value as { state: string }).state === 'done').length).toBeLessThan(5);
    await eventually(() => actors(sys) === 0, 2000, 'no actor left');
    expect(() => workQueue(sys, { workers: [worker], store, runId: 'x', fence: { token: 1 } as never })).toThrow(/fence/);
  });
});

describe('workQueue prefetch', () => {
  it('keeps at most `prefetch` tasks in flight per slot, also after a worker was replaced', async () => {
    const sys = system();
    let inFlight = 0;
    let most = 0;
    let hung = false;
    const worker = taskWorker(async (n, signal) => {
      if (n === 3 && !hung) {
        // hangs until cancelled (its worker may be stopped first: it is not counted)
        hung = true;
        return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled'))));
      }
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return n;
    });
    const q = workQueue(sys, { workers: [{ worker, count: 2 }], prefetch: 2, tasks: tasksOf(30), taskTimeoutMs: 300, backoff: fast });
    expect((await q.done).size).toBe(30);
    expect(most).toBeLessThanOrEqual(4);
    expect(q.stats().retries).toBeGreaterThanOrEqual(1);
  });
});
