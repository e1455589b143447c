/**
 * A million idle actors under one parent, in Node's default heap:
 *
 * - troupe: spawn N idle actors of a small two-state machine under one parent actor, then stop the
 *   parent (which stops all N).
 * - baseline: `createActor(machine).start()` N root XState actors of the same machine (kept in an
 *   array), then `stop()` each. (XState's own `spawnChild` is quadratic in a parent's children, so
 *   root actors are its best case.)
 *
 * Every round of each side runs in a fresh child process (no `--max-old-space-size`: Node's default
 * heap limit), so one side's heap never carries into the other and a side that runs out of heap
 * shows up as `fits: false` instead of killing the bench. Rounds alternate which side goes first.
 * Result: heap per idle actor after `gc()` (heapUsed growth ÷ N), troupe ÷ XState; targets: troupe
 * ≤ 3,072 B per actor and every troupe round fits; stop time ≤ 2× XState's. Extras: spawn and stop
 * time (CPU ms of the process, GC threads included; wall ms beside), RSS, each a median with
 * min–max.
 *
 * `BENCH_ACTORS` (default 1,000,000) and `BENCH_ROUNDS` (default 3) shrink it for a quick run.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createActor, setup } from 'xstate';
import { createSystem } from '../src/index.js';
import { elapsed, gc, median, rangeFields, report, round, spread, stamp } from './report.js';

const N = Number(process.env.BENCH_ACTORS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HEAP_TARGET_BYTES = 3 * 1024;
const STOP_TARGET_RATIO = 2;

const idle = setup({ types: { context: {} as { n: number }, events: {} as { type: 'toggle' } } }).createMachine({
  id: 'idle',
  context: { n: 0 },
  initial: 'off',
  states: { off: { on: { toggle: 'on' } }, on: { on: { toggle: 'off' } } },
});

const parentLogic = setup({}).createMachine({ id: 'parent' });

/** What one side reports from its child process. */
interface Sample {
  /** CPU ms (GC threads included): what other processes of a shared machine take does not count. */
  spawnMs: number;
  heapPerActor: number;
  rssMb: number;
  /** CPU ms. */
  stopMs: number;
  spawnWallMs: number;
  stopWallMs: number;
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function troupeSide(n: number): Promise<Sample> {
  const system = createSystem({ node: 'bench' });
  const parent = system.spawn(parentLogic, { name: 'parent' });
  const before = heapUsed();
  const t0 = stamp();
  for (let i = 0; i < n; i++) system.spawn(idle, { parent });
  const { cpu: spawnMs, wall: spawnWallMs } = elapsed(t0);
  const heapPerActor = (heapUsed() - before) / n;
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  if (system.stats(parent)?.children !== n) throw new Error('troupe: wrong child count');
  const t1 = stamp();
  await system.stop(parent);
  const { cpu: stopMs, wall: stopWallMs } = elapsed(t1);
  if (system.stats().actors !== 0) throw new Error(`troupe: ${system.stats().actors} actors left after stopping the parent`);
  await system.shutdown();
  return { spawnMs, heapPerActor, rssMb, stopMs, spawnWallMs, stopWallMs };
}

function xstateSide(n: number): Sample {
  const actors: ReturnType<typeof createActor<typeof idle>>[] = new Array(n);
  const before = heapUsed();
  const t0 = stamp();
  for (let i = 0; i < n; i++) actors[i] = createActor(idle).start();
  const { cpu: spawnMs, wall: spawnWallMs } = elapsed(t0);
  const heapPerActor = (heapUsed() - before) / n;
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const t1 = stamp();
  for (let i = n - 1; i >= 0; i--) actors[i].stop();
  const { cpu: stopMs, wall: stopWallMs } = elapsed(t1);
  return { spawnMs, heapPerActor, rssMb, stopMs, spawnWallMs, stopWallMs };
}

/** Runs one side in a fresh child process; `undefined` if it died (out of heap). */
function inChild(side: 'troupe' | 'xstate'): Promise<Sample | undefined> {
  const child = fork(fileURLToPath(import.meta.url), ['--side', side], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'ignore', 'ipc'],
  });
  return new Promise((resolve) => {
    let sample: Sample | undefined;
    child.on('message', (m) => (sample = m as Sample));
    child.once('exit', () => resolve(sample));
  });
}

