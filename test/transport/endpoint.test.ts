import { afterEach, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { transportHostOf } from '../../src/actors/transport-host.js';
import { ActorSystem, type DeadLetter, type NodeInspectionEvent } from '../../src/index.js';
import { CloseCode, type Connection, Endpoint, Kind } from '../../src/internal.js';
import type { EndpointLinks } from '../../src/transport/endpoint.js';
import type { NodeContext } from '../../src/transport/node-context.js';
import { resolveNetworkOptions } from '../../src/transport/options.js';
import { WatchRegistry } from '../../src/transport/watch-registry.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { advanceUntil, memoryPair, nodeEvents, type Pair, rawPeer, recorder, settle, until } from './helpers.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
});

async function setup(extra: Parameters<typeof memoryPair>[0] = {}): Promise<Pair> {
  pair = await memoryPair({
    ...extra,
    a: { logic: { counter: counterMachine, silent: silentMachine }, ...extra.a },
    b: { reconnect: { minMs: 100, maxMs: 100, jitter: 0 }, ...extra.b },
  });
  return pair;
}

const statuses = (events: { status: string; peer?: string }[]) => events.map((e) => e.status);

describe('Endpoint', () => {
  describe('when the link is lost', () => {
    it('rejects pending asks to the node with TROUPE_ERR_NODE_DOWN at once', async () => {
      const { b, net, port } = await setup();
      const silent = await b.spawnOn('alpha', 'silent', { name: 's' });
      const asked = silent.ask({ type: 'x' }, { timeoutMs: 60_000 });
      await settle();
      net.sever(port);
      // The simulated clock never moved: this is the failure detector, not the ask timeout.
      await expect(asked).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });

    it('rejects pending spawnOn calls with TROUPE_ERR_NODE_DOWN', async () => {
      const { b, net, port } = await setup();
      const spawning = b.spawnOn('alpha', 'counter', { name: 'c' });
      net.sever(port);
      await expect(spawning).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });

    it('sends troupe.down with reason noconnection to every watcher of an actor there', async () => {
      const { b, net, port } = await setup();
      const downs: AnyEventObject[] = [];
      const watcher = b.spawn(recorder(downs), { name: 'w' });
      const c1 = await b.spawnOn('alpha', 'counter', { name: 'c1' });
      const c2 = await b.spawnOn('alpha', 'counter', { name: 'c2' });
      b.watch(watcher, c1);
      b.watch(watcher, c2);
      await settle();
      net.sever(port);
      await until(() => downs.length === 2, 5000, 'two downs');
      expect(downs).toEqual([
        { type: 'troupe.down', address: 'troupe://alpha/c1', reason: 'noconnection' },
        { type: 'troupe.down', address: 'troupe://alpha/c2', reason: 'noconnection' },
      ]);
    });

    it('forgets remote watchers of local actors, so their exits send nothing', async () => {
      const { a, b, net, port, clock } = await setup();
      const downs: AnyEventObject[] = [];
      const watcher = b.spawn(recorder(downs), { name: 'w' });
      const c = await b.spawnOn('alpha', 'counter', { name: 'c' });
      b.watch(watcher, c);
      await settle();
      net.sever(port);
      await until(() => downs.length === 1, 5000, 'noconnection');
      const events = nodeEvents(b);
      await advanceUntil(clock, () => statuses(events).includes('up'), 50, 'reconnect');
      await a.stop(a.lookup('c')!);
      await expect((await b.spawnOn('alpha', 'counter', { name: 'probe' })).ask({ type: 'get' })).resolves.toBeDefined();
      expect(downs).toHaveLength(1);
    });

    it('reports down, then reconnecting, to inspection', async () => {
      const { a, b, net, port } = await setup();
      const atA = nodeEvents(a);
      const atB = nodeEvents(b);
      net.sever(port);
      await until(() => statuses(atB).includes('reconnecting') && statuses(atA).includes('reconnecting'), 5000, 'down events');
      expect(atB.slice(0, 2)).toMatchObject([
        { status: 'down', peer: 'alpha', code: CloseCode.ABNORMAL },
        { status: 'reconnecting', peer: 'alpha' },
      ]);
      expect(atA[0]).toMatchObject({ status: 'down', peer: 'beta' });
    });
  });

  describe('while reconnecting', () => {
    it('re-dials with backoff and delivers what was sent meanwhile, in order', async () => {
      const { a, b, net, port, clock } = await setup();
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const rec = b.ref('troupe://alpha/rec');
      rec.send({ type: 'n', i: 0 });
      await until(() => got.length === 1, 5000, 'first');
      const events = nodeEvents(b);
      net.sever(port);
      await until(() => statuses(events).includes('reconnecting'), 5000, 'reconnecting');
      for (let i = 1; i <= 5; i++) rec.send({ type: 'n', i });
      await advanceUntil(clock, () => statuses(events).includes('up'), 50, 'up again');
      await until(() => got.length === 6, 5000, 'buffered tells');
      expect(got.map((e) => e.i)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('holds at most bufferLimit messages; the rest are dead letters with reason node-down', async () => {
      const { a, b, net, port, clock } = await setup({ b: { reconnect: { minMs: 100, maxMs: 100, jitter: 0, bufferLimit: 3 } } });
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const letters: DeadLetter[] = [];
      b.deadLetters.subscribe((d) => letters.push(d));
      const events = nodeEvents(b);
      net.sever(port);
      await until(() => statuses(events).includes('reconnecting'), 5000, 'reconnecting');
      const rec = b.ref('troupe://alpha/rec');
      for (let i = 0; i < 5; i++) rec.send({ type: 'n', i });
      expect(letters.map((l) => [l.reason, (l.event as { i: number }).i])).toEqual([
        ['node-down', 3],
        ['node-down', 4],
      ]);
      await advanceUntil(clock, () => statuses(events).includes('up'), 50, 'up again');
      await until(() => got.length === 3, 5000, 'buffered tells');
      expect(got.map((e) => e.i)).toEqual([0, 1, 2]);
    });

    it('fails held asks and spawns as soon as a re-dial is refused (the peer’s process is gone), and keeps held tells', async () => {
      const { a, b, clock } = await setup();
      const letters: DeadLetter[] = [];
      b.deadLetters.subscribe((d) => letters.push(d));
      const events = nodeEvents(b);
      await a.shutdown();
      await until(() => statuses(events).includes('reconnecting'), 5000, 'reconnecting');
      const rec = b.ref('troupe://alpha/rec');
      rec.send({ type: 'held' });
      const asked = rec.ask({ type: 'held-ask' }, { timeoutMs: 60_000 }).catch((e: unknown) => e);
      const spawned = b.spawnOn('alpha', 'counter').catch((e: unknown) => e);
      await settle();
      expect(letters).toEqual([]);
      clock.advance(100);
      expect(await asked).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
      expect(await spawned).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
      expect(letters.map((l) => (l.event as AnyEventObject).type)).toEqual(['held-ask']);
    });

    it('gives up after bufferMs: held messages and later ones become dead letters', async () => {
      const { a, b, clock } = await setup({ b: { reconnect: { minMs: 100, maxMs: 100, jitter: 0, bufferMs: 1000 } } });
      const letters: DeadLetter[] = [];
      b.deadLetters.subscribe((d) => letters.push(d));
      const events = nodeEvents(b);
      await a.shutdown();
      await until(() => statuses(events).includes('reconnecting'), 5000, 'reconnecting');
      const rec = b.ref('troupe://alpha/rec');
      rec.send({ type: 'held' });
      expect(letters).toEqual([]);
      await advanceUntil(clock, () => statuses(events).includes('unreachable'), 100, 'unreachable');
      rec.send({ type: 'late' });
      expect(letters.map((l) => [(l.event as AnyEventObject).type, l.reason])).toEqual([
        ['held', 'node-down'],
        ['late', 'node-down'],
      ]);
    });
  });

  describe('heartbeats', () => {
    it('declare a silent peer down after maxMissed intervals, and the link comes back when it answers again', async () => {
      const { b, net, port, clock } = await setup({
        a: { heartbeat: { intervalMs: 100, maxMissed: 2 } },
        b: { heartbeat: { intervalMs: 100, maxMissed: 2 }, handshakeTimeoutMs: 500 },
      });
      const silent = await b.spawnOn('alpha', 'silent', { name: 's' });
      const counter = await b.spawnOn('alpha', 'counter', { name: 'c' });
      const asked = silent.ask({ type: 'x' }, { timeoutMs: 600_000 }).catch((e: unknown) => e);
      await settle();
      const events = nodeEvents(b);
      net.blackhole(port);
      await advanceUntil(clock, () => statuses(events).includes('down'), 50, 'heartbeat down');
      expect(events.find((e) => e.status === 'down')).toMatchObject({ peer: 'alpha', code: CloseCode.HEARTBEAT_TIMEOUT });
      expect(await asked).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
      net.blackhole(port, false);
      await advanceUntil(clock, () => statuses(events).includes('up'), 50, 'up again');
      await expect(counter.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 0 });
    });

    it('keep a quiet but healthy link up', async () => {
      const { b, clock } = await setup({
        a: { heartbeat: { intervalMs: 100, maxMissed: 2 } },
        b: { heartbeat: { intervalMs: 100, maxMissed: 2 } },
      });
      const events = nodeEvents(b);
      for (let i = 0; i < 40; i++) {
        clock.advance(50);
        await settle(2);
      }
      expect(statuses(events)).toEqual([]);
      const counter = await b.spawnOn('alpha', 'counter', { name: 'c' });
      await expect(counter.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 0 });
    });
  });

  describe('batching', () => {
    it('coalesces consecutive tells to one actor into one envelope, keeping the order across actors', async () => {
      const { a, net, url } = await setup();
      const peer = await rawPeer(net.transport(), url);
      const x = a.ref('troupe://mallory/x');
      const y = a.ref('troupe://mallory/y');
      x.send({ type: 'a' });
      x.send({ type: 'b' });
      y.send({ type: 'c' });
      x.send({ type: 'd' });
      await until(() => peer.received.length === 3, 5000, 'three envelopes');
      expect(peer.received).toEqual([
        [Kind.SEND_BATCH, 'x', [{ type: 'a' }, { type: 'b' }]],
        [Kind.SEND, 'y', { type: 'c' }],
        [Kind.SEND, 'x', { type: 'd' }],
      ]);
    });
  });

  describe('shutdown', () => {
    it('sends what is queued before closing the link', async () => {
      const { a, b } = await setup();
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const rec = b.ref('troupe://alpha/rec');
      for (let i = 0; i < 10; i++) rec.send({ type: 'n', i });
      await b.shutdown();
      await until(() => got.length === 10, 5000, 'flushed tells');
    });
  });
});

/** A link stand-in: which end dialed it, and how it was closed. */
function fakeLink(role: 'dialer' | 'listener', name: string) {
  const fake = {
    role,
    state: 'open',
    closedWith: undefined as number | undefined,
    link: { remote: name },
    sent: [] as Uint8Array[],
    send(frame: Uint8Array) {
      fake.sent.push(frame);
    },
    close(code: number) {
      fake.closedWith = code;
    },
  };
  return fake;
}

function endpointOn(self: string, peer: string) {
  const events: NodeInspectionEvent['status'][] = [];
  const ctx: NodeContext = {
    host: transportHostOf(new ActorSystem({ node: self })),
    options: resolveNetworkOptions({}),
    watches: new WatchRegistry(),
    resolveRef: () => {
      throw new Error('no refs here');
    },
    endpointFor: () => {
      throw new Error('no other endpoints here');
    },
    serveCall() {},
    report(status) {
      events.push(status);
    },
  };
  const links: EndpointLinks = {
    dial: () => Promise.reject(new Error('no dialing here')),
    linkUp() {},
    linkDown() {},
    unreachable() {},
  };
  return { endpoint: new Endpoint(ctx, links, peer), events };
}

const asConn = (f: ReturnType<typeof fakeLink>) => f as unknown as Connection;

describe('Endpoint (unit, with stand-in links)', () => {
  describe('#attach', () => {
    it('on the lower node: prefers its own dial and closes the peer’s', () => {
      const { endpoint, events } = endpointOn('x', 'y');
      const theirs = fakeLink('listener', 'y-dial');
      const ours = fakeLink('dialer', 'x-dial');
      endpoint.attach(asConn(theirs));
      endpoint.attach(asConn(ours));
      expect(endpoint.connection).toBe(ours);
      expect(theirs.closedWith).toBe(CloseCode.DUPLICATE);
      expect(ours.closedWith).toBeUndefined();
      expect(events).toEqual(['up']);
    });

    it('on the higher node: prefers the lower node’s dial and keeps its own open until the lower node closes it', () => {
      const { endpoint, events } = endpointOn('y', 'x');
      const ours = fakeLink('dialer', 'y-dial');
      const theirs = fakeLink('listener', 'x-dial');
      endpoint.attach(asConn(ours));
      endpoint.attach(asConn(theirs));
      expect(endpoint.connection).toBe(theirs);
      expect(ours.closedWith).toBeUndefined();
      endpoint.detach(asConn(ours), CloseCode.DUPLICATE, 'the link dialed by the lower node id is kept');
      expect(endpoint.status).toBe('up');
      expect(endpoint.connection).toBe(theirs);
      expect(events).toEqual(['up']);
    });

    it('replaces a stale link when the same node dials again', () => {
      const { endpoint } = endpointOn('x', 'y');
      const first = fakeLink('listener', 'y-dial-1');
      const second = fakeLink('listener', 'y-dial-2');
      endpoint.attach(asConn(first));
      endpoint.attach(asConn(second));
      expect(endpoint.connection).toBe(second);
      expect(first.closedWith).toBe(CloseCode.REPLACED);
      endpoint.detach(asConn(first), CloseCode.REPLACED, '');
      expect(endpoint.status).toBe('up');
    });
  });

  describe('#detach', () => {
    it('falls back to a spare open link instead of declaring the node down', () => {
      const { endpoint, events } = endpointOn('y', 'x');
      const ours = fakeLink('dialer', 'y-dial');
      const theirs = fakeLink('listener', 'x-dial');
      endpoint.attach(asConn(ours));
      endpoint.attach(asConn(theirs));
      endpoint.detach(asConn(theirs), CloseCode.ABNORMAL, '');
      expect(endpoint.status).toBe('up');
      expect(endpoint.connection).toBe(ours);
      expect(events).toEqual(['up']);
    });

    it('declares the node down when the last link closes', () => {
      const { endpoint, events } = endpointOn('x', 'y');
      const only = fakeLink('dialer', 'x-dial');
      endpoint.attach(asConn(only));
      endpoint.detach(asConn(only), CloseCode.ABNORMAL, '');
      expect(endpoint.status).toBe('reconnecting');
      expect(events).toEqual(['up', 'down', 'reconnecting']);
    });
  });

  describe('messages for people', () => {
    it('reports a peer that shut down on purpose as closed, not down and reconnecting', async () => {
      const { a, b } = await setup();
      const events = nodeEvents(a);
      await b.shutdown();
      await until(() => events.some((e) => e.peer === 'beta'), 5000, 'alpha to notice');
      await settle();
      expect(events.filter((e) => e.peer === 'beta')).toEqual([
        expect.objectContaining({ status: 'closed', detail: 'node beta shut down', code: CloseCode.GOING_AWAY }),
      ]);
    });

    it('says how to connect when asked to reach a node it never linked to', async () => {
      const { b } = await setup();
      const failure = b.ref('troupe://ghost/x').ask({ type: 'q' }, { timeoutMs: 60_000 });
      await expect(failure).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
      await expect(failure).rejects.toThrow(
        'node ghost is not connected: connect to it first with system.connect(url), or have it connect to this node',
      );
    });
  });
});
