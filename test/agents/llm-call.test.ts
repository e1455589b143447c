/** One model request of an agent: a client that never answers cannot pin a cancelled run. */
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from '../../src/actors/inspection.js';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import type { LlmClient } from '../../src/agents/llm/llm.js';
import { createSystem } from '../../src/index.js';
import { latch } from '../support/latch.js';
import { cleanUpAfterEach, countingWorker, track } from './support.js';

cleanUpAfterEach();

describe('callModel', () => {
  it('a client that ignores its signal and never answers: the cancelled run ends at once', async () => {
    const requested = latch();
    const deaf: LlmClient = {
      model: 'deaf',
      chat: () => {
        requested.unlock();
        return new Promise(() => {});
      },
    };
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm: deaf,
      instructions: 'C.',
      workers: [countingWorker('w', new Map())],
    });
    const system = track(createSystem());
    const ended = latch(1, 3000);
    const events: InspectionEvent[] = [];
    system.inspect((e) => {
      if (e.type !== '@troupe.llm') return;
      events.push(e);
      ended.unlock();
    });
    const abort = new AbortController();
    const run = system.spawn(lead).ask({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000, signal: abort.signal });
    await requested.wait;
    abort.abort(new Error('user cancelled'));
    await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    await ended.wait;
    expect(events[0]).toMatchObject({ model: 'deaf', error: 'TROUPE_ERR_CANCELLED' });
  });

  it('a server reporting the model "__proto__" is counted under the client\'s model name', async () => {
    const rogue: LlmClient = {
      model: 'mine',
      chat: async () => ({ message: { content: 'ok', toolCalls: [] }, usage: { inputTokens: 5, outputTokens: 2 }, model: '__proto__' }),
    };
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm: rogue,
      instructions: 'C.',
      workers: [countingWorker('w', new Map())],
    });
    const run = await track(createSystem())
      .spawn(lead)
      .ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    expect(run.usage.byModel).toEqual({ mine: { inputTokens: 5, outputTokens: 2, calls: 1 } });
    expect(Object.getPrototypeOf(run.usage.byModel)).toBe(Object.prototype);
  });

  it('a client handing over parsed arguments (an object) has them read as JSON, not as empty', async () => {
    const counts = new Map<string, number>();
    let turn = 0;
    const parsed: LlmClient = {
      model: 'p',
      chat: async () => {
        turn++;
        const toolCalls = turn === 1 ? [{ id: 'o', name: 'search', arguments: { task: 'find it' } as unknown as string }] : [];
        return { message: { content: turn === 1 ? null : 'done', toolCalls }, usage: { inputTokens: 1, outputTokens: 1 }, model: 'p' };
      },
    };
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm: parsed,
      instructions: 'C.',
      workers: [countingWorker('search', counts)],
    });
    const run = await track(createSystem())
      .spawn(lead)
      .ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    expect(counts.get('search')).toBe(1);
    expect(run.decisions[0]!.calls[0]).toMatchObject({ id: 'o', worker: 'search', input: { task: 'find it' } });
  });
});
