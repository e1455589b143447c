import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { InspectionEvent } from '../../src/actors/inspection.js';
import { defineWorker } from '../../src/agents/worker.js';
import { type ActorSystem, createSystem, supervisor, TroupeError } from '../../src/index.js';
import { latch, until } from '../support/latch.js';
import { counterMachine } from '../support/machines.js';
import { SinkRef } from '../support/sink-ref.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

const echo = defineWorker({
  name: 'echo',
  description: 'Echoes its task.',
  output: z.object({ answer: z.string() }),
  async run({ input }) {
    return { answer: `echo: ${input.task}` };
  },
});

async function rejection(p: Promise<unknown>): Promise<TroupeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TroupeError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('defineWorker', () => {
  it('answers a task with its output and task id (no usage when it used no model)', async () => {
    system = createSystem();
    const ref = system.spawn(echo, { name: 'echo' });
    const reply = await ref.ask({ type: 'task', input: { task: 'hi' }, taskId: 't1' }, { timeoutMs: 2000 });
    expect(reply).toEqual({ type: 'result', output: { answer: 'echo: hi' }, taskId: 't1' });
  });

  it('carries the usage run reported', async () => {
    system = createSystem();
    const w = defineWorker({
      name: 'llmish',
      description: 'calls a model itself',
      async run({ reportUsage }) {
        reportUsage({ inputTokens: 3, outputTokens: 2, calls: 1, byModel: { m: { inputTokens: 3, outputTokens: 2, calls: 1 } } });
        return 'ok';
      },
    });
    const reply = await system.spawn(w).ask({ type: 'task', input: { task: 'x' } }, { timeoutMs: 2000 });
    expect(reply).toMatchObject({
      usage: { inputTokens: 3, outputTokens: 2, calls: 1, byModel: { m: { inputTokens: 3, outputTokens: 2, calls: 1 } } },
    });
  });

  it('rejects invalid input with TROUPE_ERR_INVALID_INPUT without running', async () => {
    system = createSystem();
    let runs = 0;
    const w = defineWorker({
      name: 'w',
      description: 'counts',
      input: z.object({ n: z.number() }),
      async run() {
        runs++;
        return 1;
      },
    });
    const ref = system.spawn(w);
    const err = await rejection(ref.ask({ type: 'task', input: { n: 'x' } }, { timeoutMs: 2000 }));
    expect(err.code).toBe('TROUPE_ERR_INVALID_INPUT');
    expect(err.message).toMatch(/invalid input/);
    expect(runs).toBe(0);
  });

  it('rejects a throwing run with TROUPE_ERR_WORKER_FAILED and keeps serving', async () => {
    system = createSystem();
    const w = defineWorker({
      name: 'flaky',
      description: 'fails on "boom"',
      async run({ input }) {
        if (input.task === 'boom') throw new Error('kaboom');
        return 'ok';
      },
    });
    const ref = system.spawn(w);
    const err = await rejection(ref.ask({ type: 'task', input: { task: 'boom' } }, { timeoutMs: 2000 }));
    expect(err.code).toBe('TROUPE_ERR_WORKER_FAILED');
    expect(err.message).toMatch(/kaboom/);
    expect(await ref.ask({ type: 'task', input: { task: 'fine' } }, { timeoutMs: 2000 })).toMatchObject({ output: 'ok' });
  });

  it('validates the output before it leaves (TROUPE_ERR_INVALID_OUTPUT)', async () => {
    system = createSystem();
    // the output type is loose, so run can break the schema the worker checks
    const w = defineWorker<{ task: string }, unknown>({
      name: 'liar',
      description: 'returns the wrong shape',
      output: z.object({ answer: z.string() }),
      run: async () => ({ answer: 42 }),
    });
    const err = await rejection(system.spawn(w).ask({ type: 'task', input: { task: 'x' } }, { timeoutMs: 2000 }));
    expect(err.code).toBe('TROUPE_ERR_INVALID_OUTPUT');
  });

  it('describes itself with plain JSON Schemas', async () => {
    system = createSystem();
    const d = await system.spawn(echo).ask({ type: 'describe' }, { timeoutMs: 2000 });
    expect(d).toEqual({
      type: 'descriptor',
      name: 'echo',
      description: 'Echoes its task.',
      inputSchema: {
        type: 'object',
        properties: { task: { type: 'string', description: 'The sub-task to assign to this worker.' } },
        required: ['task'],
      },
      outputSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false },
    });
  });

  it('refuses a non-object input schema and bad names at definition', () => {
    expect(() => defineWorker({ name: 'x', description: 'd', input: z.string(), run: async () => 1 })).toThrow(/z.object/);
    expect(() => defineWorker({ name: 'has space', description: 'd', run: async () => 1 })).toThrow(/name/);
    expect(() => defineWorker({ name: 'x', description: '', run: async () => 1 })).toThrow(/description/);
    expect(() => defineWorker({ name: 'x', description: 'd', concurrency: 0, run: async () => 1 })).toThrow(/concurrency/);
  });

  it('streams progress chunks from an async generator, then the result', async () => {
    system = createSystem();
    const w = defineWorker({
      name: 'steps',
      description: 'reports steps',
      async *run({ input }) {
        yield { step: 'reading' };
        yield { step: 'writing' };
        return `done ${input.task}`;
      },
    });
    const chunks: unknown[] = [];
    for await (const c of system.spawn(w).stream({ type: 'task', input: { task: 'a' }, taskId: 's1' })) chunks.push(c);
    expect(chunks).toEqual([
      { type: 'progress', taskId: 's1', step: 'reading' },
      { type: 'progress', taskId: 's1', step: 'writing' },
      { type: 'result', output: 'done a', taskId: 's1' },
    ]);
  });

  it('streams progress() calls of an async run', async () => {
    system = createSystem();
    const w = defineWorker({
      name: 'p',
      description: 'reports',
      async run({ progress }) {
        progress({ pct: 50 });
        return 1;
      },
    });
    const chunks: unknown[] = [];
    for await (const c of system.spawn(w).stream({ type: 'task', input: { task: 'a' } })) chunks.push(c);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toMatchObject({ type: 'progress', pct: 50 });
    expect(chunks[1]).toMatchObject({ type: 'result', output: 1 });
  });

  it('runs one task at a time by default; the rest wait in order', async () => {
    system = createSystem();
    const order: string[] = [];
    const w = defineWorker({
      name: 'serial',
      description: 'one at a time',
      async run({ input }) {
        order.push(`start ${input.task}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${input.task}`);
        return input.task;
      },
    });
    const ref = system.spawn(w);
    await Promise.all(['a', 'b', 'c'].map((task) => ref.ask({ type: 'task', input: { task } }, { timeoutMs: 2000 })));
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs up to `concurrency` tasks at once', async () => {
    system = createSystem();
    const order: string[] = [];
    const w = defineWorker({
      name: 'par',
      description: 'two at a time',
      concurrency: 2,
      async run({ input }) {
        order.push(`start ${input.task}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${input.task}`);
        return input.task;
      },
    });
    const ref = system.spawn(w);
    await Promise.all(['a', 'b', 'c'].map((task) => ref.ask({ type: 'task', input: { task } }, { timeoutMs: 2000 })));
    expect(order.slice(0, 2)).toEqual(['start a', 'start b']);
    expect(order.indexOf('start c')).toBeGreaterThan(order.indexOf('end a'));
  });

  it('cancel aborts the running task signal and rejects its ask with TROUPE_ERR_CANCELLED', async () => {
    system = createSystem();
    const started = latch();
    let aborted = false;
    const w = defineWorker({
      name: 'slow',
      description: 'waits for abort',
      run: ({ signal }) =>
        new Promise((_resolve, reject) => {
          started.unlock();
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
    });
    const ref = system.spawn(w);
    const pending = ref.ask({ type: 'task', input: { task: 'x' }, taskId: 'c1' }, { timeoutMs: 2000 });
    await started.wait;
    ref.send({ type: 'cancel', taskId: 'c1' });
    expect((await rejection(pending)).code).toBe('TROUPE_ERR_CANCELLED');
    expect(aborted).toBe(true);
  });

  it('a caller leaving a stream early cancels its task', async () => {
    system = createSystem();
    const aborted = latch();
    const w = defineWorker({
      name: 'long',
      description: 'yields until aborted',
      async *run({ signal }) {
        signal.addEventListener('abort', () => aborted.unlock());
        yield { step: 1 };
        await new Promise((r) => signal.addEventListener('abort', r));
        return 'never';
      },
    });
    for await (const _c of system.spawn(w).stream({ type: 'task', input: { task: 'x' } })) break;
    await aborted.wait;
  });

  it('a cancelled generator that ignores its signal is driven no further, and its finally runs', async () => {
    system = createSystem();
    const finalized = latch();
    let yields = 0;
    const w = defineWorker({
      name: 'deaf',
      description: 'yields forever, ignoring its signal',
      async *run() {
        try {
          for (;;) {
            yields++;
            yield { step: yields };
            await new Promise((r) => setImmediate(r));
          }
        } finally {
          finalized.unlock();
        }
      },
    });
    for await (const _c of system.spawn(w).stream({ type: 'task', input: { task: 'x' } })) break;
    await finalized.wait;
    const atEnd = yields;
    await new Promise((r) => setTimeout(r, 20));
    expect(yields).toBe(atEnd);
  });

  it('two callers picking the same task id: concurrency still holds, each task answers its own asker', async () => {
    system = createSystem();
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const started = latch(2);
    const w = defineWorker({
      name: 'pair',
      description: 'two at a time',
      concurrency: 2,
      run: async ({ input }) => {
        running++;
        most = Math.max(most, running);
        started.unlock();
        await new Promise<void>((r) => gates.push(r));
        running--;
        return { answer: input.task };
      },
    });
    const ref = system.spawn(w);
    const task = (task: string, taskId: string) =>
      ref.ask<{ output: { answer: string } }>({ type: 'task', input: { task }, taskId }, { timeoutMs: 5000 });
    const a = task('a', 'same');
    const b = task('b', 'same');
    await started.wait;
    const c = task('c', 'other');
    // c must wait for a free slot: release one task at a time
    for (let i = 0; i < 3; i++) {
      await until(() => gates.length > 0);
      gates.shift()!();
    }
    expect((await Promise.all([a, b, c])).map((r) => r.output.answer)).toEqual(['a', 'b', 'c']);
    expect(most).toBe(2);
  });

  it('tasks told with one long-lived replyTo: the first to end keeps the watch for the rest; its exit cancels them all', async () => {
    system = createSystem();
    const aborted: string[] = [];
    const started = latch(3);
    const w = defineWorker({
      name: 'many',
      description: 'quick ends at once, the others wait for their signal',
      concurrency: 3,
      run: ({ input, signal }) =>
        new Promise((resolve) => {
          started.unlock();
          if (input.task === 'quick') resolve({ answer: 'quick' });
          else signal.addEventListener('abort', () => aborted.push(input.task));
        }),
    });
    let done = 0;
    system.inspect((e) => {
      if (e.type === '@troupe.pattern' && e.step === 'task-done') done++;
    });
    const ref = system.spawn(w);
    const inbox = system.spawn(counterMachine);
    for (const task of ['quick', 'slow-1', 'slow-2']) ref.send({ type: 'task', input: { task }, replyTo: inbox });
    await started.wait;
    // the quick task's end drops its hold on the watch, not the watch the slow ones need
    await until(() => done === 1);
    await system.stop(inbox);
    await until(() => aborted.length === 2);
    expect(aborted.sort()).toEqual(['slow-1', 'slow-2']);
  });

  it('a gigantic error message from run is cut before the reply leaves the worker (it may cross the wire)', async () => {
    system = createSystem();
    const loud = defineWorker({
      name: 'loud',
      description: 'throws a novel',
      run: async () => {
        throw new Error('x'.repeat(2_000_000));
      },
    });
    // a sink that lives on (the default answers a watch with noproc at once)
    const sink = new (class extends SinkRef {
      override _watch(): void {}
    })();
    system.spawn(loud).send({ type: 'task', input: { task: 'x' }, replyTo: sink });
    await until(() => sink.sent.length > 0);
    expect(sink.sent[0]).toMatchObject({ type: 'troupe.error', code: 'TROUPE_ERR_WORKER_FAILED' });
    expect((sink.sent[0]!.error as { message: string }).message.length).toBeLessThan(11_000);
  });

  it('stopping the worker aborts running tasks', async () => {
    system = createSystem();
    const started = latch();
    const aborted = latch();
    const w = defineWorker({
      name: 'stoppable',
      description: 'waits',
      run: ({ signal }) =>
        new Promise(() => {
          started.unlock();
          signal.addEventListener('abort', () => aborted.unlock());
        }),
    });
    const ref = system.spawn(w);
    const pending = ref.ask({ type: 'task', input: { task: 'x' } }, { timeoutMs: 2000 }).catch((e) => e);
    await started.wait;
    await system.stop(ref);
    await aborted.wait;
    expect(await pending).toBeInstanceOf(TroupeError);
  });

  it('refuses a task deeper than the maxDepth it carries (TROUPE_ERR_MAX_DEPTH)', async () => {
    system = createSystem();
    const err = await rejection(system.spawn(echo).ask({ type: 'task', input: { task: 'x' }, depth: 3, maxDepth: 2 }, { timeoutMs: 2000 }));
    expect(err.code).toBe('TROUPE_ERR_MAX_DEPTH');
  });

  it('answers an unknown asked event with TROUPE_ERR_INVALID_INPUT', async () => {
    system = createSystem();
    expect((await rejection(system.spawn(echo).ask({ type: 'what' }, { timeoutMs: 2000 }))).code).toBe('TROUPE_ERR_INVALID_INPUT');
  });

  it('is an idle → working → idle machine in inspection', async () => {
    system = createSystem();
    const states: unknown[] = [];
    system.inspect((e: InspectionEvent) => {
      if (e.type === '@troupe.state') states.push(e.value);
    });
    const ref = system.spawn(echo, { name: 'e' });
    await ref.ask({ type: 'task', input: { task: 'x' } }, { timeoutMs: 2000 });
    await until(() => states.at(-1) === 'idle');
    expect(states).toEqual(['idle', 'working', 'idle']);
  });

  it('runs as a supervised child and is restarted with a fresh machine', async () => {
    system = createSystem();
    const sup = system.spawn(supervisor({ strategy: 'one-for-one', children: [{ id: 'echo', logic: echo }] }), { name: 'app' });
    const child = system.ref(`${sup.address}/echo`);
    expect(await child.ask({ type: 'task', input: { task: 'sup' } }, { timeoutMs: 2000 })).toMatchObject({
      output: { answer: 'echo: sup' },
    });
  });

  it('reports each task as @troupe.pattern steps', async () => {
    system = createSystem();
    const steps: string[] = [];
    system.inspect((e: InspectionEvent) => {
      if (e.type === '@troupe.pattern' && e.pattern === 'worker') steps.push(`${e.step} ${e.taskId}`);
    });
    const ref = system.spawn(echo, { name: 'e' });
    await ref.ask({ type: 'task', input: { task: 'x' }, taskId: 'p1' }, { timeoutMs: 2000 });
    await ref.ask({ type: 'task', input: { task: 3 }, taskId: 'p2' }, { timeoutMs: 2000 }).catch(() => {});
    expect(steps).toEqual(['task-start p1', 'task-done p1']);
  });

  it('cancels every task of a caller that exits (one watch per caller)', async () => {
    system = createSystem();
    const started = latch(2);
    const aborted = latch(2);
    const w = defineWorker({
      name: 'served',
      description: 'runs until cancelled',
      concurrency: 2,
      run: ({ signal }) =>
        new Promise(() => {
          started.unlock();
          signal.addEventListener('abort', () => aborted.unlock());
        }),
    });
    const ref = system.spawn(w);
    const caller = system.spawn(echo, { name: 'caller' });
    ref.send({ type: 'task', input: { task: 'a' }, caller });
    ref.send({ type: 'task', input: { task: 'b' }, caller });
    await started.wait;
    await system.stop(caller);
    await aborted.wait;
  });
});
