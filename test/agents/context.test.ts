import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem, supervisor, TroupeError } from '../../src/index.js';
import { memoryStore } from '../../src/store/memory.js';
import { latch, until } from '../support/latch.js';
import { cleanUpAfterEach, countingWorker, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

const ask = (ref: { ask<T>(e: object, o?: object): Promise<T> }, options: { signal?: AbortSignal } = {}) =>
  ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000, ...options });

const report = 'line of findings. '.repeat(40);

describe('summarization and the scratchpad', () => {
  it('summarizes a long result, keeps the full text, and retrieve_result returns it', async () => {
    const { server, clientFor } = await model([], {
      models: {
        lead: [
          { toolCalls: [{ name: 'search', arguments: { task: 'audit' } }] },
          {
            toolCalls: [
              { id: 'r', name: 'retrieve_result', arguments: { id: 'search-1' } },
              { id: 'm', name: 'retrieve_result', arguments: { id: 'nope' } },
            ],
          },
          'final',
        ],
        mini: [{ text: 'Many findings, all minor.', usage: { inputTokens: 50, outputTokens: 6 } }],
      },
    });
    const search = defineWorker({ name: 'search', description: 'Searches.', output: z.string(), run: async () => report });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm: clientFor('lead'),
      instructions: 'C.',
      workers: [search],
      context: { summarizeOver: 100, summarizer: clientFor('mini') },
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(server.requests[0]!.toolNames).toEqual(['search', 'retrieve_result']);
    const summarizerRequest = server.requests[1]!;
    expect(summarizerRequest.model).toBe('mini');
    expect(summarizerRequest.lastUserMessage).toBe(report);
    const summary = toolMessages(server.requests[2]!.body)[0]!.content;
    expect(summary).toMatch(/^\[search summary\]: Many findings, all minor\.\n\[Full result stored as: search-1/);
    expect(summary.length).toBeLessThan(report.length);
    const retrieved = toolMessages(server.requests[3]!.body).slice(1);
    expect(retrieved[0]!.content).toBe(report);
    expect(JSON.parse(retrieved[1]!.content)).toMatchObject({ error: 'TROUPE_ERR_NOT_FOUND' });
    expect(run.usage.byModel.mini).toEqual({ inputTokens: 50, outputTokens: 6, calls: 1 });
    // retrieval is not a worker call
    expect(run.decisions[1]!.results.map((r) => r.ok)).toEqual([true, false]);
  });
});

describe('cancellation', () => {
  it('aborting the ask cancels in-flight worker calls and makes no further model request', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { name: 'slow', arguments: { task: 'a' } },
          { name: 'slow', arguments: { task: 'b' } },
        ],
      },
      'never',
    ]);
    const started = latch(2);
    const aborted = latch(2);
    const slow = defineWorker({
      name: 'slow',
      description: 'Takes forever.',
      concurrency: 2,
      run: ({ signal }) =>
        new Promise(() => {
          started.unlock();
          signal.addEventListener('abort', () => aborted.unlock());
        }),
    });
    const lead = defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [slow] });
    const system = track(createSystem());
    const controller = new AbortController();
    const states: unknown[] = [];
    system.inspect((e) => {
      if (e.type === '@troupe.state' && e.address.endsWith('/lead')) states.push(e.value);
    });
    const pending = ask(system.spawn(lead, { name: 'lead' }), { signal: controller.signal }).catch((e: unknown) => e);
    await started.wait;
    controller.abort();
    await aborted.wait;
    expect(TroupeError.is(await pending, 'TROUPE_ERR_ABORTED')).toBe(true);
    await until(() => states.at(-1) === 'failed');
    expect(server.requests).toHaveLength(1);
  });

  it('stopping the coordinator cancels its in-flight calls', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'slow', arguments: { task: 'a' } }] }, 'never']);
    const started = latch();
    const aborted = latch();
    const slow = defineWorker({
      name: 'slow',
      description: 'Takes forever.',
      run: ({ signal }) =>
        new Promise(() => {
          started.unlock();
          signal.addEventListener('abort', () => aborted.unlock());
        }),
    });
    const system = track(createSystem());
    // the worker is a separate actor, so only the cancel reaches it
    const worker = system.spawn(slow, { name: 'slow' });
    const lead = system.spawn(defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [worker] }));
    const pending = ask(lead).catch((e: unknown) => e);
    await started.wait;
    await system.stop(lead);
    await aborted.wait;
    expect(await pending).toBeInstanceOf(TroupeError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('checkpoints', () => {
  it('a coordinator restarted with the same runId resumes and does not repeat finished calls', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'q', name: 'quick', arguments: { task: 'a' } },
          { id: 's', name: 'stuck', arguments: { task: 'b' } },
        ],
      },
      'all done',
    ]);
    const counts = new Map<string, number>();
    let stuckRuns = 0;
    const started = latch();
    const stuck = defineWorker({
      name: 'stuck',
      description: 'Hangs the first time.',
      run: () => {
        stuckRuns++;
        if (stuckRuns === 1) {
          started.unlock();
          return new Promise(() => {});
        }
        return Promise.resolve({ answer: 'b done' });
      },
    });
    const store = memoryStore();
    const options = {
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('quick', counts), stuck],
      checkpoint: { store, runId: 'run-7' },
    };
    const system = track(createSystem());
    const first = system.spawn(defineCoordinator(options), { name: 'lead-1' });
    const lost = ask(first).catch((e: unknown) => e);
    await started.wait;
    // wait until the quick call's result is in the checkpoint
    for (let i = 0; i < 500; i++) {
      const saved = (await store.get('troupe/coordinator/lead/run-7'))?.value as { finished?: Record<string, unknown> } | undefined;
      if (saved?.finished !== undefined && 'q' in saved.finished) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await system.stop(first);
    await lost;
    const second = system.spawn(defineCoordinator(options), { name: 'lead-2' });
    const run = await ask(second);
    expect(run.output.answer).toBe('all done');
    expect(counts.get('quick')).toBe(1);
    expect(stuckRuns).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(toolMessages(server.requests[1]!.body).map((m) => m.content)).toEqual([
      JSON.stringify({ answer: 'quick: a' }),
      JSON.stringify({ answer: 'b done' }),
    ]);
    // asked again, the finished run answers from its checkpoint
    const again = await ask(second);
    expect(again.output.answer).toBe('all done');
    expect(server.requests).toHaveLength(2);
  });

  it('a supervised coordinator restarted by its supervisor resumes its run by the runId in its input', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'q', name: 'quick', arguments: { task: 'a' } },
          { id: 's', name: 'stuck', arguments: { task: 'b' } },
        ],
      },
      'resumed and done',
    ]);
    const counts = new Map<string, number>();
    let stuckRuns = 0;
    const stuck = defineWorker({
      name: 'stuck',
      description: 'Hangs the first time.',
      run: () => (++stuckRuns === 1 ? new Promise(() => {}) : Promise.resolve('b done')),
    });
    const store = memoryStore();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('quick', counts), stuck],
      checkpoint: { store },
    });
    const system = track(createSystem());
    const app = system.spawn(
      supervisor({ strategy: 'one-for-one', children: [{ id: 'lead', logic: lead, input: { runId: 'nightly' } }] }),
      { name: 'app' },
    );
    const child = system.ref(`${app.address}/lead`);
    const lost = ask(child).catch((e: unknown) => e);
    for (let i = 0; i < 500; i++) {
      const saved = (await store.get('troupe/coordinator/lead/nightly'))?.value as { finished?: Record<string, unknown> } | undefined;
      if (saved?.finished !== undefined && 'q' in saved.finished) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await system.stop(child, 'killed');
    expect(await lost).toBeInstanceOf(TroupeError);
    // asks to the restarting child queue in its mailbox
    const run = await ask(child);
    expect(run.output.answer).toBe('resumed and done');
    expect(counts.get('quick')).toBe(1);
    expect(stuckRuns).toBe(2);
    expect(server.requests).toHaveLength(2);
  });
});
