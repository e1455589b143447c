/**
 * A work queue: 200 tasks with priorities over four workers that pull the next task when free;
 * a flaky task is retried with backoff, a late urgent task jumps the queue, and the state is
 * checkpointed to a store. `npx tsx examples/work-queue.ts`
 */
import { z } from 'zod';
import { createSystem, defineWorker, memoryStore, workQueue } from '../src/index.js';

let flakyFailures = 0;
const worker = defineWorker({
  name: 'squarer',
  description: 'Squares a number.',
  input: z.object({ n: z.number() }),
  async run({ input }) {
    if (input.n === 13 && flakyFailures++ < 2) throw new Error('unlucky');
    await new Promise((r) => setTimeout(r, 1));
    return input.n * input.n;
  },
});

/** Runs the example; returns the queue's stats and a few results. */
export async function main(): Promise<{ stats: unknown; first: string; sample: number | undefined; checkpoints: number }> {
  const system = createSystem({ node: 'work-queue' });
  const store = memoryStore();
  const tasks = Array.from({ length: 200 }, (_, n) => ({ id: `n${n}`, input: { n }, priority: n % 10 === 0 ? 1 : 0 }));
  const order: string[] = [];
  system.inspect((e) => {
    if (e.type === '@troupe.pattern' && e.pattern === 'work-queue' && e.step === 'task-done' && e.taskId) order.push(e.taskId);
  });
  const q = workQueue<{ n: number }, number>(system, {
    workers: [{ worker, count: 4 }],
    tasks,
    maxAttempts: 3,
    backoff: { minMs: 5, maxMs: 50 },
    taskTimeoutMs: 5000,
    store,
    runId: 'squares',
  });
  q.add({ id: 'urgent', input: { n: 1000 }, priority: 5 });
  const results = await q.done;
  const checkpoints = (await store.list('work-queue/squares/')).length;
  await system.shutdown();
  return { stats: q.stats(), first: order[0], sample: results.get('n13'), checkpoints };
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((r) => console.log(r));
