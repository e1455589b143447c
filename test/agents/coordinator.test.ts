import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from '../../src/actors/inspection.js';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { createSystem, TroupeError } from '../../src/index.js';
import { until } from '../support/latch.js';
import { cleanUpAfterEach, countingWorker, model, timedWorker, toolMessages, track } from './support.js';

cleanUpAfterEach();

const ask = (ref: { ask<T>(e: object, o?: object): Promise<T> }, task: string, timeoutMs = 10_000) =>
  ref.ask<CoordinatorResult>({ type: 'task', input: { task } }, { timeoutMs });

describe('defineCoordinator', () => {
  it('calls a worker as a tool and answers: result, decisions, usage by model', async () => {
    const { server, llm } = await model([
      {
        text: 'I will search first.',
        toolCalls: [{ id: 'c1', name: 'search', arguments: { task: 'find auth' } }],
        usage: { inputTokens: 10, outputTokens: 5 },
      },
      { text: 'Auth lives in src/auth.', usage: { inputTokens: 20, outputTokens: 7 } },
    ]);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [countingWorker('search', counts)],
    });
    const system = track(createSystem());
    const run = await ask(system.spawn(lead, { name: 'lead' }), 'Where is auth?');
    expect(run).toMatchObject({ type: 'result', output: { answer: 'Auth lives in src/auth.' }, stopReason: 'done' });
    expect(run.usage).toEqual({
      inputTokens: 30,
      outputTokens: 12,
      calls: 2,
      byModel: { 'test-model': { inputTokens: 30, outputTokens: 12, calls: 2 } },
    });
    expect(run.decisions).toHaveLength(2);
    expect(run.decisions[0]).toMatchObject({
      iteration: 1,
      thought: 'I will search first.',
      calls: [{ id: 'c1', worker: 'search', input: { task: 'find auth' } }],
      results: [{ id: 'c1', ok: true, summary: JSON.stringify({ answer: 'search: find auth' }) }],
    });
    expect(counts.get('search')).toBe(1);
    const [first, second] = server.requests;
    expect(first!.body.messages[0]).toMatchObject({ role: 'system', content: 'Coordinate.' });
    expect(first!.toolNames).toEqual(['search']);
    expect(first!.body.tools![0]!.function.parameters).toMatchObject({ type: 'object', properties: { task: { type: 'string' } } });
    expect(toolMessages(second!.body)).toEqual([{ id: 'c1', content: JSON.stringify({ answer: 'search: find auth' }) }]);
  });

  it('runs the calls of one turn concurrently and returns results in call order', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'a', name: 'slow', arguments: { task: '1' } },
          { id: 'b', name: 'mid', arguments: { task: '2' } },
          { id: 'c', name: 'fast', arguments: { task: '3' } },
        ],
      },
      'done',
    ]);
    const log: { name: string; task: string; start: number; end: number }[] = [];
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [timedWorker('slow', log, 60), timedWorker('mid', log, 40), timedWorker('fast', log, 20)],
    });
    const system = track(createSystem());
    await ask(system.spawn(lead), 'go');
    // every call started before any finished: they overlapped
    expect(Math.max(...log.map((l) => l.start))).toBeLessThan(Math.min(...log.map((l) => l.end)));
    expect(log.map((l) => l.name)).toEqual(['fast', 'mid', 'slow']);
    expect(toolMessages(server.requests[1]!.body).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('bounds a turn by maxConcurrency', async () => {
    const { llm } = await model([
      {
        toolCalls: [
          { name: 'one', arguments: { task: '1' } },
          { name: 'two', arguments: { task: '2' } },
        ],
      },
      'done',
    ]);
    const log: { name: string; task: string; start: number; end: number }[] = [];
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [timedWorker('one', log, 10), timedWorker('two', log, 10)],
      limits: { maxConcurrency: 1 },
    });
    await ask(track(createSystem()).spawn(lead), 'go');
    expect(log[1]!.start).toBeGreaterThanOrEqual(log[0]!.end);
  });

  it('forces one synthesis without tools at maxIterations', async () => {
    const loop = { toolCalls: [{ name: 'search', arguments: { task: 'again' } }] };
    const { server, llm } = await model([loop, loop, 'best answer so far']);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [countingWorker('search', counts)],
      limits: { maxIterations: 2 },
    });
    const run = await ask(track(createSystem()).spawn(lead), 'loop forever');
    expect(run.stopReason).toBe('max-iterations');
    expect(run.output.answer).toBe('best answer so far');
    expect(server.requests).toHaveLength(3);
    expect('tools' in server.requests[2]!.body).toBe(false);
    expect(server.requests[2]!.lastUserMessage).toMatch(/maximum number of iterations.*Synthesize/);
    expect(run.decisions.at(-1)).toMatchObject({ limit: 'max-iterations', calls: [] });
    expect(counts.get('search')).toBe(2);
  });

  it('forces synthesis at maxWorkerCalls; calls beyond the budget never run', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'x', name: 'search', arguments: { task: '1' } },
          { id: 'y', name: 'search', arguments: { task: '2' } },
        ],
      },
      'synthesized',
    ]);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [countingWorker('search', counts)],
      limits: { maxWorkerCalls: 1 },
    });
    const run = await ask(track(createSystem()).spawn(lead), 'go');
    expect(run.stopReason).toBe('max-worker-calls');
    expect(counts.get('search')).toBe(1);
    expect(toolMessages(server.requests[1]!.body)[1]!.content).toMatch(/TROUPE_ERR_NOT_ALLOWED.*worker calls/);
    expect('tools' in server.requests[1]!.body).toBe(false);
  });

  it('forces synthesis when the token budget is spent', async () => {
    const { server, llm } = await model([
      { toolCalls: [{ name: 'search', arguments: { task: '1' } }], usage: { inputTokens: 90, outputTokens: 20 } },
      { text: 'summary', usage: { inputTokens: 5, outputTokens: 5 } },
    ]);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [countingWorker('search', new Map())],
      limits: { tokenBudget: 100 },
    });
    const run = await ask(track(createSystem()).spawn(lead), 'go');
    expect(run.stopReason).toBe('token-budget');
    expect('tools' in server.requests[1]!.body).toBe(false);
    expect(run.usage.inputTokens + run.usage.outputTokens).toBe(120);
  });

  it('is a planning → dispatching → awaiting → planning → done machine in inspection', async () => {
    const { llm } = await model([{ toolCalls: [{ name: 'search', arguments: { task: '1' } }] }, 'ok']);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', new Map())],
    });
    const system = track(createSystem());
    const states: unknown[] = [];
    system.inspect((e: InspectionEvent) => {
      if (e.type === '@troupe.state' && e.address.endsWith('/lead')) states.push(e.value);
    });
    await ask(system.spawn(lead, { name: 'lead' }), 'go');
    await until(() => states.at(-1) === 'done');
    expect(states).toEqual(['idle', 'planning', 'dispatching', 'awaiting', 'planning', 'done']);
  });

  it('emits a @troupe.decision per turn and @troupe.llm per request with tokens and latency', async () => {
    const { llm } = await model([
      { toolCalls: [{ id: 'k', name: 'search', arguments: { task: '1' } }], usage: { inputTokens: 3, outputTokens: 4 } },
      { text: 'ok', usage: { inputTokens: 5, outputTokens: 6 } },
    ]);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', new Map())],
    });
    const system = track(createSystem());
    const events: InspectionEvent[] = [];
    system.inspect((e) => {
      if (e.type === '@troupe.decision' || e.type === '@troupe.llm') events.push(e);
    });
    const run = await ask(system.spawn(lead, { name: 'lead' }), 'go');
    const llmEvents = events.filter((e) => e.type === '@troupe.llm');
    expect(llmEvents).toHaveLength(2);
    expect(llmEvents[0]).toMatchObject({ model: 'test-model', inputTokens: 3, outputTokens: 4, toolCalls: 1, taskId: run.taskId });
    expect(llmEvents.every((e) => e.type === '@troupe.llm' && e.latencyMs >= 0)).toBe(true);
    const decisions = events.filter((e) => e.type === '@troupe.decision');
    expect(decisions.map((d) => d.type === '@troupe.decision' && d.decision)).toEqual(run.decisions);
    expect(decisions.at(-1)).toMatchObject({ stopReason: 'done' });
  });

  it('describes itself as a worker with { task } in and { answer } out', async () => {
    const { llm } = await model([]);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads the team.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', new Map())],
    });
    const d = await track(createSystem()).spawn(lead).ask({ type: 'describe' }, { timeoutMs: 2000 });
    expect(d).toMatchObject({
      type: 'descriptor',
      name: 'lead',
      description: 'Leads the team.',
      inputSchema: { type: 'object', properties: { task: { type: 'string' } } },
      outputSchema: { type: 'object', properties: { answer: { type: 'string' } } },
    });
  });

  it('fails the run with the model client error code', async () => {
    const { llm } = await model([{ error: { status: 401, message: 'bad key' } }]);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', new Map())],
    });
    const err = await ask(track(createSystem()).spawn(lead), 'go').catch((e: unknown) => e);
    expect(TroupeError.is(err, 'TROUPE_ERR_LLM_AUTH')).toBe(true);
  });

  it('refuses bad options at definition', () => {
    const llm = {
      model: 'm',
      chat: async () => ({ message: { content: '', toolCalls: [] }, usage: { inputTokens: 0, outputTokens: 0 }, model: 'm' }),
    };
    const w = countingWorker('search', new Map());
    expect(() => defineCoordinator({ name: 'l', description: 'd', llm, instructions: 'i', workers: [] })).toThrow(/workers/);
    expect(() => defineCoordinator({ name: 'l', description: 'd', llm, instructions: 'i', workers: [w, w] })).toThrow(/two workers/);
    expect(() =>
      defineCoordinator({ name: 'l', description: 'd', llm, instructions: 'i', workers: [w], limits: { maxIterations: 0 } }),
    ).toThrow(/maxIterations/);
    expect(() =>
      defineCoordinator({ name: 'l', description: 'd', llm, instructions: 'i', workers: [w], limits: { nope: 1 } as object }),
    ).toThrow(/unknown limit/);
  });
});

describe('defineCoordinator streamed', () => {
  it('streams a progress chunk per decision, then the result', async () => {
    const { llm } = await model([{ toolCalls: [{ id: 'c1', name: 'search', arguments: { task: 'x' } }] }, 'answer']);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', new Map())],
    });
    const chunks: { type: string; decision?: { iteration: number }; output?: unknown }[] = [];
    for await (const c of track(createSystem())
      .spawn(lead)
      .stream<(typeof chunks)[number]>({ type: 'task', input: { task: 'go' } }))
      chunks.push(c);
    expect(chunks.map((c) => c.type)).toEqual(['progress', 'result']);
    expect(chunks[0]!.decision).toMatchObject({ iteration: 1, calls: [{ id: 'c1', worker: 'search' }] });
    expect(chunks[1]!.output).toEqual({ answer: 'answer' });
  });
});
