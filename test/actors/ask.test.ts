import { afterEach, describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { type ActorRef, type ActorSystem, createSystem, SimulatedClock, TroupeError } from '../../src/index.js';
import { until } from '../support/latch.js';
import { counterMachine, silentMachine } from '../support/machines.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

describe('ask', () => {
  it('adds replyTo and resolves with the first reply', async () => {
    system = createSystem();
    const c = system.spawn(counterMachine);
    await expect(c.ask({ type: 'get' }, { timeoutMs: 1000 })).resolves.toEqual({ type: 'count', value: 0 });
  });

  it('rejects with TIMEOUT when no reply comes in time (simulated clock)', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ clock });
    const s = system.spawn(silentMachine);
    const p = s.ask({ type: 'anything' }, { timeoutMs: 50 });
    clock.advance(49);
    let settled = false;
    p.catch(() => {}).finally(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(p).rejects.toMatchObject({ code: 'TROUPE_ERR_TIMEOUT', name: 'AskError' });
  });

  it('uses the system default timeout', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ clock, askTimeoutMs: 10 });
    const p = system.spawn(silentMachine).ask({ type: 'x' });
    clock.advance(10);
    await expect(p).rejects.toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
  });

  it('rejects with ABORTED when the signal aborts, before or during the wait', async () => {
    system = createSystem();
    const s = system.spawn(silentMachine);
    await expect(s.ask({ type: 'x' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    const ac = new AbortController();
    const p = s.ask({ type: 'x' }, { signal: ac.signal });
    ac.abort(new Error('user gave up'));
    await expect(p).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED', cause: expect.objectContaining({ message: 'user gave up' }) });
  });

  it('rejects with NO_ACTOR when the target is gone', async () => {
    system = createSystem({ node: 'n' });
    const c = system.spawn(counterMachine);
    await system.stop(c);
    await expect(c.ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
    await expect(system.ref('troupe://n/none').ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
  });

  it('rejects with ACTOR_STOPPED when the target exits before replying', async () => {
    system = createSystem();
    const s = system.spawn(silentMachine);
    const p = s.ask({ type: 'x' }, { timeoutMs: 60_000 });
    await system.stop(s);
    await expect(p).rejects.toMatchObject({ code: 'TROUPE_ERR_ACTOR_STOPPED' });
  });

  it('rejects with ACTOR_FAILED when the target crashes handling the asked event', async () => {
    system = createSystem();
    const crashing = fromCallback(({ receive }) => {
      receive(() => {
        throw new Error('bad handler');
      });
    });
    const c = system.spawn(crashing);
    await expect(c.ask({ type: 'x' }, { timeoutMs: 60_000 })).rejects.toMatchObject({ code: 'TROUPE_ERR_ACTOR_FAILED' });
  });

  it("rejects with MAILBOX_FULL under 'reject', and when a drop policy drops the asked event", async () => {
    system = createSystem();
    const r = system.spawn(silentMachine, { mailbox: { capacity: 1, overflow: 'reject' } });
    r.send({ type: 'fill' });
    await expect(r.ask({ type: 'x' })).rejects.toMatchObject({ code: 'TROUPE_ERR_MAILBOX_FULL' });

    const d = system.spawn(silentMachine, { mailbox: { capacity: 1, overflow: 'drop-oldest' } });
    const first = d.ask({ type: 'first' }, { timeoutMs: 60_000 });
    d.send({ type: 'second' });
    await expect(first).rejects.toMatchObject({ code: 'TROUPE_ERR_MAILBOX_FULL' });
  });

  it('rejects bad events and timeouts with clear codes', async () => {
    system = createSystem();
    const c = system.spawn(counterMachine);
    // @ts-expect-error a string is not an event
    await expect(c.ask('get')).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_EVENT' });
    for (const timeoutMs of [0, -5, Number.POSITIVE_INFINITY, Number.NaN]) {
      await expect(c.ask({ type: 'get' }, { timeoutMs })).rejects.toSatisfy((e) => TroupeError.is(e, 'TROUPE_ERR_INVALID_OPTION'));
    }
  });

  it('fails pending asks when the system shuts down', async () => {
    system = createSystem();
    const p = system.spawn(silentMachine).ask({ type: 'x' }, { timeoutMs: 60_000 });
    await system.shutdown();
    await expect(p).rejects.toMatchObject({ code: 'TROUPE_ERR_SYSTEM_STOPPED' });
  });

  it('dead-letters late replies', async () => {
    system = createSystem({ dispatcher: 'sync' });
    let replyTo: { send(e: { type: string }): void } | undefined;
    const slow = fromCallback<{ type: string; replyTo: { send(e: { type: string }): void } }>(({ receive }) => {
      receive((e) => {
        replyTo = e.replyTo;
      });
    });
    const letters: string[] = [];
    system.deadLetters.subscribe((d) => letters.push(d.reason));
    const clock = system.clock;
    expect(clock).toBeDefined();
    const ref = system.spawn(slow);
    await expect(ref.ask({ type: 'x' }, { timeoutMs: 1 })).rejects.toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
    replyTo?.send({ type: 'late' });
    expect(letters).toEqual(['stopped']);
  });
});

describe('ask and the target’s exit', () => {
  it('fails an ask the body already took when the actor exits, and keeps the queued ones for the next body', async () => {
    system = createSystem({ node: 'n' });
    const holder = fromCallback<{ type: string; replyTo?: { send(e: { type: string }): void } }>(({ receive }) => {
      receive((e) => {
        if (e.type === 'finish') throw new Error('gone');
      });
    });
    const ref = system.spawn(holder, { name: 'h' });
    const taken = ref.ask({ type: 'hold' }, { timeoutMs: 60_000 });
    await new Promise((r) => setImmediate(r));
    ref.send({ type: 'finish' });
    await expect(taken).rejects.toMatchObject({
      code: 'TROUPE_ERR_ACTOR_FAILED',
      message: expect.stringContaining('crashed before replying'),
    });
  });

  it('dead-letters a non-event sent to a reply address without settling the ask', async () => {
    system = createSystem({ dispatcher: 'sync' });
    const letters: string[] = [];
    system.deadLetters.subscribe((d) => letters.push(d.reason));
    const forward = fromCallback<{ type: string; replyTo: { send(e: unknown): void } }>(({ receive }) => {
      receive((e) => {
        e.replyTo.send(null);
        e.replyTo.send({ type: 'ok' });
      });
    });
    const ref = system.spawn(forward);
    await expect(ref.ask({ type: 'x' })).resolves.toEqual({ type: 'ok' });
    expect(letters).toEqual(['invalid-event']);
  });
});

describe('codes of asks that never reached a body', () => {
  it('fails an ask queued behind a crash with ACTOR_STOPPED, the one being handled with ACTOR_FAILED', async () => {
    system = createSystem({ node: 'n' });
    const c = system.spawn(counterMachine, { name: 'c' });
    c.send({ type: 'boom' });
    const queued = c.ask({ type: 'get' }, { timeoutMs: 60_000 });
    await expect(queued).rejects.toMatchObject({ code: 'TROUPE_ERR_ACTOR_STOPPED' });
  });
});

describe('watching a reply address', () => {
  it("tells the watcher 'normal' when the ask settles, 'noproc' once it has", async () => {
    system = createSystem({ node: 'n' });
    const seen: { type: string; reason?: unknown }[] = [];
    const watcher = system.spawn(
      fromCallback<{ type: string }>(({ receive }) => {
        receive((e) => seen.push(e));
      }),
      { name: 'w' },
    );
    let replyTo: ActorRef | undefined;
    const server = system.spawn(
      fromCallback<{ type: string; replyTo?: ActorRef }>(({ receive }) => {
        receive((e) => {
          if (e.type === 'hold') replyTo = e.replyTo;
          else replyTo?.send({ type: 'done' });
        });
      }),
      { name: 's' },
    );
    const p = server.ask({ type: 'hold' }, { timeoutMs: 60_000 });
    await until(() => replyTo !== undefined);
    system.watch(watcher, replyTo as ActorRef);
    server.send({ type: 'answer' });
    await p;
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ type: 'troupe.down', reason: 'normal' });
    system.watch(watcher, replyTo as ActorRef);
    await until(() => seen.length === 2);
    expect(seen[1]).toMatchObject({ reason: 'noproc' });
  });
});
