import { afterEach, describe, expect, it } from 'vitest';
import { createActor, sendTo, setup } from 'xstate';
import { type ActorSystem, createSystem, type ReplyTo, refOf } from '../../src/index.js';
import { until } from '../support/latch.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { player } from '../support/ping-pong.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

describe('feature: delivery is asynchronous and fair', () => {
  it('a timer fires while two actors ping-pong without end', async () => {
    system = createSystem();
    const a = system.spawn(player, { name: 'a' });
    const b = system.spawn(player, { name: 'b' });
    a.send({ type: 'serve', to: b });
    // The rally never ends by itself; a dispatcher that never yielded would starve this timer (and
    // the test would time out). When it fires, the rally is under way, and it goes on afterwards.
    const atTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(system.stats(a)?.processed ?? 0), 0));
    await until(() => (system.stats(a)?.processed ?? 0) > atTimer + 10, 10_000, 'the rally to go on after the timer');
    const hits = await a.ask<{ value: number }>({ type: 'hits' });
    expect(hits.value).toBeGreaterThan(atTimer);
  });

  it('one flooded actor does not starve another', async () => {
    system = createSystem({ throughput: 10 });
    const flooded = system.spawn(counterMachine, { name: 'flooded' });
    const other = system.spawn(counterMachine, { name: 'other' });
    for (let i = 0; i < 50_000; i++) flooded.send({ type: 'inc' });
    const reply = await other.ask<{ value: number }>({ type: 'get' });
    expect(reply.value).toBe(0);
    expect(system.stats(flooded)?.processed).toBeLessThan(50_000);
    await until(() => system.stats(flooded)?.processed === 50_000, 10_000, 'the flood to drain');
  });

  it('a ref held in context is a sendTo target, and refOf(self) is a troupe ref', async () => {
    system = createSystem({ node: 'n' });
    const counter = system.spawn(counterMachine, { name: 'c' });
    const forwarder = setup({
      types: {
        context: {} as { to: ReplyTo },
        input: {} as { to: ReplyTo },
        events: {} as { type: 'fwd' } | { type: 'me'; replyTo: ReplyTo },
      },
    }).createMachine({
      context: ({ input }) => ({ to: input.to }),
      on: {
        fwd: { actions: sendTo(({ context }) => context.to, { type: 'inc' }) },
        me: {
          actions: sendTo(
            ({ event }) => event.replyTo,
            ({ self }) => ({ type: 'me', ref: refOf(self) }),
          ),
        },
      },
    });
    const f = system.spawn(forwarder, { name: 'f', input: { to: counter } });
    f.send({ type: 'fwd' });
    f.send({ type: 'fwd' });
    await until(() => system.stats(counter)?.processed === 2);
    expect(await counter.ask({ type: 'get' })).toEqual({ type: 'count', value: 2 });
    const me = await f.ask<{ ref: { address: string } }>({ type: 'me' });
    expect(me.ref).toBe(f);
    expect(() => refOf(createActor(silentMachine))).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NOT_LOCAL' }));
  });
});
