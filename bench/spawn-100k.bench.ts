/**
 * Spawns 100k idle actors of a small machine under one parent actor, and reports:
 * - `troupe`: CPU ms to spawn 100k; `baseline`: CPU ms to `createActor(machine).start()` 100k root
 *   XState actors (kept in an array so they stay alive); `ratio` = troupe ÷ XState (target ≤ 1.0).
 *   CPU time of the process (GC threads included), so other processes of a shared machine do not
 *   count; wall-clock figures beside;
 * - `heapPerActorBytes`: heap growth per idle actor after `gc()` (target ≤ 3.0 KB = 3072 B), beside
 *   `baselineHeapPerActorBytes`, XState's;
 * - `scaling`: time(100k) ÷ time(10k) (target ≤ 12; 10 is linear), beside XState's.
 * Each round runs both sides at 10k and at 100k, alternating which side goes first; figures are
 * medians of the rounds with min–max beside, and the ratio is the median of per-round ratios.
 * (`spawn-1m` measures the heap at a million actors, and stopping them.)
 */
import { createActor, setup } from 'xstate';
import { type ActorRef, createSystem } from '../src/index.js';
import { alternate, elapsed, median, paired, rangeFields, reportPaired, round, spread, stamp } from './report.js';

const BIG = 100_000;
const SMALL = 10_000;
const ROUNDS = 5;
const TIME_TARGET_RATIO = 1.0;
const HEAP_TARGET_BYTES = 3.0 * 1024;
const SCALING_TARGET = 12;

/** A small idle machine: two states, a context, one event. */
const idle = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'toggle' } },
}).createMachine({
  id: 'idle',
  context: { n: 0 },
  initial: 'off',
  states: {
    off: { on: { toggle: 'on' } },
    on: { on: { toggle: 'off' } },
  },
});

const parentLogic = setup({}).createMachine({ id: 'parent' });

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  g();
  g();
}

interface Sample {
  /** CPU ms (the head figure: what other processes take does not count). */
  ms: number;
  wallMs: number;
  heapPerActor: number;
}

/** Spawns `n` children under one parent; measures time and (when `heap`) heap per actor. */
async function troupeSpawn(n: number, heap: boolean): Promise<Sample> {
  const system = createSystem({ node: 'bench' });
  const parent = system.spawn(parentLogic, { name: 'parent' });
  const refs: ActorRef[] = new Array(n);
  if (heap) gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = stamp();
  for (let i = 0; i < n; i++) refs[i] = system.spawn(idle, { parent });
  const { cpu: ms, wall: wallMs } = elapsed(t0);
  let heapPerActor = 0;
  if (heap) {
    gc();
    heapPerActor = (process.memoryUsage().heapUsed - before) / n;
  }
  if (system.stats(parent)?.children !== n) throw new Error('troupe: wrong child count');
  await system.shutdown();
  refs.length = 0;
  return { ms, wallMs, heapPerActor };
}

function xstateSpawn(n: number, heap: boolean): Sample {
  const actors: ReturnType<typeof createActor<typeof idle>>[] = new Array(n);
  if (heap) gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = stamp();
  for (let i = 0; i < n; i++) actors[i] = createActor(idle).start();
  const { cpu: ms, wall: wallMs } = elapsed(t0);
  let heapPerActor = 0;
  if (heap) {
    gc();
    heapPerActor = (process.memoryUsage().heapUsed - before) / n;
  }
  for (const a of actors) a.stop();
  return { ms, wallMs, heapPerActor };
}

interface Round {
  small: number;
  big: Sample;
}

const rounds = await alternate<Round>({
  rounds: ROUNDS,
  warmup: 1,
  troupe: async () => ({ small: (await troupeSpawn(SMALL, false)).ms, big: await troupeSpawn(BIG, true) }),
  baseline: () => ({ small: xstateSpawn(SMALL, false).ms, big: xstateSpawn(BIG, true) }),
});
const result = paired(
  ROUNDS,
  rounds.troupe.map((r) => r.big.ms),
  rounds.baseline.map((r) => r.big.ms),
);
const heap = spread(rounds.troupe.map((r) => r.big.heapPerActor));
const xHeap = spread(rounds.baseline.map((r) => r.big.heapPerActor));
const scaling = spread(rounds.troupe.map((r) => r.big.ms / r.small));
const xScaling = spread(rounds.baseline.map((r) => r.big.ms / r.small));
const timeMet = result.ratio <= TIME_TARGET_RATIO;
const heapMet = heap.median <= HEAP_TARGET_BYTES;
const scalingMet = scaling.median <= SCALING_TARGET;
reportPaired(
  {
    bench: 'spawn-100k',
    unit: 'CPU ms per 100k spawns',
    baselineName: 'xstate createActor().start() ×100k',
    target: TIME_TARGET_RATIO,
    lowerIsBetter: true,
  },
  result,
  {
    target: `ratio <= ${TIME_TARGET_RATIO}, heap/actor <= ${HEAP_TARGET_BYTES} B, time(100k)/time(10k) <= ${SCALING_TARGET}`,
    met: timeMet && heapMet && scalingMet,
    timeMet,
    heapPerActorBytes: Math.round(heap.median),
    ...rangeFields('heapPerActorBytes', heap),
    baselineHeapPerActorBytes: Math.round(xHeap.median),
    ...rangeFields('baselineHeapPerActorBytes', xHeap),
    heapMet,
    scaling: round(scaling.median, 2),
    ...rangeFields('scaling', scaling, 2),
    baselineScaling: round(xScaling.median, 2),
    scalingMet,
    wallMs: round(median(rounds.troupe.map((r) => r.big.wallMs))),
    baselineWallMs: round(median(rounds.baseline.map((r) => r.big.wallMs))),
    wallRatio: round(median(rounds.troupe.map((r, i) => r.big.wallMs / rounds.baseline[i].big.wallMs)), 3),
    ms10k: round(median(rounds.troupe.map((r) => r.small))),
    baselineMs10k: round(median(rounds.baseline.map((r) => r.small))),
  },
);
