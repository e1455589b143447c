/**
 * MAKER reproduced (examples/maker-hanoi.ts): the Towers of Hanoi with BENCH_MAKER_DISKS disks
 * (default 20: 1,048,575 steps), simulated micro-agents with p = 0.01 (wrong, well-formed) and
 * q = 0.005 (malformed), k from kFor (target 0.95). Reports zero errors, steps/s, samples per step and
 * the total against the paper's Θ(s ln s).
 *
 * Orchestration overhead: troupe = time of the voted solve; baseline = issuing the same number of
 * raw asks to the same 8 micro-agent actors in a loop (each step's samples at once, steps one after
 * another), replaying the sample counts of the solve. Paired rounds at BENCH_MAKER_RATIO_DISKS
 * (default 16) alternate which side goes first; the full-size solve and one full-size baseline run
 * once. ratio = baseline time ÷ troupe time (≥ 1/1.5 meets "orchestration ≤ 1.5× raw asks").
 */

import { type Pegs, solveHanoi, spawnAgents } from '../examples/maker-hanoi.js';
import { createSystem, kFor } from '../src/index.js';
import { gc, pairedRounds, report } from './report.js';

const DISKS = Number(process.env.BENCH_MAKER_DISKS ?? 20);
const RATIO_DISKS = Number(process.env.BENCH_MAKER_RATIO_DISKS ?? 16);
const P = 0.01;
const Q = 0.005;
const AGENTS = 8;
const ROUNDS = 3;

const system = createSystem({ node: 'maker-bench' });
const agents = await spawnAgents(system, { count: AGENTS, p: P, q: Q, seed: 7 });

/** Solves `disks` with votes; returns seconds, the report and each step's sample count. */
async function voted(disks: number, k: number) {
  const counts = new Uint8Array(2 ** disks - 1);
  let i = 0;
  const t0 = performance.now();
  const result = await solveHanoi({ agents, disks, k, onStep: (n) => (counts[i++] = n) });
  return { seconds: (performance.now() - t0) / 1000, result, counts };
}

/** The same number of asks, step by step, with no voting: each step's samples at once. */
async function raw(disks: number, counts: Uint8Array): Promise<number> {
  const pegs: Pegs = [Array.from({ length: disks }, (_, i) => disks - i), [], []];
  let next = 0;
  const t0 = performance.now();
  for (let step = 0; step < counts.length; step++) {
    const input = { pegs, step: step % 2, disks };
    const asks: Promise<unknown>[] = [];
    for (let j = 0; j < counts[step]; j++) asks.push(agents[next++ % AGENTS].ask({ type: 'task', input }, { timeoutMs: 30_000 }));
    await Promise.all(asks);
  }
  return (performance.now() - t0) / 1000;
}

const kSmall = kFor({ steps: 2 ** RATIO_DISKS - 1, errorRate: P / (1 - Q), target: 0.95 });
let counts: Uint8Array = new Uint8Array();
const paired = await pairedRounds({
  rounds: ROUNDS,
  warmup: 1,
  troupe: async () => {
    const run = await voted(RATIO_DISKS, kSmall);
    counts = run.counts;
    return 1 / run.seconds;
  },
  baseline: async () => 1 / (await raw(RATIO_DISKS, counts)),
});

gc();
const steps = 2 ** DISKS - 1;
const k = kFor({ steps, errorRate: P / (1 - Q), target: 0.95 });
const full = await voted(DISKS, k);
gc();
const fullRaw = await raw(DISKS, full.counts);
await system.shutdown();

const sLnS = steps * Math.log(steps);
report({
  bench: 'maker-local',
  unit: 'steps/s',
  troupe: Math.round(steps / full.seconds),
  baseline: Math.round(steps / fullRaw),
  baselineName: 'the same asks to the same micro-agents in a loop, no voting',
  ratio: Number(paired.ratio.toFixed(3)),
  target: 'orchestration ≤ 1.5× raw asks: ratio (troupe speed ÷ raw speed) ≥ 0.667',
  met: paired.ratio >= 1 / 1.5 && full.result.errors === 0,
  ratioMin: Number(paired.ratioMin.toFixed(3)),
  ratioMax: Number(paired.ratioMax.toFixed(3)),
  ratioFull: Number((fullRaw / full.seconds).toFixed(3)),
  ratioDisks: RATIO_DISKS,
  rounds: ROUNDS,
  disks: DISKS,
  steps,
  k,
  p: P,
  q: Q,
  agents: AGENTS,
  errors: full.result.errors,
  solved: full.result.solved,
  samples: full.result.samples,
  redFlagged: full.result.redFlagged,
  samplesPerStep: Number((full.result.samples / steps).toFixed(3)),
  seconds: Number(full.seconds.toFixed(1)),
  baselineSeconds: Number(fullRaw.toFixed(1)),
  sLnS: Math.round(sLnS),
  samplesPerSLnS: Number((full.result.samples / sLnS).toFixed(4)),
  kByLog10Steps: Object.fromEntries(
    [3, 4, 5, 6, 7, 8].map((e) => [`1e${e}`, kFor({ steps: 10 ** e, errorRate: P / (1 - Q), target: 0.95 })]),
  ),
  stat: 'troupe/baseline: full-size single run; ratio: median of paired rounds at ratioDisks',
});
