/**
 * Coordinator overhead per turn, model excluded: a coordinator with 8 workers, a scripted model
 * that answers at once, `TURNS` turns one after another. A turn is one coordinator run: the model
 * calls all 8 workers in parallel, the workers answer at once, the model answers with text — two
 * HTTP model requests and 8 worker calls.
 *
 * - troupe: `defineCoordinator` with 8 `defineWorker` workers (plain functions, each its own actor
 *   speaking the worker protocol), asked `{ type: 'task' }` once per turn through the real openai
 *   SDK and HTTP path to `scriptedModel`.
 * - baseline: the OpenAI Agents SDK doing the same workload (`bench/baselines/openai-agents-coordinator.ts`):
 *   a coordinator `Agent` with 8 worker agents via `agent.asTool()`, workers on an in-process model
 *   that answers at once (`workerModel: 'instant'`), the coordinator on the same scripted server.
 *
 * Figures: ms per turn (median of rounds, min–max beside), troupe ÷ SDK (target ≤ 0.5), and ms per
 * worker call (turn ÷ 8). Both sides pay the same two local HTTP round trips per turn; after each
 * troupe round the bench times those two requests alone (`openaiClient` to the same server, the
 * same shapes), and reports each side's turn minus that (`…FrameworkMs`) and their ratio — the
 * overhead with the model's transport excluded too.
 */

import { type CoordinatorResult, createSystem, defineCoordinator, defineWorker, openaiClient } from '../src/index.js';
import { scriptedModel } from '../src/testing/index.js';
import { runAgentsSdkTurns, workerNames, workloadResponder } from './baselines/openai-agents-coordinator.js';
import { median, pairedRounds, reportPaired, round } from './report.js';

const TURNS = Number(process.env.BENCH_TURNS ?? 1000);
const WORKERS = 8;
const ROUNDS = 3;
const TARGET = 0.5;

async function troupeTurns(baseURL: string, turns: number): Promise<number> {
  const workers = workerNames(WORKERS).map((name) =>
    defineWorker({ name, description: `Does part of the work (${name}).`, run: async ({ input }) => `done: ${input.task}` }),
  );
  const llm = openaiClient({ model: 'bench-model', baseURL, apiKey: 'bench', maxRetries: 0 });
  const lead = defineCoordinator({
    name: 'coordinator',
    description: 'Coordinates the workers.',
    llm,
    instructions: 'You coordinate. Give each worker its part, then answer from their results.',
    workers,
    limits: { maxConcurrency: WORKERS, maxWorkerCalls: WORKERS * 2 },
  });
  const system = createSystem({ node: 'bench' });
  const ref = system.spawn(lead, { name: 'coordinator' });
  const turn = async () => {
    const run = await ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'Do the task.' } }, { timeoutMs: 60_000 });
    if (run.output.answer !== 'all workers done' || run.decisions[0]?.calls.length !== WORKERS)
      throw new Error(`unexpected run: ${JSON.stringify(run.output)}`);
  };
  for (let i = 0; i < 20; i++) await turn();
  const t0 = performance.now();
  for (let i = 0; i < turns; i++) await turn();
  const ms = performance.now() - t0;
  await system.shutdown();
  return ms / turns;
}

/** ms of the two bare model requests of a turn (tools offered, then the tool results), through openaiClient. */
async function httpTurns(baseURL: string, turns: number): Promise<number> {
  const llm = openaiClient({ model: 'bench-model', baseURL, apiKey: 'bench', maxRetries: 0 });
  const tools = workerNames(WORKERS).map((name) => ({
    name,
    description: `Does part of the work (${name}).`,
    parameters: { type: 'object', properties: { task: { type: 'string' } }, required: ['task'] },
  }));
  const system = { role: 'system' as const, content: 'You coordinate. Give each worker its part, then answer from their results.' };
  const user = { role: 'user' as const, content: 'Do the task.' };
  const turn = async () => {
    const first = await llm.chat({ messages: [system, user], tools, toolChoice: 'auto' });
    const calls = first.message.toolCalls;
    await llm.chat({
      messages: [
        system,
        user,
        { role: 'assistant', content: null, toolCalls: calls },
        ...calls.map((c) => ({ role: 'tool' as const, toolCallId: c.id, content: 'done' })),
      ],
      tools,
      toolChoice: 'auto',
    });
  };
  for (let i = 0; i < 20; i++) await turn();
  const t0 = performance.now();
  for (let i = 0; i < turns; i++) await turn();
  return (performance.now() - t0) / turns;
}

async function main(): Promise<void> {
  const model = await scriptedModel(workloadResponder(), { record: false });
  const http: number[] = [];
  try {
    const result = await pairedRounds({
      rounds: ROUNDS,
      warmup: 1,
      troupe: async () => {
        const perTurn = await troupeTurns(model.url, TURNS);
        http.push(await httpTurns(model.url, TURNS));
        return perTurn;
      },
      baseline: async () =>
        (await runAgentsSdkTurns({ baseURL: model.url, turns: TURNS, workers: WORKERS, workerModel: 'instant' })).perTurnMs,
    });
    reportPaired(
      {
        bench: 'coordinator-overhead',
        unit: 'ms/turn',
        baselineName: '@openai/agents 0.14.3 (asTool workers)',
        target: TARGET,
        lowerIsBetter: true,
      },
      result,
      {
        turns: TURNS,
        workers: WORKERS,
        troupePerWorkerCallMs: round(result.troupe / WORKERS, 3),
        baselinePerWorkerCallMs: round(result.baseline / WORKERS, 3),
        modelRequestsPerTurn: 2,
        httpPerTurnMs: round(median(http), 2),
        troupeFrameworkMs: round(result.troupe - median(http), 2),
        baselineFrameworkMs: round(result.baseline - median(http), 2),
        frameworkRatio: round((result.troupe - median(http)) / (result.baseline - median(http)), 3),
      },
    );
  } finally {
    await model.close();
  }
}

await main();
