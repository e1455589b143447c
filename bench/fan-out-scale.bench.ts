/**
 * fanOut over K local workers (K = 1k, 10k, 100k; BENCH_FANOUT_K overrides the largest): one worker
 * actor spawned per item under the fan-out's scope, asked one task, stopped; 256 items in flight.
 * Figures: items/s at the largest K, and scaling = time(K) ÷ time(K/10) (10 is linear). Baseline, in
 * the same process and alternated round by round: the same work by hand — `system.spawn` + `ask`
 * + `system.stop` per item, 256 at a time — with no scope, progress or result bookkeeping.
 * ratio = troupe items/s ÷ baseline items/s. Target: scaling ≤ 12 and ratio ≥ 0.7.
 */
import { sendTo, setup } from 'xstate';
import { createSystem, fanOut, type ReplyTo } from '../src/index.js';
import { pairedRounds, report } from './report.js';

const LARGEST = Number(process.env.BENCH_FANOUT_K ?? 100_000);
const CONCURRENCY = 256;
const ROUNDS = 3;

const worker = setup({ types: { events: {} as { type: 'task'; input: number; taskId?: string; replyTo: ReplyTo } } }).createMachine({
  on: {
    task: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ event }) => ({ type: 'result', output: event.input + 1, taskId: event.taskId }),
      ),
    },
  },
});

const system = createSystem({ node: 'fan-out-bench' });

async function troupe(k: number): Promise<number> {
  const items = Array.from({ length: k }, (_, i) => i);
  const t0 = performance.now();
  const results = await fanOut<number, number>(system, { worker, items, concurrency: CONCURRENCY, timeoutMs: 30_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (results.length !== k || results.some((r) => r.status !== 'ok')) throw new Error('fan-out lost items');
  if (system.stats().actors !== 0) throw new Error(`fan-out left ${system.stats().actors} actors`);
  return seconds;
}

async function byHand(k: number): Promise<number> {
  let next = 0;
  const out = new Array<number>(k);
  const t0 = performance.now();
  const loop = async () => {
    while (next < k) {
      const i = next++;
      const ref = system.spawn(worker);
      out[i] = (await ref.ask<{ output: number }>({ type: 'task', input: i }, { timeoutMs: 30_000 })).output;
      await system.stop(ref);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return (performance.now() - t0) / 1000;
}

const sizes = [LARGEST / 100, LARGEST / 10, LARGEST];
const seconds = new Map<number, number>();
for (const k of sizes) seconds.set(k, await troupe(k)); // one pass of each size for the scaling figure
const paired = await pairedRounds({
  rounds: ROUNDS,
  warmup: 1,
  troupe: async () => LARGEST / (await troupe(LARGEST)),
  baseline: async () => LARGEST / (await byHand(LARGEST)),
});
await system.shutdown();

const scaling = (seconds.get(LARGEST) as number) / (seconds.get(LARGEST / 10) as number);
report({
  bench: 'fan-out-scale',
  unit: 'items/s',
  troupe: Math.round(paired.troupe),
  baseline: Math.round(paired.baseline),
  baselineName: 'spawn + ask + stop per item by hand, same concurrency',
  ratio: Number(paired.ratio.toFixed(3)),
  target: 'scaling ≤ 12 (time(K) ÷ time(K/10)) and ratio ≥ 0.7',
  met: scaling <= 12 && paired.ratio >= 0.7,
  scaling: Number(scaling.toFixed(2)),
  secondsByK: Object.fromEntries(sizes.map((k) => [k, Number((seconds.get(k) as number).toFixed(3))])),
  ratioMin: Number(paired.ratioMin.toFixed(3)),
  ratioMax: Number(paired.ratioMax.toFixed(3)),
  rounds: ROUNDS,
  concurrency: CONCURRENCY,
  stat: 'troupe/baseline: median of paired rounds at the largest K; scaling: one pass per K',
});
