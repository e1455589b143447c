/**
 * Restart latency of a supervised child: from sending the message that crashes it to the reply of
 * the restarted child to the next message (crash → exit → supervisor decision → fresh XState actor
 * → the queued ask handled). Reports the median (`troupe`) and p99 in µs; target median ≤ 1000 µs.
 * Baseline: raw XState `createActor(machine).start()` of the same machine, same run (the part of a
 * restart that XState itself costs). `ratio` is troupe median ÷ baseline median.
 */
import { createActor, sendTo, setup } from 'xstate';
import { createSystem, type ReplyTo, supervisor } from '../src/index.js';
import { median, percentile, report } from './report.js';

const WARMUP = 500;
const SAMPLES = 5000;
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

const baseline = xstateLatencies();
const troupe = await troupeLatencies();
const med = median(troupe);
const base = median(baseline);
report({
  bench: 'supervisor-restart',
  unit: 'µs (median, crash → restarted child replied)',
  troupe: Number(med.toFixed(1)),
  p99: Number(percentile(troupe, 99).toFixed(1)),
  baseline: Number(base.toFixed(1)),
  baselineName: 'xstate createActor+start (median µs)',
  ratio: Number((med / base).toFixed(2)),
  samples: SAMPLES,
  target: `median ≤ ${TARGET_US} µs`,
  met: med <= TARGET_US,
});
