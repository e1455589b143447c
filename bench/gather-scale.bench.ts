/**
 * A fan-out of K tasks to K fresh workers, at K = 1,000, 10,000 and 100,000:
 *
 * - troupe: spawn K idle workers of a small machine under one parent, `gather` one
 *   `{ type: 'task', n }` over their refs (every worker answers with
 *   `sendTo(({ event }) => event.replyTo, …)`), check every result is ok, then stop the parent.
 * - baseline: the same worker machine wired in raw XState: `createActor(worker).start()` × K, one
 *   `send({ type: 'task', n, i, replyTo: collector })` to each, where `collector` is a
 *   `fromTransition` actor that stores reply i at index i and calls a latch at K; then `stop()`
 *   every worker. No timeouts, no reply addresses, no promise per task, no mailbox.
 *
 * Result: CPU µs per task (whole fan-out ÷ K; process CPU time, so what other processes of a
 * shared machine take does not count) at K = 10,000, troupe ÷ raw (target ≤ 1.5), and troupe's
 * time(100k) ÷ time(10k) in CPU time (target ≤ 11; 10 is linear); wall-clock figures beside. Extras: the same figures for the
 * gather alone (workers already running: gather call to last result, against the K sends), and
 * both sides' figures at every K. Each round runs both sides at every K, alternating which side
 * goes first; figures are medians of the rounds with min–max beside.
 */
import { createActor, fromTransition, sendTo, setup } from 'xstate';
import { type ActorRef, createSystem, gather, type ReplyTo } from '../src/index.js';
import { alternate, elapsed, median, paired, rangeFields, reportPaired, round, type Stamp, spread, stamp } from './report.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const ROUNDS = 5;
const RATIO_TARGET = 1.5;
const SCALING_TARGET = 11;

type Task = { type: 'task'; n: number; i?: number; replyTo: ReplyTo };

const worker = setup({ types: { events: {} as Task } }).createMachine({
  id: 'worker',
  on: {
    task: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ event }) => ({ type: 'result', i: event.i, value: event.n * 2 }),
      ),
    },
  },
});

const parentLogic = setup({}).createMachine({ id: 'parent' });

let done: () => void = () => {};
const latch = () => new Promise<void>((resolve) => (done = resolve));

/** Stores reply i at index i; calls the latch when it has K. */
const collector = fromTransition(
  (state: { results: unknown[]; count: number }, event: { type: 'result'; i: number }) => {
    state.results[event.i] = event;
    if (++state.count === state.results.length) done();
    return state;
  },
  ({ input }: { input: { k: number } }) => ({ results: new Array(input.k), count: 0 }),
);

/** ms of the whole fan-out (spawn, gather, stop) and of the gather alone, on both clocks. */
interface Timing {
  total: Stamp;
  gather: Stamp;
}

async function troupeFanOut(k: number): Promise<Timing> {
  const system = createSystem({ node: 'bench' });
  const parent = system.spawn(parentLogic, { name: 'parent' });
  const t0 = stamp();
  const refs: ActorRef[] = new Array(k);
  for (let i = 0; i < k; i++) refs[i] = system.spawn(worker, { parent });
  const t1 = stamp();
  const results = await gather<{ value: number }>(refs, { type: 'task', n: 21 }, { timeoutMs: 300_000 });
  const t2 = stamp();
  await system.stop(parent);
  const t3 = stamp();
  for (const r of results) if (r.status !== 'ok' || r.value.value !== 42) throw new Error(`troupe: a task failed: ${r.status}`);
  await system.shutdown();
  return { total: elapsed(t0, t3), gather: elapsed(t1, t2) };
}

async function xstateFanOut(k: number): Promise<Timing> {
  const sink = createActor(collector, { input: { k } }).start();
  const finished = latch();
  const t0 = stamp();
  const workers = new Array(k);
  for (let i = 0; i < k; i++) workers[i] = createActor(worker).start();
  const t1 = stamp();
  for (let i = 0; i < k; i++) workers[i].send({ type: 'task', n: 21, i, replyTo: sink });
  await finished;
  const t2 = stamp();
  for (let i = 0; i < k; i++) workers[i].stop();
  const t3 = stamp();
  const { results } = sink.getSnapshot().context;
  for (const r of results) if ((r as { value?: number } | undefined)?.value !== 42) throw new Error('xstate: a task failed');
  sink.stop();
  return { total: elapsed(t0, t3), gather: elapsed(t1, t2) };
}

