/**
 * What inspection costs a local tell. N `ref.send({ type: 'inc' })` into a counter machine, then
 * one `ask` that queues behind them; the figure is the process's CPU time (user + system, ms) over
 * that window, which other processes on a shared machine disturb far less than wall time.
 *
 * - `inspector-attached`: with `inspector({ system })` serving its page (every message captured,
 *   made wire-safe and kept in the page's bounded model) ÷ the same run with no inspector.
 *   Target: ratio ≤ 1.5.
 * - `inspector-none`: a system whose inspector was attached and closed again ÷ a system that never
 *   had one (the inspect layer loaded in both): what is left on the hot path when nobody
 *   inspects. Target: ratio ≤ 1.05.
 *
 * Rounds alternate which side goes first (see bench/report.ts).
 */
import { assign, sendTo, setup } from 'xstate';
import { createSystem, inspector, type ReplyTo } from '../src/index.js';
import { pairedRounds, reportPaired } from './report.js';

const N = 100_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);

type CounterEvent = { type: 'inc' } | { type: 'get'; replyTo: ReplyTo };

const counter = setup({
  types: { context: {} as { count: number }, events: {} as CounterEvent },
}).createMachine({
  id: 'counter',
  context: { count: 0 },
  on: {
    inc: { actions: assign({ count: ({ context }) => context.count + 1 }) },
    get: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'count', value: context.count }),
      ),
    },
  },
});

type Mode = 'plain' | 'attached' | 'detached';

async function round(mode: Mode): Promise<number> {
  const system = createSystem({ node: 'bench' });
  const ref = system.spawn(counter, { name: 'counter' });
  let page: Awaited<ReturnType<typeof inspector>> | undefined;
  if (mode !== 'plain') page = await inspector({ system });
  if (mode === 'detached') {
    await page?.close();
    page = undefined;
    if (system.inspection.active) throw new Error('inspection still active after close');
  }
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) ref.send({ type: 'inc' });
  const reply = await ref.ask<{ type: 'count'; value: number }>({ type: 'get' }, { timeoutMs: 60_000 });
  const cpu = process.cpuUsage(c0);
  const ms = (cpu.user + cpu.system) / 1000;
  if (reply.value !== N) throw new Error(`counted ${reply.value}, expected ${N}`);
  await page?.close();
  await system.shutdown();
  return ms;
}

const attached = await pairedRounds({ rounds: ROUNDS, troupe: () => round('attached'), baseline: () => round('plain') });
reportPaired({ bench: 'inspector-attached', unit: 'ms CPU', baselineName: 'no inspector', target: 1.5, lowerIsBetter: true }, attached, {
  tells: N,
});
const none = await pairedRounds({ rounds: ROUNDS, troupe: () => round('detached'), baseline: () => round('plain') });
reportPaired({ bench: 'inspector-none', unit: 'ms CPU', baselineName: 'never inspected', target: 1.05, lowerIsBetter: true }, none, {
  tells: N,
});
