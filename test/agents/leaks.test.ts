/** After a run finishes, fails or is cancelled, nothing it started is left: no ask, no temporary, no extra actor. */
import { describe, expect, it } from 'vitest';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem, SimulatedClock } from '../../src/index.js';
import { latch, until } from '../support/latch.js';
import { cleanUpAfterEach, countingWorker, model, track } from './support.js';

cleanUpAfterEach();

const calls = (n: number, name: string) => ({
  toolCalls: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, name, arguments: { task: String(i) } })),
});

describe('a run leaves nothing behind', () => {
  it('after it finishes, after it fails and after it is cancelled', async () => {
    const started = latch();
    const waiting = defineWorker({
      name: 'waiting',
      description: 'Waits for its signal.',
      run: ({ signal }) =>
        new Promise((_resolve, reject) => {
          started.unlock();
          const t = setTimeout(() => reject(new Error('never cancelled')), 5000);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          });
        }),
    });
    const { llm } = await model([calls(3, 'quick'), 'done', { error: { status: 400, message: 'bad request' } }, calls(3, 'waiting')]);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('quick', new Map()), waiting],
    });
    const system = track(createSystem());
    const ref = system.spawn(lead);
    const baseline = system.stats();
    const idle = () => {
      const s = system.stats();
      return s.pendingAsks === 0 && s.temporaries === 0 && s.actors === baseline.actors;
    };
    const task = (signal?: AbortSignal) =>
      ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000, ...(signal ? { signal } : {}) });

    expect((await task()).stopReason).toBe('done');
    await until(idle);

    await expect(task()).rejects.toMatchObject({ code: 'TROUPE_ERR_LLM_FAILED' });
    await until(idle);

    const abort = new AbortController();
    const cancelled = task(abort.signal);
    await started.wait;
    abort.abort(new Error('user cancelled'));
    await expect(cancelled).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    await until(idle);
    expect(system.stats()).toMatchObject({ pendingAsks: 0, temporaries: 0, actors: baseline.actors, unhandledExits: 0 });
  });

  it('leaves no timer on the system clock: approvals, escalations, retries and a cancelled approval', async () => {
    const clock = new SimulatedClock();
    const system = track(createSystem({ clock }));
    const baseline = clock.pending;
    const flaky = defineWorker({
      name: 'flaky',
      description: 'Fails.',
      run: async () => {
        throw new Error('down');
      },
    });
    const { llm } = await model([
      {
        toolCalls: [
          { id: 'a', name: 'quick', arguments: { task: 'a' } },
          { id: 'b', name: 'flaky', arguments: { task: 'b' } },
        ],
      },
      'done',
      { toolCalls: [{ id: 'c', name: 'quick', arguments: { task: 'c' } }] },
    ]);
    const asking = latch(3);
    let hang = false;
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('quick', new Map()), flaky],
      limits: { maxRetries: 1 },
      onWorkerFailure: 'escalate',
      escalate: async () => ({ action: 'abandon' }),
      guardrails: {
        approve: async () => {
          asking.unlock();
          return hang ? new Promise<boolean>(() => {}) : true;
        },
      },
    });
    const ref = system.spawn(lead);
    await ref.ask({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    await until(() => clock.pending === baseline, 5000, 'timers of the finished run to be cleared');
    hang = true;
    const abort = new AbortController();
    const cancelled = ref.ask({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000, signal: abort.signal });
    await asking.wait;
    abort.abort(new Error('user cancelled'));
    await expect(cancelled).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    await until(() => clock.pending === baseline, 5000, 'timers of the cancelled run to be cleared');
  });
});
