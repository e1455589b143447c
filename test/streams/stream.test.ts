import { describe, expect, it } from 'vitest';
import { type AnyEventObject, createMachine, enqueueActions, fromCallback, setup } from 'xstate';
import {
  type ActorRef,
  type ActorSystem,
  createSystem,
  type DeadLetter,
  fromStream,
  SimulatedClock,
  type StreamContext,
  type StreamTo,
  supervisor,
} from '../../src/index.js';
import type { ChunkStream } from '../../src/internal.js';
import { latch, until } from '../support/latch.js';
import { collect, endless, rejection, shutDownAfterEach } from '../support/streams.js';

let system: ActorSystem;
shutDownAfterEach(() => [system]);

type Count = { type: 'count'; to: number };

/** Yields 1..to, recording how far it ran and how it ended. */
function counting(log: { produced: number; aborted?: unknown; finished?: boolean }) {
  return fromStream(async function* ({ event, signal }: StreamContext<unknown, Count>) {
    try {
      for (let i = 1; i <= event.to; i++) {
        log.produced = i;
        yield i;
      }
    } finally {
      log.finished = true;
      if (signal.aborted) log.aborted = signal.reason;
    }
  });
}

/** Waits for a macrotask: makes a consumer slower than any microtask-driven producer. */
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A machine that records the type of every event it receives, and answers none. */
function recorderMachine(types: string[]) {
  return createMachine({ on: { '*': { actions: ({ event }) => types.push(event.type) } } });
}

/** An actor that records every event it receives (a watcher). */
function recorder(seen: AnyEventObject[]) {
  return fromCallback<AnyEventObject>(({ receive }) => {
    receive((e) => seen.push(e));
  });
}

/** A machine that streams `n` chunks with sendTo and ends, and records cancellations it receives. */
function tickerMachine(cancels: AnyEventObject[]) {
  return setup({
    types: {
      events: {} as
        | { type: 'go'; n: number; stream: StreamTo }
        | { type: 'fail'; stream: StreamTo }
        | { type: 'flood'; n: number; stream: StreamTo }
        | { type: 'troupe.stream.cancel'; stream: string },
    },
  }).createMachine({
    on: {
      go: {
        actions: enqueueActions(({ event, enqueue }) => {
          for (let i = 0; i < event.n; i++) enqueue.sendTo(event.stream, { type: 'troupe.chunk', value: `c${i}` });
          enqueue.sendTo(event.stream, { type: 'troupe.end' });
        }),
      },
      fail: {
        actions: enqueueActions(({ event, enqueue }) => {
          enqueue.sendTo(event.stream, { type: 'troupe.chunk', value: 'first' });
          enqueue.sendTo(event.stream, { type: 'troupe.error', error: { name: 'Error', message: 'machine gave up' } });
        }),
      },
      flood: {
        actions: ({ event }) => {
          for (let i = 0; i < event.n; i++) event.stream.send({ type: 'troupe.chunk', value: i });
        },
      },
      'troupe.stream.cancel': { actions: ({ event }) => cancels.push(event) },
    },
  });
}

