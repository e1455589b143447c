import { afterEach, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { transportHostOf } from '../../src/actors/transport-host.js';
import { ActorSystem, createSystem, type DeadLetter, SimulatedClock } from '../../src/index.js';
import { CloseCode, EndpointManager, Kind, MemoryNetwork, RemoteRef } from '../../src/internal.js';
import { resolveNetworkOptions } from '../../src/transport/options.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { memoryPair, nodeEvents, type Pair, rawPeer, recorder, settle, until } from './helpers.js';

let pair: Pair | undefined;
const extra: ActorSystem[] = [];
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
  for (const s of extra.splice(0)) await s.shutdown();
});

async function setup(options: Parameters<typeof memoryPair>[0] = {}): Promise<Pair> {
  pair = await memoryPair({ ...options, a: { logic: { counter: counterMachine, silent: silentMachine }, ...options.a } });
  return pair;
}

describe('EndpointManager', () => {
  describe('#spawnOn', () => {
    it('starts allowlisted logic on the host with its name and input', async () => {
      const { a, b } = await setup();
      const ref = await b.spawnOn('alpha', 'counter', { name: 'c', input: { start: 7 } });
      expect(ref.address).toBe('troupe://alpha/c');
      expect(a.lookup('c')).toBeDefined();
      await expect(ref.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 7 });
    });

    it('rejects logic outside the allowlist with TROUPE_ERR_NOT_ALLOWED and reports it on the host', async () => {
      const { a, b } = await setup();
      const events = nodeEvents(a);
      await expect(b.spawnOn('alpha', 'rm-rf', { name: 'x' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NOT_ALLOWED' });
      expect(events).toMatchObject([{ status: 'refused', peer: 'beta' }]);
      expect(a.lookup('x')).toBeUndefined();
    });

    it('does not treat inherited object keys as allowlisted', async () => {
      const { b } = await setup();
      await expect(b.spawnOn('alpha', 'constructor')).rejects.toMatchObject({ code: 'TROUPE_ERR_NOT_ALLOWED' });
      await expect(b.spawnOn('alpha', '__proto__')).rejects.toMatchObject({ code: 'TROUPE_ERR_NOT_ALLOWED' });
    });

    it('passes the host’s naming errors back', async () => {
      const { b } = await setup();
      await b.spawnOn('alpha', 'counter', { name: 'c' });
      await expect(b.spawnOn('alpha', 'counter', { name: 'c' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NAME_TAKEN' });
      await expect(b.spawnOn('alpha', 'counter', { name: '../etc' })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_NAME' });
    });

    it('spawns on its own node from its own allowlist, under a local parent', async () => {
      const { a } = await setup();
      const parent = a.spawn(silentMachine, { name: 'p' });
      const child = await a.spawnOn('alpha', 'counter', { name: 'c', parent });
      expect(child.address).toBe('troupe://alpha/p/c');
      await expect(a.spawnOn('alpha', 'nope')).rejects.toMatchObject({ code: 'TROUPE_ERR_NOT_ALLOWED' });
    });

    it('rejects with TROUPE_ERR_NODE_DOWN for a node it never reached', async () => {
      const { b } = await setup();
      await expect(b.spawnOn('gamma', 'counter')).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });
  });

  describe('#connect', () => {
    it('resolves with the peer’s node id, and at once when already linked', async () => {
      const { b, url } = await setup();
      await expect(b.connect(url)).resolves.toBe('alpha');
    });

    it('rejects a wrong secret with TROUPE_ERR_AUTH_FAILED, and the listener reports the failure', async () => {
      const { a, net, url, clock } = await setup();
      const events = nodeEvents(a);
      const intruder = createSystem({ node: 'eve', secret: 'guess', clock, transport: net.transport() });
      extra.push(intruder);
      await expect(intruder.connect(url)).rejects.toMatchObject({ code: 'TROUPE_ERR_AUTH_FAILED' });
      expect(events).toMatchObject([{ status: 'auth-failed', peer: 'eve' }]);
      expect(intruder.ref('troupe://alpha/x')).toBeDefined();
      await expect(intruder.spawnOn('alpha', 'counter')).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });

    it('rejects a listener that cannot prove the secret', async () => {
      const { net, clock } = await setup();
      const fake = createSystem({ node: 'fake', listen: { port: 0 }, secret: 'other', clock, transport: net.transport() });
      const victim = createSystem({ node: 'victim', secret: 'k', clock, transport: net.transport() });
      extra.push(fake, victim);
      await fake.ready;
      await expect(victim.connect(`memory://127.0.0.1:${fake.listenAddress?.port}`)).rejects.toMatchObject({
        code: 'TROUPE_ERR_AUTH_FAILED',
      });
    });

    it('rejects a peer that claims this node’s own id', async () => {
      const { net, url, clock } = await setup();
      const twin = createSystem({ node: 'alpha', secret: 'k', clock, transport: net.transport() });
      extra.push(twin);
      await expect(twin.connect(url)).rejects.toMatchObject({ code: 'TROUPE_ERR_PROTOCOL' });
    });

    it('ends with one link when two nodes dial each other at once', async () => {
      const net = new MemoryNetwork();
      const clock = new SimulatedClock();
      const x = createSystem({
        node: 'x',
        listen: { port: 0 },
        secret: 'k',
        clock,
        transport: net.transport(),
        logic: { counter: counterMachine },
      });
      const y = createSystem({
        node: 'y',
        listen: { port: 0 },
        secret: 'k',
        clock,
        transport: net.transport(),
        logic: { counter: counterMachine },
      });
      extra.push(x, y);
      await Promise.all([x.ready, y.ready]);
      const [toY, toX] = await Promise.all([
        x.connect(`memory://127.0.0.1:${y.listenAddress?.port}`),
        y.connect(`memory://127.0.0.1:${x.listenAddress?.port}`),
      ]);
      expect([toY, toX]).toEqual(['y', 'x']);
      await settle(10);
      expect(net.openLinks).toBe(2);
      await expect((await x.spawnOn('y', 'counter')).ask({ type: 'get' })).resolves.toMatchObject({ type: 'count' });
      await expect((await y.spawnOn('x', 'counter')).ask({ type: 'get' })).resolves.toMatchObject({ type: 'count' });
    });

    it('rejects an address nothing listens on with TROUPE_ERR_NODE_DOWN', async () => {
      const { b } = await setup();
      await expect(b.connect('memory://127.0.0.1:1')).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });
  });

  describe('limits', () => {
    it('rejects asks beyond maxPendingAsks with TROUPE_ERR_TOO_MANY_PENDING', async () => {
      const { b, clock } = await setup({ b: { maxPendingAsks: 2 } });
      const silent = await b.spawnOn('alpha', 'silent', { name: 's' });
      const first = silent.ask({ type: 'x' }, { timeoutMs: 1000 }).catch((e: unknown) => e);
      const second = silent.ask({ type: 'x' }, { timeoutMs: 1000 }).catch((e: unknown) => e);
      await expect(silent.ask({ type: 'x' })).rejects.toMatchObject({ code: 'TROUPE_ERR_TOO_MANY_PENDING' });
      clock.advance(1000);
      expect(await first).toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
      expect(await second).toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
    });

    it('refuses asks beyond what the host serves for one peer', async () => {
      const { b } = await setup({ a: { maxPendingAsks: 1, logic: { silent: silentMachine } } });
      const silent = await b.spawnOn('alpha', 'silent', { name: 's' });
      silent.ask({ type: 'x' }, { timeoutMs: 1000 }).catch(() => {});
      await expect(silent.ask({ type: 'x' })).rejects.toMatchObject({ code: 'TROUPE_ERR_TOO_MANY_PENDING' });
    });

    it('fails a message larger than maxFrameBytes alone and sends the rest of its batch', async () => {
      const { a, b } = await setup({ b: { maxFrameBytes: 2048 } });
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const rec = b.ref('troupe://alpha/rec');
      rec.send({ type: 'before' });
      const big = rec.ask({ type: 'big', text: 'x'.repeat(4096) });
      rec.send({ type: 'after' });
      await expect(big).rejects.toMatchObject({ code: 'TROUPE_ERR_FRAME_TOO_LARGE' });
      await until(() => got.length === 2, 5000, 'small tells');
      expect(got.map((e) => e.type)).toEqual(['before', 'after']);
    });

    it('splits a batch of tells that exceeds maxFrameBytes and delivers every tell in order', async () => {
      const { a, b } = await setup({ b: { maxFrameBytes: 4096 } });
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const rec = b.ref('troupe://alpha/rec');
      for (let i = 0; i < 40; i++) rec.send({ type: 'n', i, text: 'y'.repeat(500) });
      await until(() => got.length === 40, 5000, '40 tells');
      expect(got.map((e) => e.i)).toEqual([...Array(40).keys()]);
    });

    it('drops an event that cannot be encoded as a dead letter and sends the rest of its batch', async () => {
      const { a, b } = await setup();
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const letters: DeadLetter[] = [];
      b.deadLetters.subscribe((d) => letters.push(d));
      const rec = b.ref('troupe://alpha/rec');
      rec.send({ type: 'n', i: 0 });
      rec.send({ type: 'huge', value: 2n ** 70n });
      rec.send({ type: 'n', i: 1 });
      await until(() => got.length === 2, 5000, 'two tells');
      expect(got.map((e) => e.i)).toEqual([0, 1]);
      expect(letters).toMatchObject([{ recipient: 'troupe://alpha/rec', reason: 'invalid-event', event: { type: 'huge' } }]);
    });

    it('closes a link that delivers an oversized frame with 1009; both nodes stay up and link again', async () => {
      const { a, b, clock } = await setup({ a: { maxFrameBytes: 2048 }, b: { reconnect: { minMs: 10, maxMs: 10, jitter: 0 } } });
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const events = nodeEvents(b);
      b.ref('troupe://alpha/rec').send({ type: 'big', text: 'x'.repeat(4096) });
      await until(() => events.some((e) => e.status === 'down'), 5000, 'down');
      expect(events.find((e) => e.status === 'down')).toMatchObject({ code: CloseCode.TOO_BIG });
      for (let i = 0; i < 50 && !events.some((e) => e.status === 'up'); i++) {
        clock.advance(10);
        await settle(2);
      }
      b.ref('troupe://alpha/rec').send({ type: 'small' });
      await until(() => got.length === 1, 5000, 'small tell');
      expect(got[0].type).toBe('small');
    });
  });

  describe('#peers', () => {
    it('lists each node with up, connecting (re-dialing it) or down (waiting for it), through system.peers()', async () => {
      const { a, b, net, port, url } = await setup({ b: { reconnect: { minMs: 60_000, maxMs: 60_000, jitter: 0 } } });
      expect(b.peers()).toEqual([{ node: 'alpha', status: 'up', url }]);
      expect(a.peers()).toEqual([{ node: 'beta', status: 'up' }]);
      net.sever(port);
      await until(() => b.peers()[0]?.status !== 'up' && a.peers()[0]?.status !== 'up', 5000, 'both ends to see the link go');
      expect(b.peers()).toEqual([{ node: 'alpha', status: 'connecting', url }]);
      expect(a.peers()).toEqual([{ node: 'beta', status: 'down' }]);
      expect(new ActorSystem({ node: 'solo' }).peers()).toEqual([]);
    });

    it('lists linked nodes only: refs to other nodes arriving in events create no endpoint', async () => {
      const net = new MemoryNetwork();
      const host = new ActorSystem({ node: 'host' });
      const manager = new EndpointManager(
        transportHostOf(host),
        net.transport(),
        resolveNetworkOptions({ listen: { port: 0 }, secret: 'k' }),
      );
      extra.push(host);
      await host.ready;
      const got: AnyEventObject[] = [];
      host.spawn(recorder(got), { name: 'rec' });
      const peer = await rawPeer(net.transport(), `memory://127.0.0.1:${host.listenAddress?.port}`);
      const refs = Array.from({ length: 200 }, (_, i) => new RemoteRef(manager, `n${i}`, `troupe://n${i}/x`, 'x'));
      peer.send([[Kind.SEND, 'rec', { type: 'refs', refs }]]);
      await until(() => got.length === 1, 5000, 'event with refs');
      expect((got[0].refs as unknown[]).length).toBe(200);
      expect(manager.peers().map((p) => p.node)).toEqual(['mallory']);
      (got[0].refs as { send(e: AnyEventObject): void }[])[0].send({ type: 'into-the-void' });
      expect(manager.peers().map((p) => p.node)).toEqual(['mallory']);
    });
  });

  describe('bad input from an authenticated peer', () => {
    it('drops an undecodable frame, reports it, and keeps the link', async () => {
      const { a, net, url } = await setup();
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const events = nodeEvents(a);
      const peer = await rawPeer(net.transport(), url);
      peer.sendBytes(Uint8Array.from([0xc1]));
      peer.sendBytes(Uint8Array.from([0x92, 0x01]));
      peer.send([[Kind.SEND, 'rec', { type: 'ok' }]]);
      await until(() => got.length === 1, 5000, 'valid tell');
      expect(events.filter((e) => e.status === 'frame-error')).toHaveLength(2);
      expect(peer.closed).toBeUndefined();
    });

    it('drops envelopes of unknown kinds or shapes alone', async () => {
      const { a, net, url } = await setup();
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const events = nodeEvents(a);
      const peer = await rawPeer(net.transport(), url);
      peer.send([
        [99, 'x'],
        'not-an-envelope',
        [Kind.SEND, 42, { type: 'x' }],
        [Kind.WATCH, 'rec', 'troupe://alpha/rec'],
        [Kind.SEND, 'rec', { type: 'ok' }],
      ]);
      await until(() => got.length === 1, 5000, 'valid tell');
      expect(got).toEqual([{ type: 'ok' }]);
      expect(events.filter((e) => e.status === 'frame-error').map((e) => e.detail)).toEqual([
        'envelope 0 has an unknown kind 99',
        'envelope 1 is not an array',
        'envelope 2 (kind 1) is malformed',
        'envelope 3 (kind 4) is malformed',
      ]);
    });

    it('rejects envelopes carrying __proto__ or constructor.prototype keys, answering an ask with TROUPE_ERR_PROTOCOL', async () => {
      const { a, net, url } = await setup();
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const events = nodeEvents(a);
      const peer = await rawPeer(net.transport(), url);
      const proto = JSON.parse('{"type":"evil","payload":{"__proto__":{"polluted":true}}}');
      const ctor = JSON.parse('{"type":"evil","constructor":{"prototype":{"polluted":true}}}');
      peer.send([
        [Kind.SEND, 'rec', proto],
        [Kind.ASK, 'rec', ctor, '$ask.mallory.1', 1000],
        [Kind.SEND, 'rec', { type: 'ok', text: 'a prototype is fine as a value' }],
      ]);
      await until(() => got.length === 1 && peer.received.length === 1, 5000, 'valid tell and ask failure');
      expect(got.map((e) => e.type)).toEqual(['ok']);
      expect(peer.received[0]).toEqual([
        Kind.ASK_FAIL,
        '$ask.mallory.1',
        'TROUPE_ERR_PROTOCOL',
        'envelope 1 rejected: it carries a constructor.prototype key',
      ]);
      expect(events.filter((e) => e.status === 'frame-error').map((e) => e.detail)).toEqual([
        'envelope 0 rejected: it carries a __proto__ key',
        'envelope 1 rejected: it carries a constructor.prototype key',
      ]);
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });

    it('answers an unknown control call with TROUPE_ERR_PROTOCOL', async () => {
      const { net, url } = await setup();
      const peer = await rawPeer(net.transport(), url);
      peer.send([[Kind.CALL, 1, 'format-disk', {}]]);
      await until(() => peer.received.length === 1, 5000, 'result');
      expect(peer.received[0]).toEqual([Kind.RESULT, 1, false, 'TROUPE_ERR_PROTOCOL', 'unknown call format-disk']);
    });

    it('closes a link whose handshake is garbage with the protocol close code', async () => {
      const { a, net, port } = await setup();
      const events = nodeEvents(a);
      const link = await net.transport().dial(`memory://127.0.0.1:${port}`, { maxFrameBytes: 1 << 20, timeoutMs: 1000 });
      let closed: number | undefined;
      link.onClose = (code) => {
        closed = code;
      };
      link.send(Uint8Array.from([1, 2, 3]));
      await until(() => closed !== undefined, 5000, 'close');
      expect(closed).toBe(CloseCode.PROTOCOL);
      expect(events).toMatchObject([{ status: 'frame-error' }]);
    });
  });

  describe('#close', () => {
    it('settles whenUp waiters and clears their timers at shutdown', async () => {
      const clock = new SimulatedClock();
      const system = new ActorSystem({ node: 'beta', clock });
      const manager = new EndpointManager(transportHostOf(system), new MemoryNetwork().transport(), resolveNetworkOptions({ secret: 'k' }));
      const before = clock.pending;
      const up = manager.endpoint('gamma').whenUp(60_000);
      expect(clock.pending).toBe(before + 1);
      await system.shutdown();
      await expect(up).resolves.toBe(false);
      expect(clock.pending).toBe(before);
    });
  });

  describe('#peers', () => {
    it('forgets a peer that never came back after bufferMs, and a ref to it works again once it does', async () => {
      const net = new MemoryNetwork();
      const clock = new SimulatedClock();
      const alpha = new ActorSystem({ node: 'alpha', clock });
      const manager = new EndpointManager(
        transportHostOf(alpha),
        net.transport(),
        resolveNetworkOptions({ listen: { port: 0 }, secret: 'k', reconnect: { bufferMs: 1000 } }),
      );
      extra.push(alpha);
      await alpha.ready;
      const url = `memory://127.0.0.1:${alpha.listenAddress?.port}`;
      const got: AnyEventObject[] = [];
      const beta1 = createSystem({ node: 'beta', secret: 'k', clock, transport: net.transport() });
      await beta1.connect(url);
      beta1.spawn(recorder(got), { name: 'rec' });
      const ref = alpha.ref('troupe://beta/rec');
      ref.send({ type: 'one' });
      await until(() => got.length === 1, 5000, 'first tell');
      await beta1.shutdown();
      await settle();
      expect(manager.peers().map((p) => p.status)).toEqual(['down']);
      clock.advance(1000);
      expect(manager.peers()).toEqual([]);
      // the peer comes back under the same id; the ref made before reaches it
      const beta2 = createSystem({ node: 'beta', secret: 'k', clock, transport: net.transport() });
      extra.push(beta2);
      await beta2.connect(url);
      const got2: AnyEventObject[] = [];
      beta2.spawn(recorder(got2), { name: 'rec' });
      ref.send({ type: 'two' });
      await until(() => got2.length === 1, 5000, 'tell over the new link');
      expect(manager.peers().map((p) => p.status)).toEqual(['up']);
    });
  });
});
