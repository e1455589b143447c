import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AnyEventObject, fromCallback, fromObservable, fromPromise, type Observer, type Subscribable, setup } from 'xstate';
import {
  ActorSystem,
  createSystem,
  type DeadLetter,
  fromStream,
  type InspectionEvent,
  SimulatedClock,
  supervisor,
  type UnhandledExit,
} from '../../src/index.js';
import { kNativeLogic, type NativeLogic } from '../../src/internal.js';
import { latch, until } from '../support/latch.js';
import { counterMachine, counterTransition } from '../support/machines.js';

/** An actor that records every event it receives. */
function recorder(log: AnyEventObject[]) {
  return fromCallback<AnyEventObject>(({ receive }) => {
    receive((e) => log.push(e));
  });
}

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

describe('ActorSystem', () => {
  describe('#spawn', () => {
    it('runs a machine and answers an ask through sendTo(event.replyTo)', async () => {
      system = createSystem({ node: 'alpha' });
      const counter = system.spawn(counterMachine, { name: 'counter', input: { start: 5 } });
      counter.send({ type: 'inc' });
      counter.send({ type: 'inc' });
      expect(await counter.ask({ type: 'get' })).toEqual({ type: 'count', value: 7 });
      expect(counter.address).toBe('troupe://alpha/counter');
    });

    it('runs fromTransition, fromCallback, fromPromise and fromObservable logic', async () => {
      system = createSystem({ node: 'n' });
      const t = system.spawn(counterTransition, { name: 't' });
      t.send({ type: 'inc' });
      expect(await t.ask({ type: 'get' })).toEqual({ type: 'count', value: 1 });

      const seen: AnyEventObject[] = [];
      const cb = system.spawn(recorder(seen), { name: 'cb' });
      cb.send({ type: 'hello' });
      await until(() => seen.length === 1);
      expect(seen[0]).toEqual({ type: 'hello' });

      const done = latch(2);
      system.inspect((e) => {
        if (e.type === '@troupe.actor' && e.status === 'stopped' && e.reason === 'normal') done.unlock();
      });
      system.spawn(
        fromPromise(async () => 42),
        { name: 'p' },
      );
      const ticks: Subscribable<number> = {
        subscribe(o: Observer<number> | ((v: number) => void), _error?: unknown, complete?: () => void) {
          queueMicrotask(() => {
            if (typeof o === 'function') {
              o(1);
              complete?.();
            } else {
              o.next?.(1);
              o.complete?.();
            }
          });
          return { unsubscribe() {} };
        },
      };
      system.spawn(
        fromObservable(() => ticks),
        { name: 'o' },
      );
      await done.wait;
      expect(system.lookup('p')).toBeUndefined();
      expect(system.lookup('o')).toBeUndefined();
    });

    it('gives unnamed actors a random segment and nests addresses under parents', () => {
      system = createSystem({ node: 'alpha' });
      const app = system.spawn(counterMachine, { name: 'app' });
      const lead = system.spawn(counterMachine, { name: 'lead', parent: app });
      const anon = system.spawn(counterMachine, { parent: lead });
      expect(lead.address).toBe('troupe://alpha/app/lead');
      expect(anon.address).toMatch(/^troupe:\/\/alpha\/app\/lead\/[A-Za-z0-9]{12}$/);
    });

    it('throws NAME_TAKEN for a sibling with the same name, but allows it under another parent', () => {
      system = createSystem();
      const a = system.spawn(counterMachine, { name: 'a' });
      system.spawn(counterMachine, { name: 'x', parent: a });
      expect(() => system.spawn(counterMachine, { name: 'x', parent: a })).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_NAME_TAKEN' }),
      );
      expect(() => system.spawn(counterMachine, { name: 'a' })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NAME_TAKEN' }));
      expect(() => system.spawn(counterMachine, { name: 'x' })).not.toThrow();
    });

    it('throws at once on bad input', async () => {
      system = createSystem();
      expect(() => system.spawn(counterMachine, { name: 'a/b' })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_NAME' }));
      expect(() => system.spawn({} as typeof counterMachine)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
      expect(() => system.spawn(counterMachine, { mailbox: { capacity: 0 } })).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
      );
      const parent = system.spawn(counterMachine, { name: 'p' });
      await system.stop(parent);
      expect(() => system.spawn(counterMachine, { parent })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_ACTOR_STOPPED' }));
      await system.shutdown();
      expect(() => system.spawn(counterMachine)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_SYSTEM_STOPPED' }));
    });

    it('reports a crash during start as an exit, not a throw', () => {
      system = createSystem({ dispatcher: 'sync' });
      const bad = setup({}).createMachine({
        entry: () => {
          throw new Error('cannot start');
        },
      });
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      const ref = system.spawn(bad, { name: 'bad' });
      expect(system.lookup('bad')).toBeUndefined();
      expect(letters).toMatchObject([{ reason: 'escalated', event: { type: 'troupe.exit', address: ref.address } }]);
    });
  });

  describe('#lookup', () => {
    it('finds live actors by name, path or address', () => {
      system = createSystem({ node: 'alpha' });
      const app = system.spawn(counterMachine, { name: 'app' });
      const lead = system.spawn(counterMachine, { name: 'lead', parent: app });
      expect(system.lookup('app')).toBe(app);
      expect(system.lookup('app/lead')).toBe(lead);
      expect(system.lookup('troupe://alpha/app/lead')).toBe(lead);
      expect(system.lookup('troupe://beta/app/lead')).toBeUndefined();
      expect(system.lookup('app/nobody')).toBeUndefined();
    });
  });

  describe('#ref', () => {
    it('resolves a local address at each send; sends to an empty address are dead letters', async () => {
      system = createSystem({ node: 'alpha', dispatcher: 'sync' });
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      const ref = system.ref('troupe://alpha/later');
      ref.send({ type: 'inc' });
      expect(letters).toMatchObject([{ recipient: 'troupe://alpha/later', reason: 'no-actor' }]);
      await expect(ref.ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
      system.spawn(counterMachine, { name: 'later' });
      ref.send({ type: 'inc' });
      expect(await ref.ask({ type: 'get' })).toEqual({ type: 'count', value: 1 });
    });

    it('gives a remote ref to an unconnected node whose sends are dead letters and whose asks fail with NODE_DOWN', async () => {
      system = createSystem({ node: 'alpha' });
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      const remote = system.ref('troupe://beta/x');
      remote.send({ type: 'inc' });
      await expect(remote.ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
      expect(letters[0]).toMatchObject({ recipient: 'troupe://beta/x', reason: 'node-down' });
      expect(() => system.ref('nope')).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_ADDRESS' }));
    });
  });

  describe('#stop', () => {
    it('stops 3 levels of descendants, children before parents, siblings in reverse start order', async () => {
      system = createSystem({ node: 'n' });
      const stopped: string[] = [];
      system.inspect((e) => {
        if (e.type === '@troupe.actor' && e.status === 'stopped') stopped.push(e.address.replace('troupe://n/', ''));
      });
      const root = system.spawn(counterMachine, { name: 'root' });
      for (const a of ['a', 'b']) {
        const child = system.spawn(counterMachine, { name: a, parent: root });
        for (const c of ['1', '2']) {
          const grandchild = system.spawn(counterMachine, { name: c, parent: child });
          system.spawn(counterMachine, { name: 'x', parent: grandchild });
        }
      }
      await system.stop(root);
      expect(stopped).toEqual([
        'root/b/2/x',
        'root/b/2',
        'root/b/1/x',
        'root/b/1',
        'root/b',
        'root/a/2/x',
        'root/a/2',
        'root/a/1/x',
        'root/a/1',
        'root/a',
        'root',
      ]);
      expect(system.stats().actors).toBe(0);
    });

    it('handles stop ahead of queued messages, which become dead letters', async () => {
      system = createSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      const c = system.spawn(counterMachine, { name: 'c' });
      c.send({ type: 'inc' });
      c.send({ type: 'inc' });
      await system.stop(c);
      expect(letters.map((l) => [l.reason, (l.event as AnyEventObject).type])).toEqual([
        ['shutdown', 'inc'],
        ['shutdown', 'inc'],
      ]);
      c.send({ type: 'inc' });
      expect(letters.at(-1)).toMatchObject({ reason: 'stopped' });
    });

    it("kills at once with 'killed'", async () => {
      system = createSystem();
      const c = system.spawn(counterMachine, { name: 'c' });
      const p = system.stop(c, 'killed');
      expect(system.lookup('c')).toBeUndefined();
      await p;
    });
  });

  describe('#shutdown', () => {
    it('stops top-level trees in reverse start order and is idempotent', async () => {
      system = createSystem({ node: 'n' });
      const stopped: string[] = [];
      system.inspect((e) => {
        if (e.type === '@troupe.actor' && e.status === 'stopped') stopped.push(e.address.replace('troupe://n/', ''));
      });
      const a = system.spawn(counterMachine, { name: 'a' });
      system.spawn(counterMachine, { name: 'a1', parent: a });
      system.spawn(counterMachine, { name: 'b' });
      await Promise.all([system.shutdown(), system.shutdown()]);
      expect(stopped).toEqual(['b', 'a/a1', 'a']);
      expect(system.isShutdown).toBe(true);
    });
  });

  describe('#watch', () => {
    it('delivers troupe.down once with the exit reason', async () => {
      system = createSystem({ node: 'n' });
      const seen: AnyEventObject[] = [];
      const watcher = system.spawn(recorder(seen), { name: 'w' });
      const c = system.spawn(counterMachine, { name: 'c' });
      system.watch(watcher, c);
      system.watch(watcher, c);
      c.send({ type: 'finish' });
      await until(() => seen.length > 0);
      await new Promise((r) => setImmediate(r));
      expect(seen).toEqual([{ type: 'troupe.down', address: 'troupe://n/c', reason: 'normal' }]);
    });

    it("delivers 'noproc' when the target is already gone", async () => {
      system = createSystem({ node: 'n' });
      const seen: AnyEventObject[] = [];
      const watcher = system.spawn(recorder(seen), { name: 'w' });
      system.watch(watcher, system.ref('troupe://n/ghost'));
      await until(() => seen.length === 1);
      expect(seen[0]).toEqual({ type: 'troupe.down', address: 'troupe://n/ghost', reason: 'noproc' });
    });

    it('reports a crash reason and stops after unwatch', async () => {
      system = createSystem({ node: 'n' });
      const seen: AnyEventObject[] = [];
      const watcher = system.spawn(recorder(seen), { name: 'w' });
      const a = system.spawn(counterMachine, { name: 'a' });
      const b = system.spawn(counterMachine, { name: 'b' });
      system.watch(watcher, a);
      system.watch(watcher, b);
      system.unwatch(watcher, b);
      a.send({ type: 'boom' });
      b.send({ type: 'boom' });
      await until(() => seen.length === 1);
      await new Promise((r) => setImmediate(r));
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ address: 'troupe://n/a', reason: { error: expect.objectContaining({ message: 'boom' }) } });
    });
  });

  describe('crashes', () => {
    it('never throw at the sender; unsupervised crashes become escalated dead letters', () => {
      system = createSystem({ node: 'n', dispatcher: 'sync' });
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      const c = system.spawn(counterMachine, { name: 'c' });
      expect(() => c.send({ type: 'boom' })).not.toThrow();
      expect(system.stats().unhandledExits).toBe(1);
      expect(letters[0]).toMatchObject({ recipient: 'troupe://n/$root', reason: 'escalated', sender: 'troupe://n/c' });
    });

    it('stop the crashed actor’s descendants', () => {
      system = createSystem({ node: 'n', dispatcher: 'sync' });
      const c = system.spawn(counterMachine, { name: 'c' });
      system.spawn(counterMachine, { name: 'kid', parent: c });
      c.send({ type: 'boom' });
      expect(system.lookup('c/kid')).toBeUndefined();
    });
  });

  describe('#stats', () => {
    it('counts depth, processed and dropped per actor', () => {
      system = createSystem({ node: 'n', dispatcher: 'sync' });
      const c = system.spawn(counterMachine, { name: 'c', mailbox: { capacity: 1, overflow: 'drop-newest' } });
      c.send({ type: 'inc' });
      expect(system.stats(c)).toMatchObject({ depth: 0, processed: 1, dropped: 0, status: 'running' });
      const s = system.stats();
      expect(s).toMatchObject({ node: 'n', actors: 1, deadLetters: 0 });
      expect(s.mailboxes).toHaveLength(1);
    });
  });

  describe('#inspect', () => {
    it('emits actor, message, state, overflow and dead-letter events, and stops after unsubscribe', async () => {
      system = createSystem({ node: 'n', dispatcher: 'sync' });
      const events: InspectionEvent[] = [];
      const sub = system.inspect((e) => events.push(e));
      const c = system.spawn(counterMachine, { name: 'c', mailbox: { capacity: 1, overflow: 'reject' } });
      c.send({ type: 'inc' });
      await system.stop(c);
      c.send({ type: 'inc' });
      sub.unsubscribe();
      system.spawn(counterMachine, { name: 'quiet' });
      const simplified = events.map((e) => {
        switch (e.type) {
          case '@troupe.actor':
            return `${e.type} ${e.status} ${e.address}`;
          case '@troupe.message':
            return `${e.type} ${e.eventType} -> ${e.to}`;
          case '@troupe.state':
            return `${e.type} ${JSON.stringify(e.value)}`;
          case '@troupe.deadletter':
            return `${e.type} ${e.reason}`;
          default:
            return e.type;
        }
      });
      expect(simplified).toMatchInlineSnapshot(`
        [
          "@troupe.actor spawned troupe://n/c",
          "@troupe.state "counting"",
          "@troupe.message inc -> troupe://n/c",
          "@troupe.state "counting"",
          "@troupe.actor stopped troupe://n/c",
          "@troupe.deadletter stopped",
        ]
      `);
    });
  });
});

describe('Cell', () => {
  describe('#run', () => {
    it('turns a body that throws out of deliver into that actor’s crash, and keeps other actors running', async () => {
      system = createSystem({ node: 'n' });
      const throwing: NativeLogic = {
        [kNativeLogic]: () => ({
          start() {},
          deliver() {
            throw new Error('native body failed');
          },
          stop() {},
          snapshot: () => undefined,
        }),
      };
      const seen: AnyEventObject[] = [];
      const watcher = system.spawn(recorder(seen), { name: 'w' });
      const bad = system.spawn(throwing, { name: 'bad' });
      system.watch(watcher, bad);
      bad.send({ type: 'x' });
      bad.send({ type: 'y' });
      const c = system.spawn(counterMachine, { name: 'c' });
      c.send({ type: 'inc' });
      expect(await c.ask({ type: 'get' })).toEqual({ type: 'count', value: 1 });
      await until(() => seen.length === 1);
      expect(seen[0]).toMatchObject({ type: 'troupe.down', reason: { error: expect.objectContaining({ message: 'native body failed' }) } });
    });
  });
});

describe('parents that are not running', () => {
  it('refuses to spawn under a parent whose body ended and waits for its supervisor', async () => {
    system = createSystem({ node: 'n', dispatcher: 'sync' });
    const { supervisor } = await import('../../src/index.js');
    const app = system.spawn(
      supervisor({
        strategy: 'one-for-one',
        intensity: 5,
        periodMs: 1000,
        backoff: { minMs: 60_000, maxMs: 60_000 },
        children: [{ id: 'w', logic: counterMachine }],
      }),
      { name: 'app' },
    );
    const w = system.lookup('app/w');
    expect(w).toBeDefined();
    w?.send({ type: 'boom' });
    expect(system.stats(w as NonNullable<typeof w>)?.status).toBe('exited');
    expect(() => system.spawn(counterMachine, { name: 'g', parent: w })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_ACTOR_STOPPED' }),
    );
    await system.stop(app);
    expect(system.stats().actors).toBe(0);
  });

  it('delivers a troupe.down that arrives while the watcher waits for its restart to the restarted body', async () => {
    system = createSystem({ node: 'n' });
    const { supervisor } = await import('../../src/index.js');
    const seen: AnyEventObject[] = [];
    const crashy = fromCallback<AnyEventObject>(({ receive }) => {
      receive((e) => {
        if (e.type === 'crash') throw new Error('crash');
        seen.push(e);
      });
    });
    system.spawn(
      supervisor({
        strategy: 'one-for-one',
        intensity: 5,
        periodMs: 1000,
        backoff: { minMs: 30, maxMs: 30, jitter: 0 },
        children: [{ id: 'w', logic: crashy }],
      }),
      { name: 'app' },
    );
    const w = system.lookup('app/w') as NonNullable<ReturnType<typeof system.lookup>>;
    const target = system.spawn(counterMachine, { name: 't' });
    system.watch(w, target);
    w.send({ type: 'crash' });
    await until(() => system.stats(w)?.status === 'exited');
    await system.stop(target);
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ type: 'troupe.down', address: 'troupe://n/t' });
  });
});

describe('options validated at once', () => {
  it.each([0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects spawn throughput %s', (throughput) => {
    system = createSystem();
    expect(() => system.spawn(counterMachine, { throughput })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    expect(system.stats().actors).toBe(0);
  });

  it('rejects a bad default mailbox in createSystem, not at every spawn', () => {
    expect(() => createSystem({ mailbox: { capacity: 0 } })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
  });
});

describe('watches', () => {
  it('sends one notice per watcher however it and the target were named', async () => {
    system = createSystem({ node: 'n' });
    const seen: AnyEventObject[] = [];
    const watcher = system.spawn(recorder(seen), { name: 'w' });
    const target = system.spawn(counterMachine, { name: 't' });
    system.watch(watcher, target);
    system.watch(system.ref('troupe://n/w'), target);
    system.watch(watcher, system.ref('troupe://n/t'));
    await system.stop(target);
    await until(() => seen.length > 0);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toHaveLength(1);
  });

  it('are cancelled when the watcher stops, so no notice goes to a dead watcher', async () => {
    system = createSystem({ node: 'n' });
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((d) => letters.push(d));
    const service = system.spawn(counterMachine, { name: 'service' });
    for (let i = 0; i < 50; i++) {
      const w = system.spawn(counterMachine, { name: `w${i}` });
      system.watch(w, service);
      await system.stop(w);
    }
    await system.stop(service);
    expect(letters.filter((l) => (l.event as AnyEventObject).type === 'troupe.down')).toEqual([]);
  });
});

describe('#suspend / #resume', () => {
  it('holds user messages until resumed, still handling stop', async () => {
    system = createSystem({ node: 'n' });
    const c = system.spawn(counterMachine, { name: 'c' });
    system.suspend(c);
    c.send({ type: 'inc' });
    c.send({ type: 'inc' });
    await new Promise((r) => setTimeout(r, 5));
    expect(system.stats(c)).toMatchObject({ depth: 2, processed: 0 });
    system.resume(c);
    expect(await c.ask({ type: 'get' })).toEqual({ type: 'count', value: 2 });
    system.suspend(c);
    await system.stop(c);
    expect(system.lookup('c')).toBeUndefined();
    expect(() => system.suspend(c)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NO_ACTOR' }));
  });
});

describe('inspection and delivery order', () => {
  it('queues a send made by a @troupe.message observer behind the reported message, and reports no dropped message', async () => {
    system = createSystem({ node: 'n' });
    const seen: AnyEventObject[] = [];
    const a = system.spawn(recorder(seen), { name: 'a', mailbox: { capacity: 2, overflow: 'drop-newest' } });
    const reported: string[] = [];
    system.inspect((e) => {
      if (e.type !== '@troupe.message') return;
      reported.push(e.eventType);
      if (e.eventType === 'first') a.send({ type: 'second' });
    });
    a.send({ type: 'first' });
    a.send({ type: 'third' });
    await until(() => seen.length === 2);
    expect(seen.map((e) => e.type)).toEqual(['first', 'second']);
    expect(reported).toEqual(['first', 'second']);
  });
});

describe('observers without an error handler', () => {
  it('do not turn a handled crash into an uncaught exception', async () => {
    system = createSystem({ node: 'n' });
    const c = system.spawn(counterMachine, { name: 'c' });
    const snapshots: unknown[] = [];
    (c as unknown as { subscribe(next: (s: unknown) => void): unknown }).subscribe((s) => snapshots.push(s));
    c.send({ type: 'inc' });
    c.send({ type: 'boom' });
    await until(() => system.lookup('c') === undefined);
    await new Promise((r) => setTimeout(r, 10));
    expect(snapshots.length).toBeGreaterThan(0);
  });
});

describe('a body whose stop throws while it crashes', () => {
  it('is finalized anyway, and other actors keep running', async () => {
    system = createSystem({ node: 'n' });
    const bad: NativeLogic = {
      [kNativeLogic]: () => ({
        start() {},
        deliver() {
          throw new Error('deliver failed');
        },
        stop() {
          throw new Error('stop failed too');
        },
      }),
    };
    const b = system.spawn(bad, { name: 'bad' });
    b.send({ type: 'x' });
    const c = system.spawn(counterMachine, { name: 'c' });
    expect(await c.ask({ type: 'get' })).toEqual({ type: 'count', value: 0 });
    await until(() => system.lookup('bad') === undefined);
    expect(system.stats().actors).toBe(1);
  });
});

describe('#getSnapshot on a local ref', () => {
  it('returns the final snapshot of an actor that finished, so a fromPromise output stays readable', async () => {
    system = createSystem({ node: 'n' });
    const p = system.spawn(
      fromPromise(async () => 42),
      { name: 'p' },
    );
    await until(() => system.lookup('p') === undefined);
    expect(p.getSnapshot()).toMatchObject({ status: 'done', output: 42 });
  });

  it('throws ACTOR_STOPPED once the actor was stopped from outside', async () => {
    system = createSystem({ node: 'n' });
    const c = system.spawn(counterMachine, { name: 'c' });
    expect(c.getSnapshot()).toMatchObject({ status: 'active' });
    await system.stop(c);
    expect(() => c.getSnapshot()).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_ACTOR_STOPPED' }));
  });
});

describe('onUnhandledExit', () => {
  it('by default writes one console.error line naming the address and the error', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      system = createSystem({ node: 'n' });
      const c = system.spawn(counterMachine, { name: 'c' });
      c.send({ type: 'boom' });
      await until(() => system.lookup('c') === undefined);
      expect(spy).toHaveBeenCalledTimes(1);
      const line = String(spy.mock.calls[0]?.[0]);
      expect(line).toContain('troupe://n/c');
      expect(line).toContain('boom');
      expect(line).not.toContain('\n');
    } finally {
      spy.mockRestore();
    }
  });

  it('is replaced by the hook given, which hears unsupervised crashes only', async () => {
    const exits: UnhandledExit[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      system = createSystem({ node: 'n', onUnhandledExit: (e) => exits.push(e) });
      const sup = system.spawn(supervisor({ children: [{ id: 'w', logic: counterMachine }] }), { name: 'sup' });
      system.lookup('sup/w')?.send({ type: 'boom' });
      await until(() => system.stats(sup)?.children === 1 && system.stats(system.lookup('sup/w')!)?.restarts === 1);
      const c = system.spawn(counterMachine, { name: 'c' });
      c.send({ type: 'boom' });
      await until(() => exits.length === 1);
      expect(exits[0]).toMatchObject({ node: 'n', address: 'troupe://n/c' });
      expect(exits[0]?.error).toMatchObject({ message: 'boom' });
      expect(system.stats().unhandledExits).toBe(1);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('a hook that throws does not keep the crashed actor from being cleaned up', async () => {
    system = createSystem({
      node: 'n',
      onUnhandledExit: () => {
        throw new Error('hook broke');
      },
    });
    const c = system.spawn(counterMachine, { name: 'c' });
    c.send({ type: 'boom' });
    await until(() => system.lookup('c') === undefined);
    expect(system.stats().actors).toBe(0);
    system.spawn(counterMachine, { name: 'c' });
  });

  it('must be a function', () => {
    expect(() => createSystem({ onUnhandledExit: 'log' as unknown as () => void })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
    );
  });
});

describe('#stats counts pending asks and temporaries', () => {
  it('and nothing is left after asks that were answered, timed out, failed or aborted, and streams that ended or broke', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ node: 'n', clock });
    const c = system.spawn(counterMachine, { name: 'c' });
    const silent = system.spawn(setup({}).createMachine({}), { name: 's' });
    const numbers = system.spawn(
      fromStream(async function* () {
        yield* [1, 2, 3];
      }),
      { name: 'numbers' },
    );
    const waiting = silent.ask({ type: 'x' }, { timeoutMs: 1000 });
    const aborted = new AbortController();
    const abortedAsk = silent.ask({ type: 'y' }, { signal: aborted.signal });
    expect(system.stats()).toMatchObject({ pendingAsks: 2, temporaries: 2 });
    expect(await c.ask({ type: 'get' })).toEqual({ type: 'count', value: 0 });
    await expect(system.ref('troupe://n/nobody').ask({ type: 'x' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
    clock.advance(1000);
    await expect(waiting).rejects.toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
    aborted.abort();
    await expect(abortedAsk).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    const all: number[] = [];
    for await (const n of numbers.stream<number>({ type: 'go' })) all.push(n);
    for await (const _ of numbers.stream<number>({ type: 'go' })) break;
    expect(all).toEqual([1, 2, 3]);
    await until(() => system.stats().temporaries === 0);
    expect(system.stats()).toMatchObject({ pendingAsks: 0, temporaries: 0 });
  });
});

describe('new ActorSystem()', () => {
  it('refuses network options (a type error, and TROUPE_ERR_INVALID_OPTION at run time) instead of ignoring them', () => {
    // @ts-expect-error listen is an option of createSystem, not of ActorSystem
    expect(() => new ActorSystem({ listen: { port: 0 } })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION', message: expect.stringContaining('createSystem') }),
    );
    // @ts-expect-error secret and tls too
    expect(() => new ActorSystem({ secret: 's', tls: {} })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    expect(new ActorSystem({ node: 'plain', listen: undefined } as object).node).toBe('plain');
  });

  it('spawns, asks and stops without the transport; a stream says it needs createSystem', async () => {
    const plain = new ActorSystem({ node: 'plain' });
    const c = plain.spawn(counterMachine, { name: 'c' });
    expect(await c.ask({ type: 'get' })).toEqual({ type: 'count', value: 0 });
    expect(() => c.stream({ type: 'inc' })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    await plain.shutdown();
  });
});

describe('a watch by an actor that has already stopped', () => {
  it('is ignored: no notice is left to become a dead letter', async () => {
    system = createSystem({ node: 'n' });
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((d) => letters.push(d));
    const watcher = system.spawn(counterMachine, { name: 'w' });
    const target = system.spawn(counterMachine, { name: 't' });
    await system.stop(watcher);
    system.watch(watcher, target);
    await system.stop(target);
    expect(letters.filter((l) => (l.event as AnyEventObject).type === 'troupe.down')).toEqual([]);
  });
});
