import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../../src/agents/agent.js';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { tool } from '../../src/agents/tool.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem } from '../../src/index.js';
import { cleanUpAfterEach, countingWorker, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

const ask = (ref: { ask<T>(e: object, o?: object): Promise<T> }, task = 'go') =>
  ref.ask<CoordinatorResult>({ type: 'task', input: { task } }, { timeoutMs: 10_000 });

describe('hierarchy', () => {
  it('sums usage over three levels, keyed by the model each server reported', async () => {
    const { server, clientFor } = await model([], {
      models: {
        lead: [
          { toolCalls: [{ name: 'backend_team', arguments: { task: 'api' } }], usage: { inputTokens: 100, outputTokens: 10 } },
          { text: 'shipped', usage: { inputTokens: 200, outputTokens: 20 } },
        ],
        sub: [
          { toolCalls: [{ name: 'api_worker', arguments: { task: 'endpoint' } }], usage: { inputTokens: 30, outputTokens: 3 } },
          { text: 'api done', usage: { inputTokens: 40, outputTokens: 4 } },
        ],
        small: [{ text: 'endpoint written', usage: { inputTokens: 5, outputTokens: 1 }, model: 'small-2025' }],
      },
    });
    const apiWorker = defineAgent({
      name: 'api_worker',
      description: 'Implements endpoints.',
      llm: clientFor('small'),
      instructions: 'You write APIs.',
      tools: [],
    });
    const backend = defineCoordinator({
      name: 'backend_team',
      description: 'All backend work.',
      llm: clientFor('sub'),
      instructions: 'Backend lead.',
      workers: [apiWorker],
    });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Project lead.',
      llm: clientFor('lead'),
      instructions: 'Project lead.',
      workers: [backend],
    });
    const run = await ask(track(createSystem()).spawn(lead, { name: 'lead' }));
    expect(run.output.answer).toBe('shipped');
    expect(run.usage).toEqual({
      inputTokens: 375,
      outputTokens: 38,
      calls: 5,
      byModel: {
        lead: { inputTokens: 300, outputTokens: 30, calls: 2 },
        sub: { inputTokens: 70, outputTokens: 7, calls: 2 },
        'small-2025': { inputTokens: 5, outputTokens: 1, calls: 1 },
      },
    });
    // the turn's usage in the lead's decision includes everything below the call
    expect(run.decisions[0]!.usage.calls).toBe(4);
    expect(server.requests.map((r) => r.model)).toEqual(['lead', 'sub', 'small', 'sub', 'lead']);
    expect(toolMessages(server.requests[4]!.body)[0]!.content).toBe(JSON.stringify({ answer: 'api done' }));
  });

  it('carries depth down the hierarchy: a coordinator past maxDepth refuses with TROUPE_ERR_MAX_DEPTH', async () => {
    const { server, clientFor } = await model([], {
      models: {
        lead: [{ toolCalls: [{ name: 'sub', arguments: { task: 'x' } }] }, 'the team could not go deeper'],
        sub: ['never asked'],
      },
    });
    const counts = new Map<string, number>();
    const sub = defineCoordinator({
      name: 'sub',
      description: 'Sub lead.',
      llm: clientFor('sub'),
      instructions: 'S.',
      workers: [countingWorker('leaf', counts)],
    });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Lead.',
      llm: clientFor('lead'),
      instructions: 'L.',
      workers: [sub],
      limits: { maxDepth: 1 },
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(JSON.parse(toolMessages(server.requests[1]!.body)[0]!.content)).toMatchObject({ error: 'TROUPE_ERR_MAX_DEPTH' });
    expect(server.requests.map((r) => r.model)).toEqual(['lead', 'lead']);
    expect(run.output.answer).toBe('the team could not go deeper');
  });

  it('a task arriving deeper than the coordinator may delegate is refused before any model request', async () => {
    const { server, llm } = await model(['never']);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'L.',
      workers: [countingWorker('w', new Map())],
      limits: { maxDepth: 2 },
    });
    const err = await track(createSystem())
      .spawn(lead)
      .ask({ type: 'task', input: { task: 'x' }, depth: 2 }, { timeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TROUPE_ERR_MAX_DEPTH' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('escalation up the hierarchy', () => {
  it("a sub-coordinator with onWorkerFailure: 'escalate' fails its task; the lead's model reads TROUPE_ERR_ESCALATED", async () => {
    const { server, clientFor } = await model([], {
      models: {
        lead: [{ toolCalls: [{ name: 'team', arguments: { task: 'build' } }] }, 'the team escalated; stopping'],
        sub: [{ toolCalls: [{ name: 'broken', arguments: { task: 'x' } }] }, 'never asked'],
      },
    });
    const broken = defineWorker({
      name: 'broken',
      description: 'Always crashes.',
      run: async () => {
        throw new Error('segfault');
      },
    });
    const team = defineCoordinator({
      name: 'team',
      description: 'A team.',
      llm: clientFor('sub'),
      instructions: 'S.',
      workers: [broken],
      limits: { maxRetries: 0 },
      onWorkerFailure: 'escalate',
    });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm: clientFor('lead'),
      instructions: 'L.',
      workers: [team],
      limits: { maxRetries: 0 },
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(run.output.answer).toBe('the team escalated; stopping');
    expect(JSON.parse(toolMessages(server.requests[2]!.body)[0]!.content)).toMatchObject({
      error: 'TROUPE_ERR_ESCALATED',
      message: expect.stringMatching(/segfault/),
    });
    expect(server.requests.map((r) => r.model)).toEqual(['lead', 'sub', 'lead']);
  });
});

describe('defineAgent', () => {
  it('runs the ReAct loop with function tools', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'r', name: 'read_file', arguments: { path: 'a.ts' } },
          { id: 'bad', name: 'read_file', arguments: { path: 3 } },
        ],
      },
      'a.ts exports add',
    ]);
    const reads: string[] = [];
    const readFile = tool({
      name: 'read_file',
      description: 'Reads a file.',
      input: z.object({ path: z.string() }),
      run: ({ path }) => {
        reads.push(path);
        return `export const add = (a, b) => a + b; // ${path}`;
      },
    });
    const coder = defineAgent({ name: 'coder', description: 'Reads code.', llm, instructions: 'Engineer.', tools: [readFile] });
    const run = await ask(track(createSystem()).spawn(coder));
    expect(run).toMatchObject({ output: { answer: 'a.ts exports add' }, stopReason: 'done' });
    expect(reads).toEqual(['a.ts']);
    expect(server.requests[0]!.toolNames).toEqual(['read_file']);
    const results = toolMessages(server.requests[1]!.body);
    expect(results[0]!.content).toBe('export const add = (a, b) => a + b; // a.ts');
    expect(JSON.parse(results[1]!.content)).toMatchObject({ error: 'TROUPE_ERR_INVALID_INPUT' });
  });

  it('retries a throwing tool, then reports it', async () => {
    const { server, llm } = await model([{ toolCalls: [{ name: 'boom', arguments: {} }] }, 'gave up']);
    let runs = 0;
    const boom = tool({
      name: 'boom',
      description: 'Always fails.',
      input: z.object({}),
      run: () => {
        runs++;
        throw new Error('disk full');
      },
    });
    const agent = defineAgent({ name: 'a', description: 'A.', llm, instructions: 'I.', tools: [boom], limits: { maxRetries: 1 } });
    await ask(track(createSystem()).spawn(agent));
    expect(runs).toBe(2);
    expect(toolMessages(server.requests[1]!.body)[0]!.content).toMatch(/disk full/);
  });

  it('refuses bad tools at definition', () => {
    expect(() => tool({ name: 'bad name', description: 'd', input: z.object({}), run: () => 1 })).toThrow(/name/);
    expect(() => tool({ name: 't', description: 'd', input: z.string(), run: () => 1 })).toThrow(/z.object/);
    const llm = {
      model: 'm',
      chat: async () => ({ message: { content: '', toolCalls: [] }, usage: { inputTokens: 0, outputTokens: 0 }, model: 'm' }),
    };
    const t = tool({ name: 't', description: 'd', input: z.object({}), run: () => 1 });
    expect(() => defineAgent({ name: 'a', description: 'd', llm, instructions: 'i', tools: [t, t] })).toThrow(/two tools/);
  });
});
