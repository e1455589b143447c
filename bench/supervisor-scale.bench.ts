/**
 * One supervisor with many children, against raw XState doing the same amount of work:
 * - `troupe`: ms to start a supervisor with 100k children and stop it; `baseline`: ms to
 *   `createActor(machine).start()` 100k root XState actors and `stop()` them; `ratio` = troupe ÷
 *   XState (both are ms for 100k start+stop — like units).
 * - `scaling`: troupe's time(100k) ÷ time(10k) (target ≤ 12; 10 is linear), beside
 *   `baselineScaling`, XState's.
 * - `terminateScaling`: time to `terminateChild` every one of 10k children ÷ the same for 1k
 *   (target ≤ 15; 10 is linear). XState has no supervisor, so it has no baseline.
 * Each round runs troupe and XState back to back (alternating which goes first) at both sizes;
 * figures are medians of the rounds, with min–max beside.
 */
import { createActor, setup } from 'xstate';
import { createSystem, type SupervisorChildSpec, supervisor, supervisorRef } from '../src/index.js';
import { alternate, gc, paired, rangeFields, reportPaired, round, spread } from './report.js';

const BIG = 100_000;
const SMALL = 10_000;
const TERM_BIG = 10_000;
const TERM_SMALL = 1_000;
const ROUNDS = 5;

const idle = setup({ types: { context: {} as { n: number }, events: {} as { type: 'toggle' } } }).createMachine({
  id: 'idle',
  context: { n: 0 },
  initial: 'off',
  states: { off: { on: { toggle: 'on' } }, on: { on: { toggle: 'off' } } },
});

function specs(n: number): SupervisorChildSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: `w${i}`, logic: idle }));
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

const sizes = async (troupeSide: boolean) => {
  if (troupeSide) return { big: await startStop(BIG), small: await startStop(SMALL) };
  return { big: xstateStartStop(BIG), small: xstateStartStop(SMALL) };
};

const startStops = await alternate({ rounds: ROUNDS, warmup: 1, troupe: () => sizes(true), baseline: () => sizes(false) });
await terminateEach(TERM_SMALL); // warm up
const terminations: { big: number; small: number }[] = [];
for (let r = 0; r < ROUNDS; r++) terminations.push({ big: await terminateEach(TERM_BIG), small: await terminateEach(TERM_SMALL) });
const result = paired(
  ROUNDS,
  startStops.troupe.map((s) => s.big),
  startStops.baseline.map((s) => s.big),
);
const scaling = spread(startStops.troupe.map((s) => s.big / s.small));
const baselineScaling = spread(startStops.baseline.map((s) => s.big / s.small));
const terminateScaling = spread(terminations.map((s) => s.big / s.small));
const small = spread(startStops.troupe.map((s) => s.small));
const termBig = spread(terminations.map((s) => s.big));
const termSmall = spread(terminations.map((s) => s.small));
reportPaired(
  {
    bench: 'supervisor-scale',
    unit: 'ms to start and stop 100k children (troupe: one supervisor; xstate: 100k root actors)',
    baselineName: 'xstate createActor+start+stop ×100k',
    target: 2,
    lowerIsBetter: true,
  },
  result,
  {
    target: 'scaling <= 12, terminateScaling <= 15 (ratio informational)',
    met: scaling.median <= 12 && terminateScaling.median <= 15,
    scaling: round(scaling.median, 2),
    ...rangeFields('scaling', scaling, 2),
    baselineScaling: round(baselineScaling.median, 2),
    ...rangeFields('baselineScaling', baselineScaling, 2),
    ms10k: round(small.median),
    terminateScaling: round(terminateScaling.median, 2),
    ...rangeFields('terminateScaling', terminateScaling, 2),
    terminateMs10k: round(termBig.median),
    terminateMs1k: round(termSmall.median),
  },
);
