/**
 * Two actors ping-pong N round trips. The same two machines run under troupe and as raw XState
 * actors: `pinger` is kicked with `{ type: 'go', self, peer }` (refs to itself and the ponger) and
 * sends `{ type: 'ping', from: self }` with `sendTo(peer)`; `ponger` answers each ping with
 * `sendTo(event.from, { type: 'pong' })`; the pinger counts pongs and calls a latch at N.
 * Under troupe, `self` and `peer` are troupe refs (every hop goes through a mailbox and the
 * dispatcher); raw, they are the XState actors themselves.
 * Result: round trips/s, troupe ÷ raw XState. Target: ratio ≥ 0.7.
 * Extra: the longest the event loop was blocked during a round, ms (see `watched`; the median over
 * rounds of each round's longest block, min-max beside): troupe yields after every
 * dispatcher slice (`sliceMs`, 4 ms), so its figure should stay near one slice; raw XState runs
 * the whole exchange inside one `send`, so its block is the whole round.
 *
 * Each round runs both sides back to back (alternating which goes first) on fresh actors; the
 * line reports the median of each side and the median of the per-round ratios, with the best
 * rounds and the ratio range as extras.
 */
import { type AnyActorRef, assign, createActor, sendTo, setup } from 'xstate';
import { createSystem } from '../src/index.js';
import { elapsed, pairedRounds, rangeFields, reportPaired, round, spread, stamp } from './report.js';

const N = 100_000;
const ROUNDS = 11;
const TARGET = 0.7;

let done: () => void = () => {};

/** The longest event-loop block (ms) of each round, per side. */
const blocks = { troupe: [] as number[], baseline: [] as number[] };

/**
 * Runs `round` while a `setImmediate` probe re-arms itself, and returns the longest stretch between
 * two probe turns (or from the last turn to the round's end): how long the round kept the event
 * loop from running anything else. Each stretch counts as the lesser of its wall time (which also
 * holds time the OS gave other processes) and this process's CPU time (which also holds GC helper
 * threads): the main thread's own time is at most either.
 */
function watched(side: keyof typeof blocks, round: () => Promise<number> | number): () => Promise<number> {
  return async () => {
    let last = stamp();
    let longest = 0;
    let on = true;
    const gap = () => {
      const now = stamp();
      const { wall, cpu } = elapsed(last, now);
      longest = Math.max(longest, Math.min(wall, cpu));
      last = now;
    };
    const probe = () => {
      gap();
      if (on) setImmediate(probe);
    };
    setImmediate(probe);
    const rate = await round();
    on = false;
    gap();
    blocks[side].push(longest);
    return rate;
  };
}

const latch = () => new Promise<void>((resolve) => (done = resolve));

type PingerEvent = { type: 'go'; self: AnyActorRef; peer: AnyActorRef } | { type: 'pong' };

const pinger = setup({
  types: {
    context: {} as { self: AnyActorRef | undefined; peer: AnyActorRef | undefined; count: number },
    events: {} as PingerEvent,
  },
}).createMachine({
  id: 'pinger',
  context: { self: undefined, peer: undefined, count: 0 },
  on: {
    go: {
      actions: [
        assign(({ event }) => ({ self: event.self, peer: event.peer, count: 0 })),
        sendTo(
          ({ context }) => context.peer as AnyActorRef,
          ({ context }) => ({ type: 'ping', from: context.self }),
        ),
      ],
    },
    pong: [
      {
        guard: ({ context }) => context.count + 1 >= N,
        actions: [assign({ count: ({ context }) => context.count + 1 }), () => done()],
      },
      {
        actions: [
          assign({ count: ({ context }) => context.count + 1 }),
          sendTo(
            ({ context }) => context.peer as AnyActorRef,
            ({ context }) => ({ type: 'ping', from: context.self }),
          ),
        ],
      },
    ],
  },
});

const ponger = setup({
  types: { events: {} as { type: 'ping'; from: AnyActorRef } },
}).createMachine({
  id: 'ponger',
  on: { ping: { actions: sendTo(({ event }) => event.from, { type: 'pong' }) } },
});

async function troupeRound(): Promise<number> {
  const system = createSystem({ node: 'bench' });
  const b = system.spawn(ponger, { name: 'ponger' });
  const a = system.spawn(pinger, { name: 'pinger' });
  const finished = latch();
  const t0 = performance.now();
  a.send({ type: 'go', self: a, peer: b });
  await finished;
  const ms = performance.now() - t0;
  await system.shutdown();
  return (N / ms) * 1000;
}

async function xstateRound(): Promise<number> {
  const b = createActor(ponger).start();
  const a = createActor(pinger).start();
  const finished = latch();
  const t0 = performance.now();
  a.send({ type: 'go', self: a, peer: b });
  await finished;
  const ms = performance.now() - t0;
  a.stop();
  b.stop();
  return (N / ms) * 1000;
}

// Two warm-up rounds of each side, then ROUNDS paired rounds (see pairedRounds in report.ts).
const result = await pairedRounds({ rounds: ROUNDS, troupe: watched('troupe', troupeRound), baseline: watched('baseline', xstateRound) });
// the warm-up rounds' blocks include JIT compilation
const troupeBlock = spread(blocks.troupe.slice(2));
const baselineBlock = spread(blocks.baseline.slice(2));
reportPaired(
  {
    bench: 'local-ping-pong',
    unit: 'round trips/s',
    baselineName: 'xstate actors sendTo each other',
    target: TARGET,
  },
  result,
  {
    roundTrips: N,
    sliceMs: 4,
    loopBlockMs: round(troupeBlock.median),
    ...rangeFields('loopBlockMs', troupeBlock, 1),
    baselineLoopBlockMs: round(baselineBlock.median),
    ...rangeFields('baselineLoopBlockMs', baselineBlock, 1),
  },
);