async function main(): Promise<void> {
  const troupe: (Sample | undefined)[] = [];
  const xstate: (Sample | undefined)[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      troupe.push(await inChild('troupe'));
      xstate.push(await inChild('xstate'));
    } else {
      xstate.push(await inChild('xstate'));
      troupe.push(await inChild('troupe'));
    }
  }
  const ok = (samples: (Sample | undefined)[]) => samples.filter((s): s is Sample => s !== undefined);
  const t = ok(troupe);
  const x = ok(xstate);
  const fits = t.length === ROUNDS;
  const figure = (samples: Sample[], key: keyof Sample) => spread(samples.map((s) => s[key]));
  const pairs = troupe.flatMap((s, i) => (s !== undefined && xstate[i] !== undefined ? [[s, xstate[i] as Sample] as const] : []));
  const heapRatio = spread(pairs.map(([a, b]) => a.heapPerActor / b.heapPerActor));
  const stopRatio = spread(pairs.map(([a, b]) => a.stopMs / b.stopMs));
  const spawnRatio = spread(pairs.map(([a, b]) => a.spawnMs / b.spawnMs));
  if (t.length === 0 || x.length === 0) {
    report({
      bench: 'spawn-1m',
      unit: 'bytes of heap per idle actor',
      troupe: Number.NaN,
      baselineName: `xstate createActor().start() ×${N}`,
      target: `fits Node's default heap, heap/actor <= ${HEAP_TARGET_BYTES} B, stop <= ${STOP_TARGET_RATIO}× xstate`,
      met: false,
      fits,
      troupeRoundsFinished: t.length,
      baselineRoundsFinished: x.length,
      actors: N,
      rounds: ROUNDS,
    });
    return;
  }
  const heap = figure(t, 'heapPerActor');
  const heapMet = heap.median <= HEAP_TARGET_BYTES;
  const stopMet = stopRatio.median <= STOP_TARGET_RATIO;
  report({
    bench: 'spawn-1m',
    unit: 'bytes of heap per idle actor',
    troupe: Math.round(heap.median),
    baseline: Math.round(median(x.map((s) => s.heapPerActor))),
    baselineName: `xstate createActor().start() ×${N} (root actors)`,
    ratio: round(heapRatio.median, 3),
    target: `fits Node's default heap, heap/actor <= ${HEAP_TARGET_BYTES} B, stop <= ${STOP_TARGET_RATIO}× xstate`,
    met: fits && heapMet && stopMet,
    fits,
    heapMet,
    stopMet,
    actors: N,
    rounds: ROUNDS,
    troupeRoundsFinished: t.length,
    stat: 'median of rounds (min-max beside); ratios: median of per-round ratios',
    ...rangeFields('troupe', heap),
    ...rangeFields('baseline', figure(x, 'heapPerActor')),
    ...rangeFields('ratio', heapRatio, 3),
    stopMs: round(figure(t, 'stopMs').median),
    ...rangeFields('stopMs', figure(t, 'stopMs')),
    baselineStopMs: round(figure(x, 'stopMs').median),
    ...rangeFields('baselineStopMs', figure(x, 'stopMs')),
    stopRatio: round(stopRatio.median, 3),
    ...rangeFields('stopRatio', stopRatio, 3),
    spawnMs: round(figure(t, 'spawnMs').median),
    ...rangeFields('spawnMs', figure(t, 'spawnMs')),
    baselineSpawnMs: round(figure(x, 'spawnMs').median),
    ...rangeFields('baselineSpawnMs', figure(x, 'spawnMs')),
    spawnRatio: round(spawnRatio.median, 3),
    stopWallMs: round(figure(t, 'stopWallMs').median),
    baselineStopWallMs: round(figure(x, 'stopWallMs').median),
    spawnWallMs: round(figure(t, 'spawnWallMs').median),
    baselineSpawnWallMs: round(figure(x, 'spawnWallMs').median),
    rssMb: round(figure(t, 'rssMb').median),
    baselineRssMb: round(figure(x, 'rssMb').median),
  });
}

const sideArg = process.argv.indexOf('--side');
if (sideArg === -1) await main();
else {
  const side = process.argv[sideArg + 1];
  const sample = side === 'troupe' ? await troupeSide(N) : xstateSide(N);
  process.send?.(sample);
  process.disconnect?.();
}
