/** Model output and worker results as untrusted input: hostile ids, names, arguments and results. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../../src/agents/agent.js';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { tool } from '../../src/agents/tool.js';
import { defineWorker } from '../../src/agents/worker.js';
import { createSystem } from '../../src/index.js';
import { memoryStore } from '../../src/store/memory.js';
import { cleanUpAfterEach, countingWorker, model, toolMessages, track } from './support.js';

cleanUpAfterEach();

const ask = (ref: { ask<T>(e: object, o?: object): Promise<T> }) =>
  ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 10_000 });

describe('untrusted model output', () => {
  it('runs calls whose ids are Object.prototype keys (constructor, __proto__, toString)', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'constructor', name: 'search', arguments: { task: 'a' } },
          { id: '__proto__', name: 'search', arguments: { task: 'b' } },
          { id: 'toString', name: 'search', arguments: { task: 'c' } },
        ],
      },
      'done',
    ]);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', counts)],
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(counts.get('search')).toBe(3);
    const results = toolMessages(server.requests[1]!.body);
    expect(results.map((r) => r.content)).toEqual(['a', 'b', 'c'].map((t) => JSON.stringify({ answer: `search: ${t}` })));
    expect(run.decisions[0]!.results.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('repeated tool call ids are made unique: each call runs and is answered once, under its own id', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'same', name: 'search', arguments: { task: 'a' } },
          { id: 'same', name: 'search', arguments: { task: 'b' } },
          { id: 'same_2', name: 'search', arguments: { task: 'c' } },
        ],
      },
      'done',
    ]);
    const counts = new Map<string, number>();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [countingWorker('search', counts)],
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(counts.get('search')).toBe(3);
    const body = server.requests[1]!.body as { messages: { role: string; tool_calls?: { id: string }[] }[] };
    const ids = body.messages.find((m) => m.role === 'assistant')!.tool_calls!.map((c) => c.id);
    expect(new Set(ids).size).toBe(3);
    expect(toolMessages(server.requests[1]!.body).map((r) => r.id)).toEqual(ids);
    expect(run.decisions[0]!.calls.map((c) => c.id)).toEqual(ids);
  });

  it('a "__proto__" key in the arguments reaches the worker as a plain key, never as a prototype', async () => {
    const { llm } = await model([
      { toolCalls: [{ id: 'p', name: 'echo', arguments: '{"task":"a","__proto__":{"polluted":true}}' }] },
      'done',
    ]);
    const seen: object[] = [];
    const echo = defineWorker({
      name: 'echo',
      description: 'Echo.',
      input: z.looseObject({ task: z.string() }),
      run: async ({ input }) => {
        seen.push(input);
        return { answer: 'ok' };
      },
    });
    const lead = defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [echo] });
    await ask(track(createSystem()).spawn(lead));
    expect(seen).toHaveLength(1);
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype);
    expect((seen[0] as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('a worker returning cyclic or BigInt output gives the model an error result, and the run goes on', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'c', name: 'cyc', arguments: { task: 'a' } },
          { id: 'b', name: 'big', arguments: { task: 'a' } },
        ],
      },
      'done',
    ]);
    const cyc = defineWorker({
      name: 'cyc',
      description: 'C.',
      run: async () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      },
    });
    const big = defineWorker({ name: 'big', description: 'B.', run: async () => ({ n: 10n }) });
    const lead = defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [cyc, big] });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(run.stopReason).toBe('done');
    const results = toolMessages(server.requests[1]!.body).map((r) => JSON.parse(r.content) as { error: string; message: string });
    expect(results).toMatchObject([
      { error: 'TROUPE_ERR_INVALID_OUTPUT', message: expect.stringMatching(/circular/) },
      { error: 'TROUPE_ERR_INVALID_OUTPUT', message: expect.stringMatching(/BigInt/) },
    ]);
  });

  it('a gigantic result or error message is cut to its bound before it reaches the model or the scratchpad', async () => {
    const { server, llm } = await model([
      {
        toolCalls: [
          { id: 'r', name: 'huge', arguments: { task: 'a' } },
          { id: 'e', name: 'loud', arguments: { task: 'a' } },
        ],
      },
      'done',
    ]);
    const huge = defineWorker({ name: 'huge', description: 'H.', run: async () => 'x'.repeat(3_000_000) });
    const loud = defineWorker({
      name: 'loud',
      description: 'L.',
      run: async () => {
        throw new Error('y'.repeat(1_000_000));
      },
    });
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [huge, loud],
      limits: { maxResultChars: 10_000, maxRetries: 0 },
    });
    await ask(track(createSystem()).spawn(lead));
    const [result, error] = toolMessages(server.requests[1]!.body);
    expect(result!.content.length).toBeLessThan(10_100);
    expect(result!.content).toMatch(/2990000 more characters cut/);
    expect(error!.content.length).toBeLessThan(2_200);
    expect(JSON.parse(error!.content)).toMatchObject({
      error: 'TROUPE_ERR_WORKER_FAILED',
      message: expect.stringMatching(/more characters cut/),
    });
  });

  it('a tool named like the built-in retrieve_result is refused at definition when context is on', () => {
    const llm = {
      model: 'm',
      chat: async () => ({ message: { content: 'x', toolCalls: [] }, usage: { inputTokens: 0, outputTokens: 0 }, model: 'm' }),
    };
    const clash = countingWorker('retrieve_result', new Map());
    const context = { summarizeOver: 100 };
    expect(() => defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [clash], context })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION', message: expect.stringMatching(/retrieve_result/) }),
    );
    const fn = tool({ name: 'retrieve_result', description: 'R.', input: z.object({ id: z.string() }), run: ({ id }) => id });
    expect(() => defineAgent({ name: 'a', description: 'A.', llm, instructions: 'C.', tools: [fn], context })).toThrow(/retrieve_result/);
    // without context there is no built-in tool to clash with
    expect(() => defineCoordinator({ name: 'lead', description: 'L.', llm, instructions: 'C.', workers: [clash] })).not.toThrow();
  });

  it('arguments nested 100 000 deep are refused as invalid: the run, its record and its checkpoint stay serializable', async () => {
    const deep = `{"task":"a","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const { server, llm } = await model([{ toolCalls: [{ id: 'd', name: 'echo', arguments: deep }] }, 'done']);
    const counts = new Map<string, number>();
    const echo = defineWorker({
      name: 'echo',
      description: 'Echo.',
      input: z.looseObject({ task: z.string() }),
      run: async () => {
        counts.set('echo', 1);
        return 'ok';
      },
    });
    const store = memoryStore();
    const lead = defineCoordinator({
      name: 'lead',
      description: 'L.',
      llm,
      instructions: 'C.',
      workers: [echo],
      checkpoint: { store, runId: 'r' },
    });
    const run = await ask(track(createSystem()).spawn(lead));
    expect(counts.get('echo')).toBeUndefined();
    expect(JSON.parse(toolMessages(server.requests[1]!.body)[0]!.content)).toMatchObject({
      error: 'TROUPE_ERR_INVALID_INPUT',
      message: expect.stringMatching(/nest deeper than 64/),
    });
    expect(() => JSON.stringify(run.decisions)).not.toThrow();
  });
});