async function all(side: (k: number) => Promise<Timing>): Promise<Timing[]> {
  const out: Timing[] = [];
  for (const k of SIZES) out.push(await side(k));
  return out;
}

const rounds = await alternate({ rounds: ROUNDS, warmup: 1, troupe: () => all(troupeFanOut), baseline: () => all(xstateFanOut) });
/** µs per task of each round at SIZES[index], on the `clock`. */
const at = (side: Timing[][], index: number, what: keyof Timing, clock: keyof Stamp = 'cpu') =>
  side.map((r) => (r[index][what][clock] * 1000) / SIZES[index]);
const TEN_K = SIZES.indexOf(10_000);
const HUNDRED_K = SIZES.indexOf(100_000);
const result = paired(ROUNDS, at(rounds.troupe, TEN_K, 'total'), at(rounds.baseline, TEN_K, 'total'));
const wall = paired(ROUNDS, at(rounds.troupe, TEN_K, 'total', 'wall'), at(rounds.baseline, TEN_K, 'total', 'wall'));
const gatherOnly = paired(ROUNDS, at(rounds.troupe, TEN_K, 'gather'), at(rounds.baseline, TEN_K, 'gather'));
const scalingOf = (side: Timing[][], what: keyof Timing) => spread(side.map((r) => r[HUNDRED_K][what].cpu / r[TEN_K][what].cpu));
const scaling = scalingOf(rounds.troupe, 'total');
const gatherScaling = scalingOf(rounds.troupe, 'gather');
const baselineScaling = scalingOf(rounds.baseline, 'total');

const perK: Record<string, number> = {};
SIZES.forEach((k, i) => {
  perK[`usPerTask${k}`] = round(median(at(rounds.troupe, i, 'total')), 2);
  perK[`baselineUsPerTask${k}`] = round(median(at(rounds.baseline, i, 'total')), 2);
  perK[`gatherUsPerTask${k}`] = round(median(at(rounds.troupe, i, 'gather')), 2);
  perK[`baselineGatherUsPerTask${k}`] = round(median(at(rounds.baseline, i, 'gather')), 2);
});

const ratioMet = result.ratio <= RATIO_TARGET;
const scalingMet = scaling.median <= SCALING_TARGET;
reportPaired(
  {
    bench: 'gather-scale',
    unit: 'CPU µs per task at K = 10,000 (spawn K workers + gather + stop)',
    baselineName: 'same worker machine in raw XState: createActor ×K, send each a task replying to a collector actor, stop',
    target: RATIO_TARGET,
    lowerIsBetter: true,
  },
  result,
  {
    target: `ratio <= ${RATIO_TARGET}, time(100k)/time(10k) <= ${SCALING_TARGET}`,
    met: ratioMet && scalingMet,
    ratioMet,
    scaling: round(scaling.median, 2),
    ...rangeFields('scaling', scaling, 2),
    scalingMet,
    baselineScaling: round(baselineScaling.median, 2),
    wallUsPerTask: round(wall.troupe, 2),
    baselineWallUsPerTask: round(wall.baseline, 2),
    wallRatio: round(wall.ratio, 3),
    ...rangeFields('wallRatio', { median: wall.ratio, min: wall.ratioMin, max: wall.ratioMax }, 3),
    gatherOnlyUsPerTask: round(gatherOnly.troupe, 2),
    ...rangeFields('gatherOnlyUsPerTask', spread(at(rounds.troupe, TEN_K, 'gather')), 2),
    baselineGatherOnlyUsPerTask: round(gatherOnly.baseline, 2),
    gatherOnlyRatio: round(gatherOnly.ratio, 3),
    ...rangeFields('gatherOnlyRatio', { median: gatherOnly.ratio, min: gatherOnly.ratioMin, max: gatherOnly.ratioMax }, 3),
    gatherOnlyScaling: round(gatherScaling.median, 2),
    ...rangeFields('gatherOnlyScaling', gatherScaling, 2),
    ...perK,
  },
);
