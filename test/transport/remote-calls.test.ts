import { afterEach, describe, expect, it } from 'vitest';
import { Kind } from '../../src/internal.js';
import { counterMachine } from '../support/machines.js';
import { memoryPair, type Pair, rawPeer, until } from './helpers.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
});

describe('RemoteCalls', () => {
  describe('#spawnOn', () => {
    it('spawns on this node from its own allowlist, and refuses a parent of another system', async () => {
      pair = await memoryPair({ a: { logic: { counter: counterMachine } } });
      const { a, b } = pair;
      const here = await a.spawnOn('alpha', 'counter', { name: 'local' });
      expect(here.address).toBe('troupe://alpha/local');
      await expect(a.spawnOn('alpha', 'nope')).rejects.toMatchObject({ code: 'TROUPE_ERR_NOT_ALLOWED' });
      const foreign = b.spawn(counterMachine, { name: 'p' });
      await expect(a.spawnOn('alpha', 'counter', { parent: foreign })).rejects.toMatchObject({ code: 'TROUPE_ERR_NOT_LOCAL' });
    });
  });

  describe('#serve', () => {
    it('answers unknown calls, malformed spawns and stops with TROUPE_ERR_PROTOCOL, and a stop of nothing with success', async () => {
      pair = await memoryPair({ a: { logic: { counter: counterMachine } } });
      const peer = await rawPeer(pair.net.transport(), pair.url);
      const kid = pair.a.spawn(counterMachine, { name: 'kid' });
      peer.send([
        [Kind.CALL, 1, 'format-disk', {}],
        [Kind.CALL, 2, 'spawn', null],
        [Kind.CALL, 3, 'spawn', { logic: 'counter', parent: 'troupe://alpha/not-yours' }],
        [Kind.CALL, 4, 'stop', {}],
        [Kind.CALL, 5, 'stop', { path: 'nobody', reason: 'shutdown' }],
        [Kind.CALL, 6, 'stop', { path: 'kid', reason: 'shutdown' }],
      ]);
      await until(() => peer.received.filter((e) => e[0] === Kind.RESULT).length === 6, 5000, 'six results');
      const results = Object.fromEntries(peer.received.filter((e) => e[0] === Kind.RESULT).map((e) => [e[1], e.slice(2, 4)]));
      expect(results).toEqual({
        1: [false, 'TROUPE_ERR_PROTOCOL'],
        2: [false, 'TROUPE_ERR_PROTOCOL'],
        3: [false, 'TROUPE_ERR_PROTOCOL'],
        4: [false, 'TROUPE_ERR_PROTOCOL'],
        5: [true, null],
        6: [true, null],
      });
      expect(pair.a.lookup(kid.address)).toBeUndefined();
      peer.conn.close(1000, 'test over');
    });
  });
});
