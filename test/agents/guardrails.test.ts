import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem, SimulatedClock } from '../../src/index.js';
import { latch } from '../support/latch.js';
import { cleanUpAfterEach, countingWorker, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

const ask = (ref: { ask<T>(e: object, o?: object): Promise<T> }) =>
  ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });

describe('guardrails and screening', () => {
  it('never lets unknown tools, invalid JSON, schema failures or calls outside allow reach a worker', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'u', name: 'nope', arguments: { task: 'x' } },
          { id: 'j', name: 'search', arguments: '{"task": ' },
          { id: 's', name: 'search', arguments: { task: 42 } },
          { id: 'a', name: 'deploy', arguments: { task: 'prod' } },
          { id: 'ok', name: 'search', arguments: { task: 'fine' } },
        ],
      },
      'done',
    ]);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', counts), countingWorker('deploy', counts)],
      guardrails: { allow: ['search'] },
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(counts.get('search')).toBe(1);
    expect(counts.get('deploy')).toBeUndefined();
    // a worker outside allow is not even offered
    expect(server.requests[0]!.toolNames).toEqual(['search']);
    const results = toolMessages(server.requests[1]!.body);
    expect(results.map((r) => r.id)).toEqual(['u', 'j', 's', 'a', 'ok']);
    expect(JSON.parse(results[0]!.content)).toMatchObject({ error: 'TROUPE_ERR_NOT_FOUND' });
    expect(JSON.parse(results[1]!.content)).toMatchObject({
      error: 'TROUPE_ERR_INVALID_INPUT',
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(JSON.parse(results[2]!.content)).toMatchObject({
      error: 'TROUPE_ERR_INVALID_INPUT',
      message: expect.stringMatching(/input schema/),
    });
    expect(JSON.parse(results[3]!.content)).toMatchObject({ error: 'TROUPE_ERR_NOT_ALLOWED' });
    expect(results[4]!.content).toBe(JSON.stringify({ answer: 'search: fine' }));
    expect(run.decisions[0]!.results.map((r) => r.ok)).toEqual([false, false, false, false, true]);
  });

  it('asks approve before each call; a denied call never reaches the worker and the model reads why', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'p', name: 'deploy', arguments: { task: 'prod' } },
          { id: 's', name: 'deploy', arguments: { task: 'staging' } },
        ],
      },
      'done',
    ]);
    const counts = new Map<string, number>();
    const seen: unknown[] = [];
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('deploy', counts)],
      guardrails: {
        approve: async (call) => {
          seen.push(call);
          // a person answering later
          await new Promise((r) => setTimeout(r, 10));
          return (call.input as { task: string }).task === 'prod' ? { approved: false, reason: 'no deploys to prod on Fridays' } : true;
        },
      },
    });
    await ask(track(createSystem()).spawn(lead));
    expect(counts.get('deploy')).toBe(1);
    expect(seen).toMatchObject([
      { id: 'p', worker: 'deploy', input: { task: 'prod' }, iteration: 1 },
      { id: 's', worker: 'deploy', input: { task: 'staging' }, iteration: 1 },
    ]);
    const results = toolMessages(server.requests[1]!.body);
    expect(JSON.parse(results[0]!.content)).toMatchObject({ error: 'TROUPE_ERR_NOT_ALLOWED', message: expect.stringMatching(/Fridays/) });
    expect(results[1]!.content).toBe(JSON.stringify({ answer: 'deploy: staging' }));
  });

  it('an approval that does not come in time denies the call', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'deploy', arguments: { task: 'x' } }] }, 'done']);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('deploy', counts)],
      guardrails: { approve: () => new Promise<boolean>(() => {}), approveTimeoutMs: 20 },
    });
    await ask(track(createSystem()).spawn(lead));
    expect(counts.get('deploy')).toBeUndefined();
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toMatch(/approval timed out/);
  });

  it('treats worker results as untrusted: output failing the schema is an error result', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'liar', arguments: { task: 'x' } }] }, 'done']);
    const liar = defineWorker({
      name: 'liar',
      description: 'Claims a shape it does not return.',
      // its own output schema is loose; the coordinator checks against the stricter one it describes
      output: z.object({ answer: z.string() }).or(z.number()),
      run: async () => 7,
    });
    const strict = { ...liar, output: z.object({ answer: z.string() }) };
    const lead = defineCoordinator({ name: 'lead', description: 'Leads.', llm, instructions: 'C.', workers: [strict] });
    await ask(track(createSystem()).spawn(lead));
    expect(JSON.parse(toolMessages(server.requests[1]!.body)[0]!.content)).toMatchObject({ error: 'TROUPE_ERR_INVALID_OUTPUT' });
  });

  it("waits for approval on the system's clock: a person who never answers is a denial when it runs out", async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'deploy', arguments: { task: 'x' } }] }, 'done']);
    const clock = new SimulatedClock();
    const asked = latch();
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('deploy', counts)],
      guardrails: {
        approve: () => {
          asked.unlock();
          return new Promise<boolean>(() => {});
        },
        approveTimeoutMs: 3_600_000,
      },
    });
    // the ask's own timeout is on the same clock: longer than the wait for approval
    const run = track(createSystem({ clock }))
      .spawn(lead)
      .ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000_000 });
    await asked.wait;
    clock.advance(3_600_000);
    await run;
    expect(counts.get('deploy')).toBeUndefined();
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toMatch(/approval timed out after 3600000 ms/);
  });
});
