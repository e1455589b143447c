import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem, openaiClient } from '../../src/index.js';
import { mapReduce } from '../../src/patterns/map-reduce.js';
import { type Usage, usageOf } from '../../src/patterns/worker-protocol.js';
import { type ScriptedModel, scriptedModel } from '../../src/testing/index.js';
import { actors, taskWorker } from './helpers.js';

let sys: ActorSystem | undefined;
let model: ScriptedModel | undefined;
afterEach(async () => {
  await sys?.shutdown();
  await model?.close();
  sys = undefined;
  model = undefined;
});

/** A worker that asks `modelName` on the scripted server about its input and reports the usage. */
function llmWorker(url: string, modelName: string) {
  const llm = openaiClient({ model: modelName, baseURL: url, maxRetries: 0 });
  return taskWorker(
    async (input, signal) => {
      const response = await llm.chat({ messages: [{ role: 'user', content: JSON.stringify(input) }], signal });
      return { text: response.message.content, usage: usageOf(response.model, response.usage.inputTokens, response.usage.outputTokens) };
    },
    { usage: (_input, output) => (output as { usage: Usage }).usage },
  );
}

/** $ per million tokens: the strong model costs 15× the cheap one. */
const PRICES: Record<string, { input: number; output: number }> = {
  cheap: { input: 5, output: 50 },
  strong: { input: 75, output: 750 },
};
function cost(usage: Usage): number {
  let total = 0;
  for (const [name, u] of Object.entries(usage.byModel))
    total += (u.inputTokens * PRICES[name].input + u.outputTokens * PRICES[name].output) / 1e6;
  return Math.round(total * 100) / 100;
}

describe('mapReduce', () => {
  it('gives the reducer the map outputs in item order, and sums usage', async () => {
    sys = createSystem();
    const map = taskWorker(
      async (n) => {
        await new Promise((r) => setTimeout(r, 10 - (n as number)));
        return (n as number) ** 2;
      },
      { usage: () => usageOf('small', 10, 2) },
    );
    const reduce = taskWorker((input) => (input as { items: number[] }).items.join(','), { usage: () => usageOf('big', 100, 20) });
    const result = await mapReduce<number, number, string>(sys, { items: [1, 2, 3, 4, 5], map, reduce, concurrency: 5 });
    expect(result.output).toBe('1,4,9,16,25');
    expect(result.mapped).toEqual([1, 4, 9, 16, 25]);
    expect(result.usage.byModel).toEqual({
      small: { inputTokens: 50, outputTokens: 10, calls: 5 },
      big: { inputTokens: 100, outputTokens: 20, calls: 1 },
    });
    expect(result.usage.calls).toBe(6);
    expect(actors(sys)).toBe(0);
  });

  it('fails on a failed map item by default, or skips it', async () => {
    sys = createSystem();
    const map = taskWorker((n) => {
      if (n === 2) throw new Error('bad item');
      return n;
    });
    const reduce = taskWorker((input) => (input as { items: number[] }).items);
    await expect(mapReduce(sys, { items: [1, 2, 3], map, reduce })).rejects.toMatchObject({
      code: 'TROUPE_ERR_WORKER_FAILED',
      message: expect.stringContaining('item 1'),
    });
    const skipped = await mapReduce(sys, { items: [1, 2, 3], map, reduce, onMapError: 'skip' });
    expect(skipped.output).toEqual([1, 3]);
    expect(skipped.skipped).toEqual([1]);
    expect(actors(sys)).toBe(0);
  });

  it("reproduces seed 003's cost example: 100 files for $1.15 with a cheap mapper, against ~$15 with the strong model throughout", async () => {
    sys = createSystem();
    const answer = () => ({ text: 'ok', usage: { inputTokens: 1000, outputTokens: 100 } });
    model = await scriptedModel([], { models: { cheap: answer, strong: answer }, record: true });
    const files = Array.from({ length: 100 }, (_, i) => `src/file-${i}.ts`);
    const reduce = llmWorker(model.url, 'strong');

    const mixed = await mapReduce(sys, { items: files, map: llmWorker(model.url, 'cheap'), reduce, concurrency: 10, timeoutMs: 10_000 });
    expect(mixed.usage.byModel.cheap.calls).toBe(100);
    expect(mixed.usage.byModel.strong.calls).toBe(1);
    expect(cost(mixed.usage)).toBe(1.15);

    const allStrong = await mapReduce(sys, {
      items: files,
      map: llmWorker(model.url, 'strong'),
      reduce,
      concurrency: 10,
      timeoutMs: 10_000,
    });
    expect(allStrong.usage.byModel).toEqual({ strong: { inputTokens: 101_000, outputTokens: 10_100, calls: 101 } });
    expect(cost(allStrong.usage)).toBe(15.15);
    expect(model.requests.filter((r) => r.model === 'cheap')).toHaveLength(100);
    expect(model.requests).toHaveLength(202);
  });
});
