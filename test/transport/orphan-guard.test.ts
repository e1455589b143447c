import { afterEach, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { counterMachine, silentMachine } from '../support/machines.js';
import { advanceUntil, memoryPair, nodeEvents, type Pair, recorder, settle, until } from './helpers.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
});

/** beta spawns `kid` on alpha with a local parent; alpha watches the kid to see how it ends. */
async function setup(options: { orphanGraceMs: number; reconnectMs: number }) {
  pair = await memoryPair({
    a: { logic: { counter: counterMachine }, orphanGraceMs: options.orphanGraceMs },
    b: { reconnect: { minMs: options.reconnectMs, maxMs: options.reconnectMs, jitter: 0 } },
  });
  const { a, b } = pair;
  const parent = b.spawn(silentMachine, { name: 'parent' });
  await b.spawnOn('alpha', 'counter', { name: 'kid', parent });
  const downs: AnyEventObject[] = [];
  a.watch(a.spawn(recorder(downs), { name: 'observer' }), a.lookup('kid')!);
  await settle();
  return { ...pair, parent, downs };
}

describe('OrphanGuard', () => {
  it('stops a remotely spawned child when its parent exits', async () => {
    const { a, b, parent, downs } = await setup({ orphanGraceMs: 10_000, reconnectMs: 100 });
    await b.stop(parent);
    await until(() => downs.length === 1, 5000, 'kid down');
    expect(downs[0]).toEqual({ type: 'troupe.down', address: 'troupe://alpha/kid', reason: 'shutdown' });
    expect(a.lookup('kid')).toBeUndefined();
  });

  it('stops the child when the link to the parent’s node stays down past orphanGraceMs', async () => {
    const { a, net, port, clock, downs } = await setup({ orphanGraceMs: 1000, reconnectMs: 60_000 });
    const events = nodeEvents(a);
    net.sever(port);
    await until(() => events.some((e) => e.status === 'down'), 5000, 'alpha sees beta down');
    clock.advance(999);
    await settle();
    expect(a.lookup('kid')).toBeDefined();
    clock.advance(1);
    await until(() => downs.length === 1, 5000, 'kid down');
    expect(downs[0]).toEqual({ type: 'troupe.down', address: 'troupe://alpha/kid', reason: 'noconnection' });
  });

  it('keeps the child when the link comes back within the grace period, and still reaps it when the parent exits later', async () => {
    const { a, b, net, port, clock, parent, downs } = await setup({ orphanGraceMs: 1000, reconnectMs: 100 });
    const events = nodeEvents(a);
    net.sever(port);
    await advanceUntil(clock, () => events.some((e) => e.status === 'up'), 50, 'up again');
    clock.advance(2000);
    await settle();
    expect(a.lookup('kid')).toBeDefined();
    await b.stop(parent);
    await until(() => downs.length === 1, 5000, 'kid down');
    expect(downs[0]).toMatchObject({ reason: 'shutdown' });
  });

  it('stops the child when the parent exited while the link was down', async () => {
    const { b, net, port, clock, parent, downs } = await setup({ orphanGraceMs: 5000, reconnectMs: 100 });
    const events = nodeEvents(b);
    net.sever(port);
    await until(() => events.some((e) => e.status === 'reconnecting'), 5000, 'reconnecting');
    await b.stop(parent);
    await advanceUntil(clock, () => downs.length === 1, 50, 'kid down');
    // The parent was gone when the guard watched it again: it answered noproc, and the kid stopped.
    expect(downs[0]).toMatchObject({ reason: 'shutdown' });
  });

  it('lets go of a child that exits by itself', async () => {
    const { a, b, parent, downs } = await setup({ orphanGraceMs: 1000, reconnectMs: 100 });
    a.lookup('kid')!.send({ type: 'finish' });
    await until(() => downs.length === 1, 5000, 'kid finished');
    expect(downs[0]).toMatchObject({ reason: 'normal' });
    // Nothing left to reap: stopping the parent sends nothing that could fail.
    await b.stop(parent);
    await settle();
  });

  it('rejects a parent that is not an actor of the calling system', async () => {
    pair = await memoryPair({ a: { logic: { counter: counterMachine } } });
    await expect(pair.b.spawnOn('alpha', 'counter', { parent: pair.b.ref('troupe://alpha/x') })).rejects.toMatchObject({
      code: 'TROUPE_ERR_NOT_LOCAL',
    });
  });
});
