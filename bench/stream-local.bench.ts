/**
 * Chunks/s through a local `fromStream` actor consumed with `for await (… of ref.stream(…))` and
 * the default credit window (64), against the baseline: the same async generator consumed
 * directly with `for await` in the same process. Both sum the chunks, checked to match, so
 * nothing is skipped. The troupe side pays for the protocol — credit grants, a registered
 * consumer, a producer session and one promise hand-off per chunk on each side.
 * Result: chunks/s, troupe ÷ raw generator. Target: ratio ≥ 0.25.
 *
 * Each round runs both sides back to back (alternating which goes first) after two warm-up
 * rounds; the line reports the medians and the median of the per-round paired ratios.
 */
import { createSystem, fromStream } from '../src/index.js';
import { pairedRounds, reportPaired } from './report.js';

const N = 500_000;
const ROUNDS = 9;
const TARGET = 0.25;
const EXPECTED = ((N - 1) * N) / 2;

async function* numbers(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function troupeRound(): Promise<number> {
  const system = createSystem({ node: 'bench' });
  const ref = system.spawn(
    fromStream(() => numbers(N)),
    { name: 'numbers' },
  );
  let sum = 0;
  const t0 = performance.now();
  for await (const n of ref.stream<number>({ type: 'go' })) sum += n;
  const ms = performance.now() - t0;
  await system.shutdown();
  if (sum !== EXPECTED) throw new Error(`troupe stream lost chunks: sum ${sum}, expected ${EXPECTED}`);
  return (N / ms) * 1000;
}

async function rawRound(): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  for await (const n of numbers(N)) sum += n;
  const ms = performance.now() - t0;
  if (sum !== EXPECTED) throw new Error(`raw generator lost chunks: sum ${sum}, expected ${EXPECTED}`);
  return (N / ms) * 1000;
}

// Two warm-up rounds of each side, then ROUNDS paired rounds (see pairedRounds in report.ts).
const result = await pairedRounds({ rounds: ROUNDS, troupe: troupeRound, baseline: rawRound });
reportPaired(
  {
    bench: 'stream-local',
    unit: 'chunks/s',
    baselineName: 'the same async generator consumed directly with for await',
    target: TARGET,
  },
  result,
  { chunks: N, credit: 64 },
);
