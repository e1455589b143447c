/**
 * Compile-time checks: `tsc --noEmit` (and `npm run typecheck`) fails if a troupe ref stops being
 * usable where XState expects an actor ref. No casts anywhere in this file.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ActorRefFrom, type AnyActorRef, createMachine, sendTo, setup } from 'xstate';
import { type ActorRef, createSystem, type ReplyTo, type StreamTo } from '../../src/index.js';
import { until } from '../support/latch.js';
import { counterMachine } from '../support/machines.js';

type Ping = { type: 'ping'; replyTo: ReplyTo };
type Ball = { type: 'ball'; from: AnyActorRef };
type Holder = { type: 'hold'; peer: ActorRef };

describe('refs in XState types', () => {
  it('a spawned ref fits ReplyTo, StreamTo, AnyActorRef and ref-carrying event fields without casts', async () => {
    const system = createSystem({ node: 'types' });
    try {
      const counter = system.spawn(counterMachine, { name: 'c' });
      const asAny: AnyActorRef = counter;
      const asReply: ReplyTo = counter;
      const asStream: StreamTo = counter;
      const ping: Ping = { type: 'ping', replyTo: counter };
      const ball: Ball = { type: 'ball', from: counter };
      const hold: Holder = { type: 'hold', peer: counter };
      const looked: ReplyTo | undefined = system.lookup('c');
      const remote: AnyActorRef = system.ref('troupe://types/c');
      expectTypeOf(counter).toExtend<AnyActorRef>();
      expectTypeOf(counter).toExtend<ReplyTo>();
      expect(
        [asAny, asReply, asStream, ping.replyTo, ball.from, hold.peer, looked, remote].every((r) => r?.sessionId === counter.address),
      ).toBe(true);
    } finally {
      await system.shutdown();
    }
  });

  it('a ref is a machine input, context field and sendTo target as XState types them', async () => {
    const system = createSystem({ node: 'types' });
    try {
      const counter = system.spawn(counterMachine, { name: 'c' });
      const forwarder = setup({
        types: { context: {} as { to: AnyActorRef }, input: {} as { to: AnyActorRef }, events: {} as { type: 'fwd' } },
      }).createMachine({
        context: ({ input }) => ({ to: input.to }),
        on: { fwd: { actions: sendTo(({ context }) => context.to, { type: 'inc' }) } },
      });
      const f = system.spawn(forwarder, { name: 'f', input: { to: counter } });
      f.send({ type: 'fwd' });
      await until(() => system.stats(counter)?.processed === 1);
      expect(await counter.ask({ type: 'get' })).toEqual({ type: 'count', value: 1 });
      // a typed XState ref slot accepts a troupe ref of matching events
      const slot: ActorRefFrom<typeof counterMachine> | AnyActorRef = counter;
      expect(slot.sessionId).toBe(counter.address);
      const plain = createMachine({});
      expectTypeOf(system.spawn(plain)).toExtend<AnyActorRef>();
    } finally {
      await system.shutdown();
    }
  });
});
