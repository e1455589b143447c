/**
 * Spawns 100k idle actors of a small machine under one parent actor, and reports:
 * - `troupe`: ms to spawn 100k (target < 2000 ms), best of several rounds;
 * - `heapPerActorBytes`: heap growth per idle actor after `gc()` (target ≤ 3.5 KB = 3584 B);
 * - `scaling`: time(100k) ÷ time(10k) (target ≤ 12; 10 is linear).
 * Baseline: raw XState `createActor(machine).start()` of the same machine 100k times (kept in an
 * array so they stay alive), same figures. `ratio` is troupe time ÷ XState time (lower is better).
 */
import { createActor, setup } from 'xstate';
import { type ActorRef, createSystem } from '../src/index.js';
import { median, report } from './report.js';

const BIG = 100_000;
const SMALL = 10_000;
const ROUNDS = 5;
const TIME_TARGET_MS = 2000;
const HEAP_TARGET_BYTES = 3.5 * 1024;
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
  ms: number;
  heapPerActor: number;
}

/** Spawns `n` children under one parent; measures time and (when `heap`) heap per actor. */
async function troupeSpawn(n: number, heap: boolean): Promise<Sample> {
  const system = createSystem({ node: 'bench' });
  const parent = system.spawn(parentLogic, { name: 'parent' });
  const refs: ActorRef[] = new Array(n);
  if (heap) gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) refs[i] = system.spawn(idle, { parent });
  const ms = performance.now() - t0;
  let heapPerActor = 0;
  if (heap) {
    gc();
    heapPerActor = (process.memoryUsage().heapUsed - before) / n;
  }
  if (system.stats(parent)?.children !== n) throw new Error('troupe: wrong child count');
  await system.shutdown();
  refs.length = 0;
  return { ms, heapPerActor };
}

function xstateSpawn(n: number, heap: boolean): Sample {
  const actors: ReturnType<typeof createActor<typeof idle>>[] = new Array(n);
  if (heap) gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) actors[i] = createActor(idle).start();
  const ms = performance.now() - t0;
  let heapPerActor = 0;
  if (heap) {
    gc();
    heapPerActor = (process.memoryUsage().heapUsed - before) / n;
  }
  for (const a of actors) a.stop();
  return { ms, heapPerActor };
}

// Warm-up (JIT), not timed.
await troupeSpawn(SMALL, false);
xstateSpawn(SMALL, false);

const t100: Sample[] = [];
const x100: Sample[] = [];
const t10: number[] = [];
const x10: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  gc();
  t10.push((await troupeSpawn(SMALL, false)).ms);
  gc();
  x10.push(xstateSpawn(SMALL, false).ms);
  gc();
  t100.push(await troupeSpawn(BIG, true));
  gc();
  x100.push(xstateSpawn(BIG, true));
}

const tBig = Math.min(...t100.map((s) => s.ms));
const xBig = Math.min(...x100.map((s) => s.ms));
const tSmall = Math.min(...t10);
const xSmall = Math.min(...x10);
const heap = median(t100.map((s) => s.heapPerActor));
const xHeap = median(x100.map((s) => s.heapPerActor));
const scaling = tBig / tSmall;
const timeMet = tBig < TIME_TARGET_MS;
const heapMet = heap <= HEAP_TARGET_BYTES;
const scalingMet = scaling <= SCALING_TARGET;
report({
  bench: 'spawn-100k',
  unit: 'ms per 100k spawns',
  troupe: Number(tBig.toFixed(1)),
  baseline: Number(xBig.toFixed(1)),
  baselineName: 'xstate createActor().start() ×100k',
  ratio: Number((tBig / xBig).toFixed(3)),
  target: `time < ${TIME_TARGET_MS} ms, heap/actor <= ${HEAP_TARGET_BYTES} B, time(100k)/time(10k) <= ${SCALING_TARGET}`,
  met: timeMet && heapMet && scalingMet,
  timeMet,
  heapPerActorBytes: Math.round(heap),
  baselineHeapPerActorBytes: Math.round(xHeap),
  heapMet,
  scaling: Number(scaling.toFixed(2)),
  baselineScaling: Number((xBig / xSmall).toFixed(2)),
  scalingMet,
  ms10k: Number(tSmall.toFixed(1)),
  baselineMs10k: Number(xSmall.toFixed(1)),
  troupeMedianMs: Number(median(t100.map((s) => s.ms)).toFixed(1)),
  baselineMedianMs: Number(median(x100.map((s) => s.ms)).toFixed(1)),
  rounds: ROUNDS,
  stat: 'time: best; heap: median',
});
