/**
 * Restart latency of a supervised child: from sending the message that crashes it to the reply of
 * the restarted child to the next message (crash → exit → supervisor decision → fresh XState actor
 * → the queued ask handled). Reports the median (`troupe`) and p99 in µs; target median ≤ 1000 µs.
 * Baseline: raw XState `createActor(machine).start()` of the same machine, same run (the part of a
 * restart that XState itself costs). `ratio` is troupe median ÷ baseline median.
 * Rounds of SAMPLES each alternate troupe and XState (which goes first alternates), after a warm-up
 * round of each; `troupe`/`baseline` are medians over every sample, with the range of the round
 * medians beside, and the ratio is the median of the per-round ratios of medians.
 */
import { createActor, sendTo, setup } from 'xstate';
import { createSystem, type ReplyTo, supervisor } from '../src/index.js';
import { alternate, median, percentile, rangeFields, report, round, spread } from './report.js';

const WARMUP = 500;
const SAMPLES = 1000;
const ROUNDS = 7;
const TARGET_US = 1000;

const worker = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'crash' } | { type: 'get'; replyTo: ReplyTo } },
}).createMachine({
  id: 'worker',
  context: { n: 0 },
  on: {
    crash: {
      actions: () => {
        throw new Error('crash');
      },
    },
    get: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'count', value: context.n }),
      ),
    },
  },
});

async function troupeLatencies(): Promise<number[]> {
  const system = createSystem({ node: 'bench' });
  // A restart budget no run can exhaust: every sample is a restart, never an escalation.
  system.spawn(supervisor({ intensity: 1_000_000_000, periodMs: 1, children: [{ id: 'w', logic: worker }] }), { name: 'app' });
  const w = system.lookup('app/w');
  if (w === undefined) throw new Error('worker did not start');
  const out: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const t0 = performance.now();
    w.send({ type: 'crash' });
    await w.ask({ type: 'get' }, { timeoutMs: 5000 });
    const us = (performance.now() - t0) * 1000;
    if (i >= WARMUP) out.push(us);
  }
  const restarts = system.stats(w)?.restarts ?? 0;
  if (restarts !== WARMUP + SAMPLES) throw new Error(`expected ${WARMUP + SAMPLES} restarts, saw ${restarts}`);
  await system.shutdown();
  return out;
}

function xstateLatencies(): number[] {
  const out: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const t0 = performance.now();
    const actor = createActor(worker);
    actor.start();
    const us = (performance.now() - t0) * 1000;
    actor.stop();
    if (i >= WARMUP) out.push(us);
  }
  return out;
}

const rounds = await alternate({ rounds: ROUNDS, warmup: 1, troupe: troupeLatencies, baseline: xstateLatencies });
const troupe = rounds.troupe.flat();
const baseline = rounds.baseline.flat();
const troupeRounds = spread(rounds.troupe.map(median));
const baselineRounds = spread(rounds.baseline.map(median));
const ratios = spread(rounds.troupe.map((t, i) => median(t) / median(rounds.baseline[i])));
const med = median(troupe);
report({
  bench: 'supervisor-restart',
  unit: 'µs (median, crash → restarted child replied)',
  troupe: round(med),
  baseline: round(median(baseline)),
  baselineName: 'xstate createActor+start (median µs)',
  ratio: round(ratios.median, 2),
  target: `median ≤ ${TARGET_US} µs`,
  met: med <= TARGET_US,
  rounds: ROUNDS,
  samplesPerRound: SAMPLES,
  stat: 'median of all samples (min-max of round medians beside); ratio: median of per-round ratios of medians',
  ...rangeFields('troupe', troupeRounds, 1),
  ...rangeFields('baseline', baselineRounds, 1),
  ...rangeFields('ratio', ratios, 2),
  p99: round(percentile(troupe, 99)),
  baselineP99: round(percentile(baseline, 99)),
});
