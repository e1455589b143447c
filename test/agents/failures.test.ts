import { describe, expect, it } from 'vitest';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import type { Escalation } from '../../src/agents/escalation.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem, TroupeError } from '../../src/index.js';
import { cleanUpAfterEach, countingWorker, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

const ask = (ref: { ask<T>(e: object, o?: object): Promise<T> }) =>
  ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });

/** Fails its first `failures` runs, then answers. */
function flaky(name: string, failures: number, runs: { n: number }) {
  return defineWorker({
    name,
    description: `${name}, unreliable.`,
    async run({ input }) {
      runs.n++;
      if (runs.n <= failures) throw new Error(`crash ${runs.n}`);
      return { answer: `${name} did ${input.task}` };
    },
  });
}

describe('worker failures', () => {
  it('retries runtime failures up to maxRetries, then succeeds', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'build', arguments: { task: 'x' } }] }, 'done']);
    const runs = { n: 0 };
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky('build', 2, runs)],
      limits: { maxRetries: 2 },
    });
    await ask(track(createSystem()).spawn(lead));
    expect(runs.n).toBe(3);
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toBe(JSON.stringify({ answer: 'build did x' }));
  });

  it('times a call out after workerTimeoutMs, cancels it and retries', async () => {
    const { llm } = await model([{ toolCalls: [{ name: 'hang', arguments: { task: 'x' } }] }, 'done']);
    const aborted: string[] = [];
    let calls = 0;
    const hang = defineWorker({
      name: 'hang',
      description: 'hangs the first time',
      concurrency: 2,
      run: ({ signal, taskId }) =>
        new Promise((resolve) => {
          if (++calls > 1) return resolve('second try');
          signal.addEventListener('abort', () => aborted.push(taskId));
        }),
    });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [hang],
      limits: { workerTimeoutMs: 50, maxRetries: 1 },
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(calls).toBe(2);
    expect(aborted).toHaveLength(1);
    expect(run.decisions[0]!.results[0]!.ok).toBe(true);
  });

  it('retries on another ref when the worker has several', async () => {
    const { llm } = await model([{ toolCalls: [{ name: 'build', arguments: { task: 'x' } }] }, 'done']);
    const system = track(createSystem());
    const broken = { n: 0 };
    const good = { n: 0 };
    const a = system.spawn(flaky('build', 99, broken), { name: 'build-a' });
    const b = system.spawn(flaky('build', 0, good), { name: 'build-b' });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [[a, b]],
      limits: { maxRetries: 1 },
    });
    const run = await ask(system.spawn(lead));
    expect(broken.n).toBe(1);
    expect(good.n).toBe(1);
    expect(run.decisions[0]!.results[0]!.ok).toBe(true);
  });

  it("a call's retry goes to the next replica even when other calls took turns in between", async () => {
    const { llm } = await model([
      {
        toolCalls: [
          { id: 'x', name: 'build', arguments: { task: 'x' } },
          { id: 'y', name: 'build', arguments: { task: 'y' } },
        ],
      },
      'done',
    ]);
    const system = track(createSystem());
    const broken = { n: 0 };
    const good = { n: 0 };
    const a = system.spawn(flaky('build', 99, broken), { name: 'build-a' });
    const b = system.spawn(flaky('build', 0, good), { name: 'build-b' });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [[a, b]],
      limits: { maxRetries: 1 },
    });
    const run = await ask(system.spawn(lead));
    // x went to build-a and failed, y to build-b: x's retry goes to build-b, not round the counter to build-a
    expect(run.decisions[0]!.results.map((r) => r.ok)).toEqual([true, true]);
    expect(broken.n).toBe(1);
    expect(good.n).toBe(2);
  });

  it('reports a failure that outlived its retries to the model as an error result', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'build', arguments: { task: 'x' } }] }, 'could not build']);
    const runs = { n: 0 };
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky('build', 99, runs)],
      limits: { maxRetries: 1 },
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(runs.n).toBe(2);
    expect(JSON.parse(toolMessages(server.requests[1]!.body)[0]!.content)).toMatchObject({
      error: 'TROUPE_ERR_WORKER_FAILED',
      message: expect.stringMatching(/crash 2/),
    });
    expect(run.decisions[0]!.results[0]).toMatchObject({ ok: false, error: 'TROUPE_ERR_WORKER_FAILED' });
    expect(run.stopReason).toBe('done');
  });

  it("fails the run to its parent with onWorkerFailure: 'escalate' and no arbiter", async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'build', arguments: { task: 'x' } }] }, 'never asked']);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky('build', 99, { n: 0 })],
      limits: { maxRetries: 0 },
      onWorkerFailure: 'escalate',
    });
    const err = await ask(track(createSystem()).spawn(lead)).catch((e: unknown) => e);
    expect(TroupeError.is(err, 'TROUPE_ERR_ESCALATED')).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('lets the escalate hook reassign a failed call to another worker', async () => {
    const { server, llm } = await model([{ toolCalls: [{ id: 'b', name: 'build', arguments: { task: 'x' } }] }, 'done']);
    const counts = new Map<string, number>();
    const escalations: Escalation[] = [];
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky('build', 99, { n: 0 }), countingWorker('backup', counts)],
      limits: { maxRetries: 0 },
      onWorkerFailure: 'escalate',
      escalate: async (e) => {
        escalations.push(e);
        return { action: 'reassign', worker: 'backup' };
      },
    });
    await ask(track(createSystem()).spawn(lead));
    expect(escalations).toMatchObject([
      {
        callId: 'b',
        worker: 'build',
        input: { task: 'x' },
        attempts: 1,
        options: ['retry', 'reassign', 'abandon'],
        workers: ['build', 'backup'],
        error: { code: 'TROUPE_ERR_WORKER_FAILED' },
      },
    ]);
    expect(counts.get('backup')).toBe(1);
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toBe(JSON.stringify({ answer: 'backup: x' }));
  });

  it('lets the escalate hook retry, and abandon (the model is told)', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'build', arguments: { task: 'x' } }] }, 'done']);
    const runs = { n: 0 };
    const choices: ('retry' | 'abandon')[] = ['retry', 'abandon'];
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky('build', 99, runs)],
      limits: { maxRetries: 0 },
      onWorkerFailure: 'escalate',
      escalate: () => {
        const action = choices.shift()!;
        return action === 'retry' ? { action } : { action, reason: 'not worth it' };
      },
    });
    await ask(track(createSystem()).spawn(lead));
    expect(runs.n).toBe(2);
    expect(JSON.parse(toolMessages(server.requests[1]!.body)[0]!.content).message).toMatch(/abandoned by the arbiter: not worth it/);
  });

  it('an arbiter that does not answer in time abandons the call', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'build', arguments: { task: 'x' } }] }, 'done']);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky('build', 99, { n: 0 })],
      limits: { maxRetries: 0 },
      onWorkerFailure: 'escalate',
      escalate: () => new Promise(() => {}),
      escalateTimeoutMs: 20,
    });
    await ask(track(createSystem()).spawn(lead));
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toMatch(/no decision within 20 ms/);
  });
});
