/**
 * Local one-way tell throughput with a `fromTransition` counter: troupe `ref.send` × N ÷ nact
 * `dispatch` × N into a stateful nact counter. Both sides detect completion the same way: the
 * counter calls a latch when its count reaches N. Target: ratio ≥ 1.0.
 *
 * Each round runs both sides back to back (alternating which goes first) on a fresh system; the
 * line reports the median of each side and the median of the per-round ratios, with the best
 * rounds and the ratio range as extras.
 */
import { dispatch, spawn, start, stop } from 'nact';
import { fromTransition } from 'xstate';
import { createSystem } from '../src/index.js';
import { median, report } from './report.js';

const N = 200_000;
const ROUNDS = 9;
const TARGET = 1.0;

/** Called by whichever counter reaches N. */
let done: () => void = () => {};
const latch = () => new Promise<void>((resolve) => (done = resolve));

const troupeCounter = fromTransition((count: number, _event: { type: 'inc' }) => {
  const next = count + 1;
  if (next === N) done();
  return next;
}, 0);

async function troupeRound(): Promise<number> {
  const system = createSystem({ node: 'bench' });
  const ref = system.spawn(troupeCounter, { name: 'counter' });
  const finished = latch();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) ref.send({ type: 'inc' });
  await finished;
  const ms = performance.now() - t0;
  await system.shutdown();
  return (N / ms) * 1000;
}

async function nactRound(): Promise<number> {
  const system = start();
  const ref = spawn(system, (count: number = 0, _msg: { type: 'inc' }) => {
    const next = count + 1;
    if (next === N) done();
    return next;
  });
  const finished = latch();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) dispatch(ref, { type: 'inc' });
  await finished;
  const ms = performance.now() - t0;
  stop(system);
  return (N / ms) * 1000;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

for (let i = 0; i < 2; i++) {
  await troupeRound();
  await nactRound();
}

const troupe: number[] = [];
const baseline: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  gc();
  if (r % 2 === 0) {
    troupe.push(await troupeRound());
    gc();
    baseline.push(await nactRound());
  } else {
    baseline.push(await nactRound());
    gc();
    troupe.push(await troupeRound());
  }
}

// Each round's pair ran back to back, so its ratio is the least disturbed by load from other
// processes; the line's ratio is the median of those paired ratios.
const pairRatios = troupe.map((t, i) => t / baseline[i]);
const ratio = median(pairRatios);
report({
  bench: 'local-tell-nact',
  unit: 'msg/s',
  troupe: Math.round(median(troupe)),
  baseline: Math.round(median(baseline)),
  baselineName: 'nact 7.6.2 dispatch (stateful spawn)',
  ratio: Number(ratio.toFixed(3)),
  target: `ratio >= ${TARGET}`,
  met: ratio >= TARGET,
  rounds: ROUNDS,
  messages: N,
  stat: 'median of rounds; ratio: median of per-round paired ratios',
  troupeBest: Math.round(Math.max(...troupe)),
  baselineBest: Math.round(Math.max(...baseline)),
  ratioMin: Number(Math.min(...pairRatios).toFixed(3)),
  ratioMax: Number(Math.max(...pairRatios).toFixed(3)),
});
