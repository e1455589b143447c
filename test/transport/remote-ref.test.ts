import { afterEach, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { type ActorRef, type DeadLetter, TroupeError } from '../../src/index.js';
import { MemoryNetwork, RemoteRef } from '../../src/internal.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { countingTransport, memoryPair, type Pair, recorder, settle, until } from './helpers.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
});

async function setup(extra: Parameters<typeof memoryPair>[0] = {}): Promise<Pair> {
  pair = await memoryPair({ ...extra, a: { logic: { counter: counterMachine, silent: silentMachine }, ...extra.a } });
  return pair;
}

describe('RemoteRef', () => {
  describe('#send', () => {
    it('delivers tells to a remote actor in the order they were sent', async () => {
      const { a, b } = await setup();
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      const rec = b.ref('troupe://alpha/rec');
      expect(rec).toBeInstanceOf(RemoteRef);
      for (let i = 0; i < 200; i++) rec.send({ type: 'n', i });
      await until(() => got.length === 200, 5000, '200 tells');
      expect(got.map((e) => e.i)).toEqual([...Array(200).keys()]);
    });

    it('batches the envelopes queued in one tick into one frame', async () => {
      const net = new MemoryNetwork();
      const counting = countingTransport(net.transport());
      const { a, b } = await setup({ net, b: { transport: counting } });
      const got: AnyEventObject[] = [];
      a.spawn(recorder(got), { name: 'rec' });
      await settle();
      const before = counting.frames;
      const rec = b.ref('troupe://alpha/rec');
      for (let i = 0; i < 50; i++) rec.send({ type: 'n', i });
      await until(() => got.length === 50, 5000, '50 tells');
      expect(counting.frames - before).toBe(1);
    });

    it('turns an event that is not an event object into a dead letter', async () => {
      const { b } = await setup();
      const letters: DeadLetter[] = [];
      b.deadLetters.subscribe((d) => letters.push(d));
      (b.ref('troupe://alpha/rec') as ActorRef<AnyEventObject>).send(42 as unknown as AnyEventObject);
      expect(letters).toMatchObject([{ recipient: 'troupe://alpha/rec', reason: 'invalid-event' }]);
    });

    it('makes tells to a node it never reached dead letters with reason node-down', async () => {
      const { b } = await setup();
      const letters: DeadLetter[] = [];
      b.deadLetters.subscribe((d) => letters.push(d));
      b.ref('troupe://gamma/x').send({ type: 'hi' });
      expect(letters).toMatchObject([{ recipient: 'troupe://gamma/x', reason: 'node-down' }]);
    });
  });

  describe('#ask', () => {
    it('resolves with the remote actor’s reply', async () => {
      const { b } = await setup();
      const counter = await b.spawnOn('alpha', 'counter', { name: 'c', input: { start: 41 } });
      counter.send({ type: 'inc' });
      await expect(counter.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 42 });
    });

    it('rejects with TROUPE_ERR_NO_ACTOR when nothing lives at the address', async () => {
      const { b } = await setup();
      await expect(b.ref('troupe://alpha/nobody').ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
    });

    it('rejects with TROUPE_ERR_ACTOR_FAILED when the remote actor crashes on the asked event', async () => {
      const { b } = await setup();
      const counter = await b.spawnOn('alpha', 'counter', { name: 'c' });
      await expect(counter.ask({ type: 'boom' })).rejects.toMatchObject({ code: 'TROUPE_ERR_ACTOR_FAILED' });
    });

    it('rejects with TROUPE_ERR_TIMEOUT when no reply comes in time', async () => {
      const { b, clock } = await setup();
      const silent = await b.spawnOn('alpha', 'silent', { name: 's' });
      const asked = silent.ask({ type: 'anything' }, { timeoutMs: 500 });
      await settle();
      clock.advance(500);
      await expect(asked).rejects.toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
    });

    it('rejects with TROUPE_ERR_NODE_DOWN at once for a node it never reached', async () => {
      const { b } = await setup();
      await expect(b.ref('troupe://gamma/x').ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });
  });

  describe('refs inside events', () => {
    it('arrive as usable remote refs, however deeply nested', async () => {
      const { a, b } = await setup();
      const atAlpha: AnyEventObject[] = [];
      const atBeta: AnyEventObject[] = [];
      a.spawn(recorder(atAlpha), { name: 'rec' });
      const home = b.spawn(recorder(atBeta), { name: 'home' });
      b.ref('troupe://alpha/rec').send({ type: 'hello', from: home, nested: { list: [home] } });
      await until(() => atAlpha.length === 1, 5000, 'hello');
      const { from, nested } = atAlpha[0] as unknown as { from: ActorRef; nested: { list: ActorRef[] } };
      expect(from).toBeInstanceOf(RemoteRef);
      expect(from.address).toBe('troupe://beta/home');
      expect(nested.list[0].address).toBe('troupe://beta/home');
      from.send({ type: 'back' });
      nested.list[0].send({ type: 'again' });
      await until(() => atBeta.length === 2, 5000, 'replies');
      expect(atBeta.map((e) => e.type)).toEqual(['back', 'again']);
    });

    it('become local again on the node the actor lives on', async () => {
      const { a, b } = await setup();
      const atAlpha: AnyEventObject[] = [];
      a.spawn(recorder(atAlpha), { name: 'rec' });
      b.ref('troupe://alpha/rec').send({ type: 'self', me: b.ref('troupe://alpha/rec') });
      await until(() => atAlpha.length === 1, 5000, 'self');
      const me = (atAlpha[0] as unknown as { me: ActorRef }).me;
      expect(me).not.toBeInstanceOf(RemoteRef);
      expect(me.address).toBe('troupe://alpha/rec');
      me.send({ type: 'loop' });
      await until(() => atAlpha.length === 2, 5000, 'loop');
    });

    it('carry errors with their class, code and message', async () => {
      const { a, b } = await setup();
      const atAlpha: AnyEventObject[] = [];
      a.spawn(recorder(atAlpha), { name: 'rec' });
      const err = new TroupeError('TROUPE_ERR_TIMEOUT', 'too slow');
      b.ref('troupe://alpha/rec').send({ type: 'failed', error: err, plain: new RangeError('out') });
      await until(() => atAlpha.length === 1, 5000, 'error event');
      const got = atAlpha[0] as unknown as { error: TroupeError; plain: Error };
      expect(got.error).toBeInstanceOf(TroupeError);
      expect(got.error).toMatchObject({ code: 'TROUPE_ERR_TIMEOUT', message: 'too slow' });
      expect(got.plain).toBeInstanceOf(Error);
      expect(got.plain).toMatchObject({ name: 'RangeError', message: 'out' });
    });
  });

  describe('#watch', () => {
    it('delivers troupe.down with the exit reason when the remote actor stops', async () => {
      const { b } = await setup();
      const downs: AnyEventObject[] = [];
      const watcher = b.spawn(recorder(downs), { name: 'w' });
      const target = await b.spawnOn('alpha', 'counter', { name: 'c' });
      b.watch(watcher, target);
      await settle();
      await b.stop(target);
      await until(() => downs.length === 1, 5000, 'down');
      expect(downs[0]).toEqual({ type: 'troupe.down', address: 'troupe://alpha/c', reason: 'shutdown' });
    });

    it('carries a crash reason across', async () => {
      const { b } = await setup();
      const downs: AnyEventObject[] = [];
      const watcher = b.spawn(recorder(downs), { name: 'w' });
      const target = await b.spawnOn('alpha', 'counter', { name: 'c' });
      b.watch(watcher, target);
      await settle();
      target.send({ type: 'boom' });
      await until(() => downs.length === 1, 5000, 'down');
      const reason = downs[0].reason as { error: Error };
      expect(reason.error).toBeInstanceOf(Error);
      expect(reason.error.message).toBe('boom');
    });

    it('answers noproc for an actor that does not exist', async () => {
      const { b } = await setup();
      const downs: AnyEventObject[] = [];
      const watcher = b.spawn(recorder(downs), { name: 'w' });
      b.watch(watcher, b.ref('troupe://alpha/ghost'));
      await until(() => downs.length === 1, 5000, 'down');
      expect(downs[0]).toEqual({ type: 'troupe.down', address: 'troupe://alpha/ghost', reason: 'noproc' });
    });

    it('sends nothing after unwatch', async () => {
      const { b } = await setup();
      const downs: AnyEventObject[] = [];
      const watcher = b.spawn(recorder(downs), { name: 'w' });
      const target = await b.spawnOn('alpha', 'counter', { name: 'c' });
      const other = await b.spawnOn('alpha', 'counter', { name: 'other' });
      b.watch(watcher, target);
      b.unwatch(watcher, target);
      await b.stop(target);
      // A notice sent before this reply would arrive before it (FIFO per node pair).
      await expect(other.ask({ type: 'get' })).resolves.toMatchObject({ type: 'count' });
      expect(downs).toEqual([]);
    });
  });

  describe('#stop', () => {
    it('stops the remote actor and resolves once it has stopped', async () => {
      const { a, b } = await setup();
      const target = await b.spawnOn('alpha', 'counter', { name: 'c' });
      expect(a.lookup('c')).toBeDefined();
      await b.stop(target);
      expect(a.lookup('c')).toBeUndefined();
    });
  });
});
