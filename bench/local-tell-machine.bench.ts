/**
 * Local tell throughput into a counter machine: troupe `ref.send` × N, then one `ask` that queues
 * behind them (FIFO), so its reply means every `inc` was processed — ÷ raw XState
 * `createActor(machine).start(); actor.send(...)` × N on the same machine. Target: ratio ≥ 0.8.
 *
 * Each round runs both sides back to back (alternating which goes first) on a fresh actor; the
 * line reports the median of each side and the median of the per-round ratios, with the best
 * rounds and the ratio range as extras.
 */
import { assign, createActor, sendTo, setup } from 'xstate';
import { createSystem, type ReplyTo } from '../src/index.js';
import { pairedRounds, reportPaired } from './report.js';

const N = 200_000;
const ROUNDS = 11;
const TARGET = 0.8;

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

async function troupeRound(): Promise<number> {
  const system = createSystem({ node: 'bench' });
  const ref = system.spawn(counter, { name: 'counter' });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) ref.send({ type: 'inc' });
  const reply = await ref.ask<{ type: 'count'; value: number }>({ type: 'get' }, { timeoutMs: 60_000 });
  const ms = performance.now() - t0;
  if (reply.value !== N) throw new Error(`troupe counted ${reply.value}, expected ${N}`);
  await system.shutdown();
  return (N / ms) * 1000;
}

function xstateRound(): number {
  const actor = createActor(counter).start();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) actor.send({ type: 'inc' });
  const ms = performance.now() - t0;
  const count = actor.getSnapshot().context.count;
  if (count !== N) throw new Error(`xstate counted ${count}, expected ${N}`);
  actor.stop();
  return (N / ms) * 1000;
}

// Two warm-up rounds of each side, then ROUNDS paired rounds (see pairedRounds in report.ts).
const result = await pairedRounds({ rounds: ROUNDS, troupe: troupeRound, baseline: xstateRound });
reportPaired(
  {
    bench: 'local-tell-machine',
    unit: 'events/s',
    baselineName: 'xstate createActor().send',
    target: TARGET,
  },
  result,
  { events: N },
);
