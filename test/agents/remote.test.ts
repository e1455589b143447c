import { describe, expect, it } from 'vitest';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { defineWorker } from '../../src/agents/worker.js';
import { type ActorSystem, createSystem, TroupeError } from '../../src/index.js';
import { latch } from '../support/latch.js';
import { cleanUpAfterEach, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

/** Two nodes over a real WebSocket on 127.0.0.1: `beta` hosts the workers, `alpha` the coordinator. */
async function twoNodes(
  logic: Parameters<typeof createSystem>[0] extends infer O ? (O extends { logic?: infer L } ? L : never) : never,
): Promise<{ alpha: ActorSystem; beta: ActorSystem }> {
  const beta = track(createSystem({ node: 'beta', listen: { port: 0 }, secret: 'shh', logic }));
  await beta.ready;
  const alpha = track(createSystem({ node: 'alpha', secret: 'shh' }));
  await alpha.connect(`ws://127.0.0.1:${beta.listenAddress?.port}`);
  return { alpha, beta };
}

describe('workers on another node', () => {
  it('uses a remote worker as a tool: its descriptor comes from describe, its usage joins the run', async () => {
    const translate = defineWorker({
      name: 'translate',
      description: 'Translates text to French.',
      async run({ input, reportUsage, depth }) {
        reportUsage({ inputTokens: 7, outputTokens: 3, calls: 1, byModel: { 'mt-1': { inputTokens: 7, outputTokens: 3, calls: 1 } } });
        return { answer: `fr(${input.task}) at depth ${depth}` };
      },
    });
    const { alpha } = await twoNodes({ translate });
    const remote = await alpha.spawnOn('beta', 'translate', { name: 'translate-1' });
    expect(remote.address).toBe('troupe://beta/translate-1');
    const { server, llm } = await model([
      { toolCalls: [{ name: 'translate', arguments: { task: 'hello' } }], usage: { inputTokens: 1, outputTokens: 1 } },
      { text: 'bonjour', usage: { inputTokens: 1, outputTokens: 1 } },
    ]);
    const lead = defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [remote] });
    const run = await alpha.spawn(lead).ask<CoordinatorResult>({ type: 'task', input: { task: 'greet' } }, { timeoutMs: 10_000 });
    expect(server.requests[0]!.body.tools![0]!.function).toMatchObject({
      name: 'translate',
      description: 'Translates text to French.',
      parameters: { type: 'object', properties: { task: { type: 'string' } } },
    });
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toBe(JSON.stringify({ answer: 'fr(hello) at depth 1' }));
    expect(run.usage.byModel['mt-1']).toEqual({ inputTokens: 7, outputTokens: 3, calls: 1 });
    expect(run.usage.calls).toBe(3);
  });

  it('cancelling the run reaches the worker on the other node over the socket', async () => {
    const started = latch();
    const aborted = latch();
    const slow = defineWorker({
      name: 'slow',
      description: 'Never finishes by itself.',
      run: ({ signal }) =>
        new Promise((_resolve, reject) => {
          started.unlock();
          signal.addEventListener('abort', () => {
            aborted.unlock();
            reject(signal.reason);
          });
        }),
    });
    const { alpha } = await twoNodes({ slow });
    const remote = await alpha.spawnOn('beta', 'slow', { name: 'slow-1' });
    const { server, llm } = await model([{ toolCalls: [{ name: 'slow', arguments: { task: 'x' } }] }, 'never']);
    const lead = alpha.spawn(defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [remote] }));
    const controller = new AbortController();
    const pending = lead
      .ask({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000, signal: controller.signal })
      .catch((e: unknown) => e);
    await started.wait;
    controller.abort();
    await aborted.wait;
    expect(TroupeError.is(await pending, 'TROUPE_ERR_ABORTED')).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('a worker whose node is gone is a runtime failure: retried on the replica that is up', async () => {
    const echo = defineWorker({ name: 'echo', description: 'Echoes.', run: async ({ input }) => ({ answer: `beta: ${input.task}` }) });
    const { alpha } = await twoNodes({ echo });
    const up = await alpha.spawnOn('beta', 'echo', { name: 'echo-1' });
    const gone = alpha.ref('troupe://beta/echo-missing');
    const { server, llm } = await model([{ toolCalls: [{ name: 'echo', arguments: { task: 'x' } }] }, 'ok']);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [[gone, up]],
      limits: { maxRetries: 1, workerTimeoutMs: 2000 },
    });
    const run = await alpha.spawn(lead).ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toBe(JSON.stringify({ answer: 'beta: x' }));
    expect(run.decisions[0]!.results[0]!.ok).toBe(true);
  });

  it('a coordinator on another node is a worker of the lead: its decisions stay there, its usage comes back', async () => {
    const { clientFor } = await model([], {
      models: {
        lead: [
          { toolCalls: [{ name: 'backend_team', arguments: { task: 'api' } }], usage: { inputTokens: 10, outputTokens: 1 } },
          { text: 'shipped', usage: { inputTokens: 10, outputTokens: 1 } },
        ],
        sub: [{ text: 'api done', usage: { inputTokens: 5, outputTokens: 2 } }],
      },
    });
    const backend = defineCoordinator({
      name: 'backend_team',
      description: 'All backend work.',
      llm: clientFor('sub'),
      instructions: 'Backend lead.',
      workers: [defineWorker({ name: 'api', description: 'APIs.', run: async () => 'ok' })],
    });
    const { alpha } = await twoNodes({ backend });
    const remote = await alpha.spawnOn('beta', 'backend', { name: 'backend-1' });
    const lead = defineCoordinator({ name: 'lead', description: 'L.', llm: clientFor('lead'), instructions: 'C.', workers: [remote] });
    const run = await alpha.spawn(lead).ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });
    expect(run.output.answer).toBe('shipped');
    expect(run.usage.byModel).toEqual({
      lead: { inputTokens: 20, outputTokens: 2, calls: 2 },
      sub: { inputTokens: 5, outputTokens: 2, calls: 1 },
    });
    expect(run.decisions[0]!.results[0]!.summary).toBe(JSON.stringify({ answer: 'api done' }));
  });
});
