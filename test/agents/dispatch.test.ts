/** One turn's calls: nothing the turn started outlives it, whether it is cancelled or fails. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem } from '../../src/index.js';
import { memoryStore } from '../../src/store/memory.js';
import type { JsonValue, Store } from '../../src/store/store.js';
import { latch } from '../support/latch.js';
import { cleanUpAfterEach, countingWorker, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

/** A memory store whose `put` first awaits `before()`. */
function storeWithPut(before: () => Promise<void>): Store {
  const inner = memoryStore();
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'put')
        return async (k: string, v: JsonValue) => {
          await before();
          return target.put(k, v);
        };
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a turn ends with nothing left running', () => {
  it('a call queued behind maxConcurrency never starts once the run is cancelled', async () => {
    const { llm } = await model([
      {
        toolCalls: [
          { id: 'a', name: 'first', arguments: { task: 'a' } },
          { id: 'b', name: 'second', arguments: { task: 'b' } },
        ],
      },
      'done',
    ]);
    const counts = new Map<string, number>();
    let gate: Promise<void> | undefined;
    const saving = latch();
    let release!: () => void;
    const store = storeWithPut(async () => {
      if (gate === undefined) return;
      saving.unlock();
      await gate;
    });
    const first = defineWorker({
      name: 'first',
      description: 'First.',
      run: async () => {
        // the checkpoint after this call waits: the run is cancelled meanwhile
        gate = new Promise<void>((r) => {
          release = r;
        });
        return { answer: 'a' };
      },
    });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [first, countingWorker('second', counts)],
      limits: { maxConcurrency: 1 },
      checkpoint: { store, runId: 'r' },
    });
    const system = track(createSystem());
    const abort = new AbortController();
    const run = system.spawn(lead).ask({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000, signal: abort.signal });
    await saving.wait;
    abort.abort(new Error('user cancelled'));
    await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    release();
    // give a wrongly started call every chance to run
    await new Promise((r) => setTimeout(r, 50));
    expect(counts.get('second')).toBeUndefined();
  });

  it('a failure of the turn (its checkpoint) cancels the calls still in flight before the run fails', async () => {
    const { llm } = await model([
      {
        toolCalls: [
          { id: 'a', name: 'quick', arguments: { task: 'a' } },
          { id: 'b', name: 'slow', arguments: { task: 'b' } },
        ],
      },
      'done',
    ]);
    let failPuts = false;
    const store = storeWithPut(async () => {
      if (failPuts) throw new Error('disk full');
    });
    const slowStarted = latch();
    let slowSignal: AbortSignal | undefined;
    const quick = defineWorker({
      name: 'quick',
      description: 'Quick.',
      run: async () => {
        await slowStarted.wait;
        failPuts = true;
        return { answer: 'a' };
      },
    });
    const slow = defineWorker({
      name: 'slow',
      description: 'Slow.',
      output: z.object({ answer: z.string() }),
      run: ({ signal }) => {
        slowSignal = signal;
        slowStarted.unlock();
        return new Promise((_resolve, reject) => {
          const t = setTimeout(() => reject(new Error('never cancelled')), 5000);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          });
        });
      },
    });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [quick, slow],
      checkpoint: { store, runId: 'r' },
    });
    const system = track(createSystem());
    const ref = system.spawn(lead);
    await expect(ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 })).rejects.toThrow(/disk full/);
    expect(slowSignal?.aborted).toBe(true);
    expect(system.stats().pendingAsks).toBe(0);
  });

  it('approve is never asked about a call beyond the worker-call budget', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'a', name: 'deploy', arguments: { task: 'a' } },
          { id: 'b', name: 'deploy', arguments: { task: 'b' } },
        ],
      },
      'done',
    ]);
    const counts = new Map<string, number>();
    const asked: string[] = [];
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('deploy', counts)],
      limits: { maxWorkerCalls: 1 },
      guardrails: {
        approve: (call) => {
          asked.push(call.id);
          return true;
        },
      },
    });
    const run = await track(createSystem())
      .spawn(lead)
      .ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    expect(asked).toEqual(['a']);
    expect(counts.get('deploy')).toBe(1);
    const results = toolMessages(server.requests[1]!.body);
    expect(JSON.parse(results[1]!.content)).toMatchObject({
      error: 'TROUPE_ERR_NOT_ALLOWED',
      message: expect.stringMatching(/limit of 1 worker calls/),
    });
    expect(run.stopReason).toBe('max-worker-calls');
  });
});
