import { afterEach, describe, expect, it } from 'vitest';
import { fromStream, gather } from '../../src/index.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { memoryPair, type Pair, settle, until } from './helpers.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
});

const aborted: string[] = [];
const numbers = fromStream<number, unknown, { type: 'count'; n: number }>(async function* ({ event, signal }) {
  try {
    for (let i = 0; i < event.n; i++) yield i;
  } finally {
    if (signal.aborted) aborted.push(String((signal.reason as Error)?.message ?? signal.reason));
  }
});

async function setup(): Promise<Pair> {
  pair = await memoryPair({ a: { logic: { numbers, counter: counterMachine, silent: silentMachine } } });
  return pair;
}

describe('streams and gather across nodes', () => {
  describe('ref.stream on a remote actor', () => {
    it('delivers every chunk in order under credit-based flow control', async () => {
      const { b } = await setup();
      const producer = await b.spawnOn('alpha', 'numbers', { name: 'numbers' });
      const seen: number[] = [];
      for await (const n of producer.stream<number>({ type: 'count', n: 2000 }, { credit: 16 })) seen.push(n);
      expect(seen).toEqual([...Array(2000).keys()]);
    });

    it('cancels the producer on the other node when the consumer breaks', async () => {
      const { b } = await setup();
      aborted.length = 0;
      const producer = await b.spawnOn('alpha', 'numbers', { name: 'numbers' });
      for await (const n of producer.stream<number>({ type: 'count', n: 1_000_000 }, { credit: 8 })) if (n === 10) break;
      await until(() => aborted.length === 1, 5000, 'producer aborted');
    });

    it('ends with TROUPE_ERR_NODE_DOWN when the producer’s node goes down', async () => {
      const { b, net, port } = await setup();
      const producer = await b.spawnOn('alpha', 'numbers', { name: 'numbers' });
      const iterator = producer.stream<number>({ type: 'count', n: 1_000_000 }, { credit: 4 });
      await iterator.next();
      net.sever(port);
      const error = await (async () => {
        try {
          for (;;) if ((await iterator.next()).done) return undefined;
        } catch (err) {
          return err;
        }
      })();
      expect(error).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });
  });

  describe('gather over remote refs', () => {
    it('collects an answer, a timeout and a failure from one slow and one dead peer', async () => {
      const { b, clock } = await setup();
      const fast = await b.spawnOn('alpha', 'counter', { name: 'fast' });
      const slow = await b.spawnOn('alpha', 'silent', { name: 'slow' });
      const dead = b.ref('troupe://alpha/dead');
      const gathered = gather([fast, slow, dead], { type: 'get' }, { timeoutMs: 1000 });
      await settle(10);
      clock.advance(1000);
      const results = await gathered;
      expect(results.map((r) => r.status)).toEqual(['ok', 'timeout', 'error']);
      expect(results[0]).toMatchObject({ value: { type: 'count', value: 0 } });
      expect(results[2]).toMatchObject({ error: { code: 'TROUPE_ERR_NO_ACTOR' } });
    });

    it('resolves a quorum without waiting for the slow peer', async () => {
      const { b } = await setup();
      const fast = await b.spawnOn('alpha', 'counter', { name: 'fast' });
      const slow = await b.spawnOn('alpha', 'silent', { name: 'slow' });
      const results = await gather([slow, fast], { type: 'get' }, { timeoutMs: 60_000, min: 1 });
      expect(results.map((r) => r.status)).toEqual(['cancelled', 'ok']);
    });
  });
});