describe('ActorRef', () => {
  describe('#stream', () => {
    it('yields every chunk of a fromStream actor in order, then ends', async () => {
      system = createSystem({ node: 'alpha' });
      const log = { produced: 0 };
      const ref = system.spawn(counting(log), { name: 'counter' });
      expect(await collect(ref.stream<number>({ type: 'count', to: 200 }, { credit: 8 }))).toEqual(
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      expect(await collect(ref.stream<number>({ type: 'count', to: 0 }))).toEqual([]);
    });

    it('keeps the producer at most `credit` chunks ahead of a slow consumer', async () => {
      system = createSystem();
      const credit = 8;
      let produced = 0;
      let consumed = 0;
      let ahead = 0;
      const ref = system.spawn(
        fromStream(async function* () {
          for (let i = 0; i < 300; i++) {
            produced++;
            ahead = Math.max(ahead, produced - consumed);
            yield i;
          }
        }),
      );
      for await (const _ of ref.stream({ type: 'go' }, { credit })) {
        await tick();
        consumed++;
      }
      expect(consumed).toBe(300);
      expect(ahead).toBe(credit);
    });

    it('ends the iteration when the consumer breaks, aborting the producer signal', async () => {
      system = createSystem();
      const log: { produced: number; aborted?: unknown; finished?: boolean } = { produced: 0 };
      const ref = system.spawn(counting(log));
      const stream = ref.stream<number>({ type: 'count', to: 1_000_000 }, { credit: 4 }) as ChunkStream<number>;
      const seen: number[] = [];
      for await (const n of stream) {
        seen.push(n);
        if (n === 3) break;
      }
      expect(seen).toEqual([1, 2, 3]);
      await until(() => log.finished === true, 5000, 'the generator to finish');
      expect(log.aborted).toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
      expect(log.produced).toBeLessThanOrEqual(3 + 4);
      expect(system._temp(pathOf(stream.address))).toBeUndefined();
      expect(system._temp(pathOf(stream.producerAddress))).toBeUndefined();
      expect(await stream.next()).toEqual({ value: undefined, done: true });
    });

    it("rejects with ABORTED when the consumer's signal aborts, and aborts the producer", async () => {
      system = createSystem();
      const reasons: unknown[] = [];
      const aborted = latch();
      const ref = system.spawn(endless(reasons, aborted.unlock));
      const controller = new AbortController();
      const stream = ref.stream<number>({ type: 'go' }, { signal: controller.signal });
      const first = await stream.next();
      expect(first).toEqual({ value: 0, done: false });
      controller.abort(new Error('user gave up'));
      const err = await rejection(stream.next());
      expect(err.code).toBe('TROUPE_ERR_ABORTED');
      expect((err.cause as Error).message).toBe('user gave up');
      await aborted.wait;
      expect(reasons[0]).toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    });

    it('rejects at the first next() when the signal is already aborted, sending nothing', async () => {
      system = createSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      const received: string[] = [];
      const ref = system.spawn(recorderMachine(received));
      const err = await rejection(ref.stream({ type: 'go' }, { signal: AbortSignal.abort() }).next());
      expect(err.code).toBe('TROUPE_ERR_ABORTED');
      await tick();
      expect(received).toEqual([]);
      // not even a cancel to an actor that is gone
      await system.stop(ref);
      expect((await rejection(ref.stream({ type: 'go' }, { signal: AbortSignal.abort() }).next())).code).toBe('TROUPE_ERR_ABORTED');
      await tick();
      expect(letters).toEqual([]);
    });

    it('sends no cancel after a request that was dead-lettered by a full mailbox or a stopping actor', async () => {
      system = createSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      const received: string[] = [];
      const ref = system.spawn(recorderMachine(received), { mailbox: { capacity: 1, overflow: 'reject' } });
      ref.send({ type: 'fill' });
      expect((await rejection(ref.stream({ type: 'refused' }).next())).code).toBe('TROUPE_ERR_MAILBOX_FULL');
      await tick();
      expect(received).toEqual(['fill']);
      expect(letters.map((d) => [d.reason, (d.event as AnyEventObject).type])).toEqual([['mailbox-full', 'refused']]);

      letters.length = 0;
      const queued = ref.stream({ type: 'queued' }).next();
      const stopped = system.stop(ref);
      expect((await rejection(queued)).code).toBe('TROUPE_ERR_ACTOR_STOPPED');
      await stopped;
      await tick();
      expect(received).toEqual(['fill']);
      expect(letters.map((d) => [d.reason, (d.event as AnyEventObject).type])).toEqual([['shutdown', 'queued']]);
    });

    it('delivers the chunks before a producer error, then rejects with STREAM_FAILED and the cause chained', async () => {
      system = createSystem();
      const ref = system.spawn(
        fromStream(async function* () {
          yield 'a';
          yield 'b';
          throw new RangeError('disk on fire');
        }),
      );
      const seen: string[] = [];
      const err = await rejection(
        (async () => {
          for await (const c of ref.stream<string>({ type: 'go' })) seen.push(c);
        })(),
      );
      expect(seen).toEqual(['a', 'b']);
      expect(err.code).toBe('TROUPE_ERR_STREAM_FAILED');
      expect(err.name).toBe('StreamError');
      expect(err.cause).toMatchObject({ name: 'RangeError', message: 'disk on fire' });
    });

    it('fails with ACTOR_STOPPED when the producer actor stops mid-stream, and aborts the producer', async () => {
      system = createSystem();
      const reasons: unknown[] = [];
      const aborted = latch();
      const ref = system.spawn(endless(reasons, aborted.unlock));
      const stream = ref.stream<number>({ type: 'go' }, { credit: 2 });
      expect((await stream.next()).value).toBe(0);
      await system.stop(ref);
      await aborted.wait;
      const err = await rejection(collect(stream));
      expect(err.code).toBe('TROUPE_ERR_ACTOR_STOPPED');
      expect(reasons[0]).toMatchObject({ code: 'TROUPE_ERR_ACTOR_STOPPED' });
    });

    it('fails with ACTOR_STOPPED when a supervisor restarts the producer mid-stream, and the restarted actor serves again', async () => {
      system = createSystem({ node: 'alpha' });
      const reasons: unknown[] = [];
      const aborted = latch();
      system.spawn(supervisor({ intensity: 5, children: [{ id: 'src', logic: endless(reasons, aborted.unlock) }] }), { name: 'app' });
      const ref = system.ref('troupe://alpha/app/src');
      const stream = ref.stream<number>({ type: 'go' }, { credit: 2 });
      expect((await stream.next()).value).toBe(0);
      await system.stop(ref);
      await aborted.wait;
      const err = await rejection(collect(stream));
      expect(err.code).toBe('TROUPE_ERR_ACTOR_STOPPED');
      expect(system.stats(ref)?.restarts).toBe(1);
      const again = ref.stream<number>({ type: 'go' });
      expect((await again.next()).value).toBe(0);
      await again.return?.();
    });

    it('fails with ACTOR_FAILED when a streaming machine crashes', async () => {
      system = createSystem();
      const crasher = setup({ types: { events: {} as { type: 'go'; stream: StreamTo } } }).createMachine({
        on: {
          go: {
            actions: [
              ({ event }) => event.stream.send({ type: 'troupe.chunk', value: 1 }),
              () => {
                throw new Error('machine broke');
              },
            ],
          },
        },
      });
      const ref = system.spawn(crasher);
      const seen: number[] = [];
      const err = await rejection(
        (async () => {
          for await (const c of ref.stream<number>({ type: 'go' })) seen.push(c);
        })(),
      );
      expect(err.code).toBe('TROUPE_ERR_ACTOR_FAILED');
      expect(err.cause).toMatchObject({ message: 'machine broke' });
    });

    it('fails with NO_ACTOR for a stopped actor or an empty address', async () => {
      system = createSystem({ node: 'alpha' });
      const ref = system.spawn(counting({ produced: 0 }));
      await system.stop(ref);
      expect((await rejection(ref.stream({ type: 'count', to: 1 }).next())).code).toBe('TROUPE_ERR_NO_ACTOR');
      const nowhere = system.ref('troupe://alpha/nobody');
      expect((await rejection(nowhere.stream({ type: 'count', to: 1 }).next())).code).toBe('TROUPE_ERR_NO_ACTOR');
    });

    it('streams through a path ref like through a local ref', async () => {
      system = createSystem({ node: 'alpha' });
      system.spawn(counting({ produced: 0 }), { name: 'counter' });
      const byPath = system.ref('troupe://alpha/counter');
      expect(await collect(byPath.stream<number>({ type: 'count', to: 3 }))).toEqual([1, 2, 3]);
    });

    it('fails with TIMEOUT when no chunk comes for idleTimeoutMs, and aborts the producer', async () => {
      const clock = new SimulatedClock();
      system = createSystem({ clock });
      const reasons: unknown[] = [];
      const aborted = latch();
      const ref = system.spawn(
        fromStream(async function* ({ signal }) {
          yield 'only';
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason);
            aborted.unlock();
          });
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        }),
      );
      const stream = ref.stream<string>({ type: 'go' }, { idleTimeoutMs: 1000 });
      expect((await stream.next()).value).toBe('only');
      const next = stream.next();
      await tick();
      clock.advance(999);
      await tick();
      clock.advance(1);
      const err = await rejection(next);
      expect(err.code).toBe('TROUPE_ERR_TIMEOUT');
      await aborted.wait;
      expect(reasons[0]).toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
    });

    it('lets the producer give up with TIMEOUT on a consumer that stops pulling', async () => {
      const clock = new SimulatedClock();
      system = createSystem({ clock });
      const reasons: unknown[] = [];
      const aborted = latch();
      const ref = system.spawn(endless(reasons, aborted.unlock));
      const stream = ref.stream<number>({ type: 'go' }, { credit: 4, idleTimeoutMs: 500 }) as ChunkStream<number>;
      expect((await stream.next()).value).toBe(0);
      await until(() => stream.buffered === 3, 5000, 'the window to fill');
      clock.advance(500);
      await aborted.wait;
      expect(reasons[0]).toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
      const rest: number[] = [];
      const err = await rejection(
        (async () => {
          for await (const n of stream) rest.push(n);
        })(),
      );
      expect(rest).toEqual([1, 2, 3]);
      expect(err.code).toBe('TROUPE_ERR_TIMEOUT');
    });

    it('keeps a slow but steady consumer alive: the producer waits for credit but never times out while it pulls', async () => {
      for (const every of [600, 900]) {
        const clock = new SimulatedClock();
        system = createSystem({ clock });
        const credit = 4;
        let produced = 0;
        let consumed = 0;
        let ahead = 0;
        const ref = system.spawn(
          fromStream(async function* () {
            for (let i = 0; i < 20; i++) {
              produced++;
              ahead = Math.max(ahead, produced - consumed);
              yield i;
            }
          }),
        );
        const got: number[] = [];
        // each chunk takes the consumer `every` ms (< idleTimeoutMs): longer than half a window allows
        for await (const n of ref.stream<number>({ type: 'go' }, { credit, idleTimeoutMs: 1000 })) {
          got.push(n);
          await tick();
          clock.advance(every);
          await tick();
          consumed++;
        }
        expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(ahead).toBeLessThanOrEqual(credit);
        await system.shutdown();
      }
    });

    it('runs concurrent streams of one actor independently', async () => {
      system = createSystem();
      const ref = system.spawn(
        fromStream(async function* ({ event }: StreamContext<unknown, { type: 'letters'; prefix: string; n: number }>) {
          for (let i = 0; i < event.n; i++) yield `${event.prefix}${i}`;
        }),
      );
      const a = ref.stream<string>({ type: 'letters', prefix: 'a', n: 50 }, { credit: 3 });
      const b = ref.stream<string>({ type: 'letters', prefix: 'b', n: 70 }, { credit: 5 });
      const seenA: string[] = [];
      const seenB: string[] = [];
      // interleave pulls so both streams are open at once
      for (;;) {
        const [ra, rb] = await Promise.all([a.next(), b.next()]);
        if (!ra.done) seenA.push(ra.value);
        if (!rb.done) seenB.push(rb.value);
        if (ra.done && rb.done) break;
      }
      expect(seenA).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));
      expect(seenB).toEqual(Array.from({ length: 70 }, (_, i) => `b${i}`));
    });

    it('receives troupe.chunk and troupe.end sent by a machine to event.stream', async () => {
      system = createSystem();
      const ref = system.spawn(tickerMachine([]));
      expect(await collect(ref.stream<string>({ type: 'go', n: 3 }))).toEqual(['c0', 'c1', 'c2']);
    });

    it('rejects with STREAM_FAILED when a machine sends troupe.error', async () => {
      system = createSystem();
      const ref = system.spawn(tickerMachine([]));
      const seen: string[] = [];
      const err = await rejection(
        (async () => {
          for await (const c of ref.stream<string>({ type: 'fail' })) seen.push(c);
        })(),
      );
      expect(seen).toEqual(['first']);
      expect(err.code).toBe('TROUPE_ERR_STREAM_FAILED');
      expect(err.cause).toMatchObject({ message: 'machine gave up' });
    });

    it('buffers a machine that ignores credit up to maxBuffered, then fails with STREAM_OVERFLOW and tells the machine', async () => {
      system = createSystem();
      const cancels: AnyEventObject[] = [];
      const ref = system.spawn(tickerMachine(cancels));
      const stream = ref.stream<number>({ type: 'flood', n: 100 }, { credit: 4, maxBuffered: 10 }) as ChunkStream<number>;
      const err = await rejection(stream.next().then(() => stream.next()));
      expect(err.code).toBe('TROUPE_ERR_STREAM_OVERFLOW');
      expect(stream.highWater).toBe(11);
      await until(() => cancels.length === 1, 5000, 'the machine to hear the cancellation');
      expect(cancels[0]).toMatchObject({ type: 'troupe.stream.cancel', stream: stream.address, code: 'TROUPE_ERR_STREAM_OVERFLOW' });
    });

    it('moves 100k chunks through a slow consumer with at most `credit` chunks buffered', async () => {
      system = createSystem();
      const credit = 64;
      let produced = 0;
      let consumed = 0;
      let ahead = 0;
      const ref = system.spawn(
        fromStream(async function* () {
          for (let i = 0; i < 100_000; i++) {
            produced++;
            if (produced - consumed > ahead) ahead = produced - consumed;
            yield i;
          }
        }),
      );
      const stream = ref.stream<number>({ type: 'go' }, { credit }) as ChunkStream<number>;
      let sum = 0;
      for await (const n of stream) {
        if (consumed % 1000 === 0) await tick();
        sum += n;
        consumed++;
      }
      expect(consumed).toBe(100_000);
      expect(sum).toBe((99_999 * 100_000) / 2);
      expect(ahead).toBeLessThanOrEqual(credit);
      expect(stream.highWater).toBeLessThanOrEqual(credit);
    });

    it('fails both ends when the other node goes down', async () => {
      system = createSystem({ node: 'alpha' });
      const reasons: unknown[] = [];
      const aborted = latch();
      const ref = system.spawn(endless(reasons, aborted.unlock));
      const stream = ref.stream<number>({ type: 'go' }) as ChunkStream<number>;
      await stream.next();
      // consumer and producer live on one node here; the transport calls this for the peer's node
      system._failTempsTo('alpha', 'TROUPE_ERR_NODE_DOWN', 'alpha is unreachable');
      const err = await rejection(collect(stream));
      expect(err.code).toBe('TROUPE_ERR_NODE_DOWN');
      await aborted.wait;
      expect(reasons[0]).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });

    it('fails with MAILBOX_FULL when the request is rejected by a full mailbox', async () => {
      system = createSystem();
      const ref = system.spawn(counting({ produced: 0 }), { mailbox: { capacity: 1, overflow: 'reject' } });
      const first = ref.stream<number>({ type: 'count', to: 2 });
      const second = ref.stream<number>({ type: 'count', to: 2 });
      const p1 = collect(first);
      const err = await rejection(second.next());
      expect(err.code).toBe('TROUPE_ERR_MAILBOX_FULL');
      expect(await p1).toEqual([1, 2]);
    });

    it('ends with SYSTEM_STOPPED or ACTOR_STOPPED when the system shuts down', async () => {
      system = createSystem();
      const reasons: unknown[] = [];
      const aborted = latch();
      const ref = system.spawn(endless(reasons, aborted.unlock));
      const stream = ref.stream<number>({ type: 'go' });
      await stream.next();
      await system.shutdown();
      await aborted.wait;
      const err = await rejection(collect(stream));
      expect(['TROUPE_ERR_ACTOR_STOPPED', 'TROUPE_ERR_SYSTEM_STOPPED']).toContain(err.code);
    });

    it('dead-letters chunks that arrive after the consumer left', async () => {
      system = createSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((d) => letters.push(d));
      let stream!: StreamTo;
      const grab = fromCallback<{ type: 'go'; stream: StreamTo }>(({ receive }) => {
        receive((e) => {
          if (e.type === 'go') stream = e.stream;
        });
      });
      const ref = system.spawn(grab);
      const it = ref.stream<number>({ type: 'go' });
      const pending = it.next();
      await until(() => stream !== undefined, 5000, 'the request');
      stream.send({ type: 'troupe.chunk', value: 1 });
      expect(await pending).toEqual({ value: 1, done: false });
      await it.return?.();
      stream.send({ type: 'troupe.chunk', value: 2 });
      expect(letters).toContainEqual(expect.objectContaining({ recipient: stream.address, reason: 'stopped' }));
    });

    it('throws InvalidArgumentError at once for a bad event or bad options', () => {
      system = createSystem();
      const ref = system.spawn(counting({ produced: 0 }));
      expect(() => ref.stream('count' as unknown as Count)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_EVENT' }));
      expect(() => ref.stream({ type: 'count', to: 1 }, { credit: 0 })).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
      );
      expect(() => ref.stream({ type: 'count', to: 1 }, { credit: 1.5 })).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
      );
      expect(() => ref.stream({ type: 'count', to: 1 }, { idleTimeoutMs: Number.POSITIVE_INFINITY })).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
      );
      expect(() => ref.stream({ type: 'count', to: 1 }, { credit: 10, maxBuffered: 5 })).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
      );
    });

    it("tells a watcher of a live consumer or producer session when the stream ends ('normal', or the error), 'noproc' after", async () => {
      system = createSystem();
      const seen: AnyEventObject[] = [];
      const watcher = system.spawn(recorder(seen));
      const ref = system.spawn(counting({ produced: 0 }));
      const stream = ref.stream<number>({ type: 'count', to: 3 }, { credit: 1 }) as ChunkStream<number>;
      expect(await stream.next()).toEqual({ value: 1, done: false });
      const consumer = system.ref(stream.address as string) as ActorRef;
      const producer = system.ref(stream.producerAddress as string) as ActorRef;
      system.watch(watcher, consumer);
      system.watch(watcher, producer);
      await tick();
      expect(seen).toEqual([]);
      expect(await collect(stream)).toEqual([2, 3]);
      await until(() => seen.length === 2, 5000, 'both downs');
      expect(seen).toEqual(
        expect.arrayContaining([
          { type: 'troupe.down', address: stream.address, reason: 'normal' },
          { type: 'troupe.down', address: stream.producerAddress, reason: 'normal' },
        ]),
      );
      system.watch(watcher, consumer);
      await until(() => seen.length === 3, 5000, 'noproc');
      expect(seen[2]).toMatchObject({ address: stream.address, reason: 'noproc' });

      // a failed stream: its watchers learn the error
      seen.length = 0;
      const failing = system.spawn(
        fromStream(async function* ({ signal }) {
          yield 'only';
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        }),
      );
      const broken = failing.stream<string>({ type: 'go' }) as ChunkStream<string>;
      expect((await broken.next()).value).toBe('only');
      system.watch(watcher, system.ref(broken.address as string) as ActorRef);
      system.watch(watcher, system.ref(broken.producerAddress as string) as ActorRef);
      await tick();
      expect(seen).toEqual([]);
      await system.stop(failing);
      await rejection(broken.next());
      await until(() => seen.length === 2, 5000, 'both downs');
      for (const down of seen) expect(down).toMatchObject({ type: 'troupe.down', reason: { error: { code: 'TROUPE_ERR_ACTOR_STOPPED' } } });
    });

    it('sends nothing until iterated', async () => {
      system = createSystem();
      const log = { produced: 0 };
      const ref = system.spawn(counting(log));
      const stream = ref.stream({ type: 'count', to: 3 }) as ChunkStream<number>;
      await tick();
      expect(stream.address).toBeUndefined();
      expect(log.produced).toBe(0);
      expect(await stream.return()).toEqual({ value: undefined, done: true });
      expect(await stream.next()).toEqual({ value: undefined, done: true });
    });
  });
});

function pathOf(address: string | undefined): string {
  if (address === undefined) throw new Error('no address');
  return address.slice(address.indexOf('/', 'troupe://'.length) + 1);
}
