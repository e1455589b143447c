import { describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import {
  type ActorRef,
  type ActorSystem,
  createSystem,
  type DeadLetter,
  fromStream,
  type StreamContext,
  type StreamResult,
} from '../../src/index.js';
import { latch } from '../support/latch.js';
import { collect, rejection, shutDownAfterEach } from '../support/streams.js';

let system: ActorSystem;
shutDownAfterEach(() => [system]);

type Words = { type: 'words'; text: string };

const splitter = fromStream(async function* ({ event }: StreamContext<unknown, Words>) {
  for (const word of event.text.split(' ')) yield word;
});

describe('fromStream', () => {
  it('calls the source with the request (without stream fields), the input, a signal and self', async () => {
    system = createSystem();
    const seen: { event?: AnyEventObject; input?: unknown; signal?: AbortSignal; self?: ActorRef } = {};
    const ref = system.spawn(
      fromStream(async function* (context: StreamContext<{ greeting: string }, { type: 'hi'; who: string }>) {
        Object.assign(seen, context);
        yield `${context.input.greeting}, ${context.event.who}`;
      }),
      { name: 'greeter', input: { greeting: 'hello' } },
    );
    expect(await collect(ref.stream<string>({ type: 'hi', who: 'ada' }))).toEqual(['hello, ada']);
    expect(seen.event).toEqual({ type: 'hi', who: 'ada' });
    expect(seen.input).toEqual({ greeting: 'hello' });
    expect(seen.signal).toBeInstanceOf(AbortSignal);
    expect(seen.signal?.aborted).toBe(false);
    expect(seen.self?.address).toBe(ref.address);
  });

  it('accepts a source that returns a plain iterable', async () => {
    system = createSystem();
    const ref = system.spawn(fromStream(() => [1, 2, 3]));
    expect(await collect(ref.stream<number>({ type: 'go' }, { credit: 1 }))).toEqual([1, 2, 3]);
  });

  it('fails the stream with STREAM_FAILED when the source returns no iterable', async () => {
    system = createSystem();
    const ref = system.spawn(fromStream(() => 42 as unknown as Iterable<number>));
    const err = await rejection(collect(ref.stream({ type: 'go' })));
    expect(err.code).toBe('TROUPE_ERR_STREAM_FAILED');
    expect(err.cause).toMatchObject({ name: 'TypeError' });
  });

  it('keeps serving after one stream failed', async () => {
    system = createSystem();
    const ref = system.spawn(
      fromStream(async function* ({ event }: StreamContext<unknown, { type: 'go'; fail: boolean }>) {
        yield 'x';
        if (event.fail) throw new Error('bad request');
      }),
    );
    expect((await rejection(collect(ref.stream({ type: 'go', fail: true })))).code).toBe('TROUPE_ERR_STREAM_FAILED');
    expect(await collect(ref.stream({ type: 'go', fail: false }))).toEqual(['x']);
  });

  describe('ask', () => {
    it('collects the whole stream into a troupe.stream.result reply', async () => {
      system = createSystem();
      const ref = system.spawn(splitter);
      const reply = await ref.ask<StreamResult<string>>({ type: 'words', text: 'to be or not' });
      expect(reply).toEqual({ type: 'troupe.stream.result', values: ['to', 'be', 'or', 'not'] });
    });

    it('rejects with STREAM_FAILED when the source throws', async () => {
      system = createSystem();
      const ref = system.spawn(
        fromStream(async function* () {
          yield 1;
          throw new Error('no more');
        }),
      );
      const err = await rejection(ref.ask({ type: 'go' }));
      expect(err.code).toBe('TROUPE_ERR_STREAM_FAILED');
      expect(err.cause).toMatchObject({ message: 'no more' });
    });

    it('rejects with STREAM_OVERFLOW past maxCollect and stops the source', async () => {
      system = createSystem();
      const stopped = latch();
      const ref = system.spawn(
        fromStream(
          async function* ({ signal }) {
            signal.addEventListener('abort', stopped.unlock);
            for (let i = 0; ; i++) yield i;
          },
          { maxCollect: 10 },
        ),
      );
      expect((await rejection(ref.ask({ type: 'go' }))).code).toBe('TROUPE_ERR_STREAM_OVERFLOW');
      await stopped.wait;
    });

    it('stops the source when the asker stops waiting', async () => {
      system = createSystem();
      const stopped = latch();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const ref = system.spawn(
        fromStream(async function* ({ signal }) {
          signal.addEventListener('abort', stopped.unlock);
          yield 0;
          await gate;
          for (let i = 1; ; i++) yield i;
        }),
      );
      expect((await rejection(ref.ask({ type: 'go' }, { timeoutMs: 20 }))).code).toBe('TROUPE_ERR_TIMEOUT');
      release();
      await stopped.wait;
    });

    it('rejects with ACTOR_STOPPED when the actor stops mid-collection', async () => {
      system = createSystem();
      const ref = system.spawn(
        fromStream(async function* ({ signal }) {
          yield 1;
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        }),
      );
      const pending = rejection(ref.ask({ type: 'go' }));
      await new Promise((r) => setImmediate(r));
      await system.stop(ref);
      expect((await pending).code).toBe('TROUPE_ERR_ACTOR_STOPPED');
    });
  });

  it('dead-letters events that are neither stream requests nor asks', async () => {
    system = createSystem();
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((d) => letters.push(d));
    const ref = system.spawn(splitter, { name: 'splitter' });
    ref.send({ type: 'words', text: 'lost' });
    await new Promise((r) => setImmediate(r));
    expect(letters).toEqual([expect.objectContaining({ recipient: ref.address, reason: 'invalid-event' })]);
  });

  it('throws INVALID_OPTION for a missing source or a bad maxCollect', () => {
    expect(() => fromStream(undefined as unknown as () => Iterable<number>)).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }),
    );
    expect(() => fromStream(() => [], { maxCollect: 0 })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
  });
});
