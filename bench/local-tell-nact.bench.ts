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
import { pairedRounds, reportPaired } from './report.js';

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

// Two warm-up rounds of each side, then ROUNDS paired rounds (see pairedRounds in report.ts).
const result = await pairedRounds({ rounds: ROUNDS, troupe: troupeRound, baseline: nactRound });
reportPaired(
  {
    bench: 'local-tell-nact',
    unit: 'msg/s',
    baselineName: 'nact 7.6.2 dispatch (stateful spawn)',
    target: TARGET,
  },
  result,
  { messages: N },
);
