/** One call of a turn: retries, escalation, and a reassignment that stays within the guardrails. */
import { describe, expect, it } from 'vitest';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import type { ProposedCall } from '../../src/agents/guardrails.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem } from '../../src/index.js';
import { cleanUpAfterEach, countingWorker, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

const flaky = defineWorker({
  name: 'flaky',
  description: 'Always fails.',
  run: async () => {
    throw new Error('flaky is down');
  },
});

describe('a call escalated and reassigned', () => {
  it('asks approve again before a reassigned call runs: a denied reassignment never reaches the worker', async () => {
    const { server, llm } = await model([{ toolCalls: [{ id: 'c', name: 'flaky', arguments: { task: 'ship' } }] }, 'done']);
    const counts = new Map<string, number>();
    const asked: ProposedCall[] = [];
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky, countingWorker('deploy', counts)],
      limits: { maxRetries: 0 },
      onWorkerFailure: 'escalate',
      escalate: () => ({ action: 'reassign', worker: 'deploy' }),
      guardrails: {
        approve: (call) => {
          asked.push(call);
          return call.worker !== 'deploy' || { approved: false, reason: 'deploys need a person' };
        },
      },
    });
    const run = await track(createSystem())
      .spawn(lead)
      .ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    expect(counts.get('deploy')).toBeUndefined();
    expect(asked.map((c) => c.worker)).toEqual(['flaky', 'deploy']);
    const [result] = toolMessages(server.requests[1]!.body);
    expect(JSON.parse(result!.content)).toMatchObject({
      error: 'TROUPE_ERR_WORKER_FAILED',
      message: expect.stringMatching(/reassignment to deploy was refused: denied by approve: deploys need a person/),
    });
    expect(run.decisions[0]!.results[0]).toMatchObject({ ok: false, error: 'TROUPE_ERR_WORKER_FAILED' });
  });

  it('an approved reassignment runs on the other worker', async () => {
    const { server, llm } = await model([{ toolCalls: [{ id: 'c', name: 'flaky', arguments: { task: 'ship' } }] }, 'done']);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky, countingWorker('deploy', counts)],
      limits: { maxRetries: 0 },
      onWorkerFailure: 'escalate',
      escalate: () => ({ action: 'reassign', worker: 'deploy' }),
      guardrails: { approve: () => true },
    });
    await track(createSystem())
      .spawn(lead)
      .ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    expect(counts.get('deploy')).toBe(1);
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toBe(JSON.stringify({ answer: 'deploy: ship' }));
  });

  it('refuses an escalate hook that would never be called (onWorkerFailure is not escalate)', async () => {
    const { llm } = await model(['done']);
    const options = {
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [flaky],
      escalate: () => ({ action: 'retry' }) as const,
    };
    expect(() => defineCoordinator(options)).toThrow(/escalate hook needs onWorkerFailure: 'escalate'/);
    expect(() => defineCoordinator({ ...options, onWorkerFailure: 'report' })).toThrow(/onWorkerFailure/);
    expect(() => defineCoordinator({ ...options, onWorkerFailure: 'escalate' })).not.toThrow();
  });
});
