import { describe, expect, it } from 'vitest';
import { enqueueActions, setup } from 'xstate';
import {
  type ActorSystem,
  createSystem,
  fromStream,
  gather,
  SimulatedClock,
  type StreamContext,
  type StreamResult,
  type StreamTo,
} from '../../src/index.js';
import { type ChunkStream, MemoryNetwork } from '../../src/internal.js';
import { latch } from '../support/latch.js';
import { collect, endless, rejection, shutDownAfterEach } from '../support/streams.js';

/** Streams, asks and gather between two nodes on an in-process network (real codec and envelopes). */

let alpha: ActorSystem;
let beta: ActorSystem;
let net: MemoryNetwork;
let clock: SimulatedClock;
let port: number;

async function connect(): Promise<void> {
  net = new MemoryNetwork();
  clock = new SimulatedClock();
  alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'k', clock, transport: net.transport() });
  beta = createSystem({ node: 'beta', secret: 'k', clock, transport: net.transport() });
  await alpha.ready;
  port = alpha.listenAddress?.port as number;
  await beta.connect(`memory://127.0.0.1:${port}`);
}

shutDownAfterEach(() => [beta, alpha]);

type Count = { type: 'count'; to: number; fail?: boolean };

describe('streams across nodes', () => {
  it('streams every chunk in order from alpha to a consumer on beta, at most `credit` ahead', async () => {
    await connect();
    let produced = 0;
    let consumed = 0;
    let ahead = 0;
    alpha.spawn(
      fromStream(async function* ({ event }: StreamContext<unknown, Count>) {
        for (let i = 1; i <= event.to; i++) {
          produced++;
          ahead = Math.max(ahead, produced - consumed);
          yield { i, text: `chunk ${i}` };
        }
      }),
      { name: 'counter' },
    );
    const remote = beta.ref('troupe://alpha/counter');
    const seen: number[] = [];
    for await (const chunk of remote.stream<{ i: number; text: string }>({ type: 'count', to: 500 }, { credit: 16 })) {
      seen.push(chunk.i);
      consumed++;
    }
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(ahead).toBeLessThanOrEqual(16);
  });

  it('cancels the producer on alpha when the consumer on beta breaks', async () => {
    await connect();
    const aborted = latch();
    const reasons: unknown[] = [];
    alpha.spawn(endless(reasons, aborted.unlock), { name: 'endless' });
    const seen: number[] = [];
    for await (const n of beta.ref('troupe://alpha/endless').stream<number>({ type: 'go' }, { credit: 4 })) {
      seen.push(n);
      if (n === 9) break;
    }
    await aborted.wait;
    expect(seen).toHaveLength(10);
    expect(reasons[0]).toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
  });

  it("ends beta's iteration with STREAM_FAILED and the cause when the source on alpha throws", async () => {
    await connect();
    alpha.spawn(
      fromStream(async function* () {
        yield 1;
        throw new SyntaxError('bad input');
      }),
      { name: 'failing' },
    );
    const seen: number[] = [];
    const err = await rejection(
      (async () => {
        for await (const n of beta.ref('troupe://alpha/failing').stream<number>({ type: 'go' })) seen.push(n);
      })(),
    );
    expect(seen).toEqual([1]);
    expect(err.code).toBe('TROUPE_ERR_STREAM_FAILED');
    expect(err.cause).toMatchObject({ name: 'SyntaxError', message: 'bad input' });
  });

  it('ends with ACTOR_STOPPED when the producer on alpha is stopped', async () => {
    await connect();
    const aborted = latch();
    const ref = alpha.spawn(
      fromStream(async function* ({ signal }) {
        signal.addEventListener('abort', aborted.unlock);
        yield 'first';
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
      }),
      { name: 'slow' },
    );
    const stream = beta.ref('troupe://alpha/slow').stream<string>({ type: 'go' });
    expect((await stream.next()).value).toBe('first');
    await alpha.stop(ref);
    await aborted.wait;
    expect((await rejection(stream.next())).code).toBe('TROUPE_ERR_ACTOR_STOPPED');
  });

  it('receives troupe.chunk events sent by a machine on alpha', async () => {
    await connect();
    const ticker = setup({ types: { events: {} as { type: 'go'; n: number; stream: StreamTo } } }).createMachine({
      on: {
        go: {
          actions: enqueueActions(({ event, enqueue }) => {
            for (let i = 0; i < event.n; i++) enqueue.sendTo(event.stream, { type: 'troupe.chunk', value: i });
            enqueue.sendTo(event.stream, { type: 'troupe.end' });
          }),
        },
      },
    });
    alpha.spawn(ticker, { name: 'ticker' });
    expect(await collect(beta.ref('troupe://alpha/ticker').stream<number>({ type: 'go', n: 5 }))).toEqual([0, 1, 2, 3, 4]);
  });

  it('fails with NO_ACTOR for an empty address on alpha', async () => {
    await connect();
    const err = await rejection(beta.ref('troupe://alpha/nobody').stream({ type: 'go' }).next());
    expect(err.code).toBe('TROUPE_ERR_NO_ACTOR');
  });

  it('fails the consumer with NODE_DOWN and aborts the producer when the link dies', async () => {
    await connect();
    const aborted = latch();
    const reasons: unknown[] = [];
    alpha.spawn(
      fromStream(async function* ({ signal }) {
        signal.addEventListener('abort', () => {
          reasons.push(signal.reason);
          aborted.unlock();
        });
        yield 0;
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
      }),
      { name: 'held' },
    );
    const stream = beta.ref('troupe://alpha/held').stream<number>({ type: 'go' }) as ChunkStream<number>;
    expect((await stream.next()).value).toBe(0);
    net.sever(port);
    const err = await rejection(stream.next());
    expect(err.code).toBe('TROUPE_ERR_NODE_DOWN');
    await aborted.wait;
    expect(reasons[0]).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
  });

  it('collects an ask to a fromStream actor on another node, and rejects it when the source fails', async () => {
    await connect();
    alpha.spawn(
      fromStream(async function* ({ event }: StreamContext<unknown, Count>) {
        for (let i = 1; i <= event.to; i++) yield i;
        if (event.fail) throw new Error('late failure');
      }),
      { name: 'counter' },
    );
    const remote = beta.ref('troupe://alpha/counter');
    expect(await remote.ask<StreamResult<number>>({ type: 'count', to: 3 })).toEqual({ type: 'troupe.stream.result', values: [1, 2, 3] });
    const err = await rejection(remote.ask({ type: 'count', to: 3, fail: true }));
    expect(err.code).toBe('TROUPE_ERR_STREAM_FAILED');
  });

  it('gathers answers from both nodes', async () => {
    await connect();
    const echo = (node: string) =>
      setup({ types: { events: {} as { type: 'who'; replyTo: StreamTo } } }).createMachine({
        on: { who: { actions: ({ event }) => event.replyTo.send({ type: 'me', node }) } },
      });
    alpha.spawn(echo('alpha'), { name: 'echo' });
    const local = beta.spawn(echo('beta'), { name: 'echo' });
    const results = await gather(
      [beta.ref('troupe://alpha/echo'), local, beta.ref('troupe://alpha/none')],
      { type: 'who' },
      { timeoutMs: 1000 },
    );
    expect(results.map((r) => (r.status === 'ok' ? r.value : r.status === 'error' ? r.error.code : r.status))).toEqual([
      { type: 'me', node: 'alpha' },
      { type: 'me', node: 'beta' },
      'TROUPE_ERR_NO_ACTOR',
    ]);
  });
});
