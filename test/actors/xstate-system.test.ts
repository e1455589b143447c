import { afterEach, describe, expect, it } from 'vitest';
import { type AnyActorRef, sendParent, sendTo, setup } from 'xstate';
import { type ActorSystem, createSystem, type DeadLetter, type ReplyTo, SimulatedClock } from '../../src/index.js';

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

const settle = () => new Promise<void>((r) => setImmediate(r));

/** Answers `get` with the tag it was started with. */
const helper = setup({
  types: { context: {} as { tag: string }, input: {} as { tag: string }, events: {} as { type: 'get'; replyTo: ReplyTo } },
}).createMachine({
  context: ({ input }) => ({ tag: input.tag }),
  on: {
    get: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'tag', tag: context.tag }),
      ),
    },
  },
});

/** Invokes a helper under the systemId `helper` and forwards `get` to whatever `system.get('helper')` finds. */
const owner = setup({
  types: { input: {} as { tag: string }, events: {} as { type: 'get'; replyTo: ReplyTo } },
  actors: { helper },
}).createMachine({
  invoke: {
    src: 'helper',
    systemId: 'helper',
    input: ({ event }) => ({ tag: (event as unknown as { input: { tag: string } }).input.tag }),
  },
  on: {
    get: {
      actions: sendTo(
        ({ system: xs }) => xs.get('helper') as AnyActorRef,
        ({ event }) => ({ type: 'get', replyTo: event.replyTo }),
      ),
    },
  },
});

/** Finishes after `ms`. */
const timed = (ms: number) =>
  setup({}).createMachine({ initial: 'waiting', states: { waiting: { after: { [ms]: 'done' } }, done: { type: 'final' } } });

describe('SharedXStateSystem', () => {
  it('hosts every XState actor of a troupe system in one XState system', () => {
    system = createSystem();
    const a = system.spawn(helper, { input: { tag: 'a' } });
    const b = system.spawn(helper, { input: { tag: 'b' } });
    const systemOf = (ref: unknown) => (ref as { system: unknown }).system;
    expect(systemOf(a)).toBe(systemOf(b));
  });

  describe('systemId', () => {
    it('is scoped to each actor’s own tree: two actors register the same systemId, and each finds its own', async () => {
      system = createSystem();
      const a = system.spawn(owner, { input: { tag: 'a' } });
      const b = system.spawn(owner, { input: { tag: 'b' } });
      expect(await a.ask({ type: 'get' })).toMatchObject({ tag: 'a' });
      expect(await b.ask({ type: 'get' })).toMatchObject({ tag: 'b' });
      // stopping one frees its name without touching the other's
      await system.stop(a);
      const c = system.spawn(owner, { input: { tag: 'c' } });
      expect(await c.ask({ type: 'get' })).toMatchObject({ tag: 'c' });
      expect(await b.ask({ type: 'get' })).toMatchObject({ tag: 'b' });
    });
  });

  describe('scheduler', () => {
    it('runs delayed transitions on the system clock', async () => {
      const clock = new SimulatedClock();
      system = createSystem({ clock });
      const ref = system.spawn(timed(100));
      expect(clock.pending).toBe(1);
      clock.advance(100);
      await settle();
      expect(system.stats().actors).toBe(0);
      expect(system.lookup(ref.address)).toBeUndefined();
    });

    it('cancels only the delays of the actor that stops', async () => {
      const clock = new SimulatedClock();
      system = createSystem({ clock });
      const first = system.spawn(timed(100));
      system.spawn(timed(100));
      expect(clock.pending).toBe(2);
      await system.stop(first);
      expect(clock.pending).toBe(1);
      clock.advance(100);
      await settle();
      expect(system.stats().actors).toBe(0);
    });

    it('keeps delays with the XState snapshot of the system', () => {
      const clock = new SimulatedClock();
      system = createSystem({ clock });
      const ref = system.spawn(timed(100));
      const scheduled = (
        ref as unknown as { system: { getSnapshot(): { _scheduledEvents: Record<string, { delay: number }> } } }
      ).system.getSnapshot();
      expect(Object.values(scheduled._scheduledEvents).map((e) => e.delay)).toEqual([100]);
    });
  });

  it('makes a dead letter of what a spawned machine sends its XState parent (it has none), and keeps running', async () => {
    system = createSystem();
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((d) => letters.push(d));
    const child = system.spawn(
      setup({ types: { events: {} as { type: 'up' } | { type: 'get'; replyTo: ReplyTo } } }).createMachine({
        on: {
          up: { actions: sendParent({ type: 'hello' }) },
          get: { actions: sendTo(({ event }) => event.replyTo, { type: 'alive' }) },
        },
      }),
    );
    child.send({ type: 'up' });
    expect(await child.ask({ type: 'get' })).toMatchObject({ type: 'alive' });
    expect(letters.map((d) => [d.reason, (d.event as { type: string }).type, d.sender])).toEqual([['no-actor', 'hello', child.address]]);
  });
});
