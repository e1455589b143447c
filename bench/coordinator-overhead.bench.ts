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
 * worker call (turn ÷ 8). Both sides pay the same two local HTTP round trips per turn.
 */

import { type CoordinatorResult, createSystem, defineCoordinator, defineWorker, openaiClient } from '../src/index.js';
import { scriptedModel } from '../src/testing/index.js';
import { runAgentsSdkTurns, workerNames, workloadResponder } from './baselines/openai-agents-coordinator.js';
import { pairedRounds, reportPaired, round } from './report.js';

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

async function main(): Promise<void> {
  const model = await scriptedModel(workloadResponder(), { record: false });
  try {
    const result = await pairedRounds({
      rounds: ROUNDS,
      warmup: 1,
      troupe: () => troupeTurns(model.url, TURNS),
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
      },
    );
  } finally {
    await model.close();
  }
}

await main();
