/**
 * One supervisor with many children:
 * - `troupe`: time(100k) ÷ time(10k) to start a supervisor with n children and stop it (target ≤ 12;
 *   10 is linear), best of several rounds;
 * - `terminateScaling`: time to `terminateChild` every one of 10k children ÷ the same for 1k
 *   (target ≤ 15; 10 is linear).
 * Baseline: raw XState `createActor(machine).start()` then `stop()` of 100k actors, same run;
 * `ratio` is troupe's 100k start+stop time ÷ XState's.
 */
import { createActor, setup } from 'xstate';
import { createSystem, type SupervisorChildSpec, supervisor, supervisorRef } from '../src/index.js';
import { report } from './report.js';

const BIG = 100_000;
const SMALL = 10_000;
const TERM_BIG = 10_000;
const TERM_SMALL = 1_000;
const ROUNDS = 3;

const idle = setup({ types: { context: {} as { n: number }, events: {} as { type: 'toggle' } } }).createMachine({
  id: 'idle',
  context: { n: 0 },
  initial: 'off',
  states: { off: { on: { toggle: 'on' } }, on: { on: { toggle: 'off' } } },
});

function specs(n: number): SupervisorChildSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: `w${i}`, logic: idle }));
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** ms to start a supervisor with `n` children and stop it again. */
async function startStop(n: number): Promise<number> {
  const children = specs(n);
  const system = createSystem({ node: 'bench' });
  gc();
  const t0 = performance.now();
  const app = system.spawn(supervisor({ children }), { name: 'app' });
  await system.stop(app);
  const ms = performance.now() - t0;
  if (system.stats().actors !== 0) throw new Error('children left behind');
  await system.shutdown();
  return ms;
}

/** ms to terminate each of `n` children through supervisorRef().terminateChild. */
async function terminateEach(n: number): Promise<number> {
  const system = createSystem({ node: 'bench' });
  const app = system.spawn(supervisor({ children: specs(n) }), { name: 'app' });
  const sup = supervisorRef(app, { timeoutMs: 60_000 });
  gc();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => sup.terminateChild(`w${i}`)));
  const ms = performance.now() - t0;
  const counts = await sup.countChildren();
  if (counts.active !== 0 || counts.specs !== n) throw new Error(`unexpected counts ${JSON.stringify(counts)}`);
  await system.shutdown();
  return ms;
}

function xstateStartStop(n: number): number {
  const actors = new Array(n);
  gc();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    actors[i] = createActor(idle);
    actors[i].start();
  }
  for (let i = n - 1; i >= 0; i--) actors[i].stop();
  return performance.now() - t0;
}

async function bestOf(fn: () => Promise<number> | number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ROUNDS; i++) best = Math.min(best, await fn());
  return best;
}

await startStop(SMALL); // warm up
const small = await bestOf(() => startStop(SMALL));
const big = await bestOf(() => startStop(BIG));
await terminateEach(TERM_SMALL); // warm up
const termSmall = await bestOf(() => terminateEach(TERM_SMALL));
const termBig = await bestOf(() => terminateEach(TERM_BIG));
const xstateBig = await bestOf(() => xstateStartStop(BIG));

const scaling = big / small;
const terminateScaling = termBig / termSmall;
report({
  bench: 'supervisor-scale',
  unit: 'time(100k) ÷ time(10k), start+stop of one supervisor',
  troupe: Number(scaling.toFixed(2)),
  ms100k: Math.round(big),
  ms10k: Math.round(small),
  terminateScaling: Number(terminateScaling.toFixed(2)),
  terminateMs10k: Math.round(termBig),
  terminateMs1k: Math.round(termSmall),
  baseline: Math.round(xstateBig),
  baselineName: 'xstate createActor+start+stop ×100k (ms)',
  ratio: Number((big / xstateBig).toFixed(2)),
  target: 'scaling ≤ 12, terminateScaling ≤ 15',
  met: scaling <= 12 && terminateScaling <= 15,
});
