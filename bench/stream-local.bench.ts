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
import { median, report } from './report.js';

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

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

for (let i = 0; i < 2; i++) {
  await troupeRound();
  await rawRound();
}

const troupe: number[] = [];
const baseline: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  gc();
  if (r % 2 === 0) {
    troupe.push(await troupeRound());
    gc();
    baseline.push(await rawRound());
  } else {
    baseline.push(await rawRound());
    gc();
    troupe.push(await troupeRound());
  }
}

const pairRatios = troupe.map((t, i) => t / baseline[i]);
const ratio = median(pairRatios);
report({
  bench: 'stream-local',
  unit: 'chunks/s',
  troupe: Math.round(median(troupe)),
  baseline: Math.round(median(baseline)),
  baselineName: 'the same async generator consumed directly with for await',
  ratio: Number(ratio.toFixed(3)),
  target: `ratio >= ${TARGET}`,
  met: ratio >= TARGET,
  rounds: ROUNDS,
  chunks: N,
  credit: 64,
  stat: 'median of rounds; ratio: median of per-round paired ratios',
  troupeBest: Math.round(Math.max(...troupe)),
  baselineBest: Math.round(Math.max(...baseline)),
  ratioMin: Number(Math.min(...pairRatios).toFixed(3)),
  ratioMax: Number(Math.max(...pairRatios).toFixed(3)),
});
