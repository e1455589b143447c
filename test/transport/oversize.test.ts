import { afterEach, describe, expect, it } from 'vitest';
import { type AnyEventObject, fromCallback } from 'xstate';
import { memoryPair, type Pair, recorder, settle, until } from './helpers.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
});

describe('what is too large to send still reaches whoever waits for it', () => {
  it('a reply over maxFrameBytes fails the remote ask with TROUPE_ERR_FRAME_TOO_LARGE at once', async () => {
    pair = await memoryPair({ a: { maxFrameBytes: 1024 }, b: { maxFrameBytes: 1024 } });
    const { a, b } = pair;
    a.spawn(
      fromCallback<AnyEventObject>(({ receive }) =>
        receive((e) => (e.replyTo as { send(e: AnyEventObject): void }).send({ type: 'big', data: 'x'.repeat(5000) })),
      ),
      { name: 'big' },
    );
    // the simulated clock never moves: only an answer from alpha can settle the ask
    let outcome: string | undefined;
    b.ref('troupe://alpha/big')
      .ask({ type: 'q' }, { timeoutMs: 60_000 })
      .then(
        () => 'resolved',
        (e: { code: string }) => e.code,
      )
      .then((o) => {
        outcome = o;
      });
    await until(() => outcome !== undefined, 5000, 'the ask to settle');
    expect(outcome).toBe('TROUPE_ERR_FRAME_TOO_LARGE');
    expect(a.deadLetters.count).toBe(1);
  });

  it('a troupe.down whose exit reason is over maxFrameBytes arrives with a shortened error', async () => {
    pair = await memoryPair({ a: { maxFrameBytes: 1024 }, b: { maxFrameBytes: 1024 } });
    const { a, b } = pair;
    a.spawn(
      fromCallback<AnyEventObject>(({ receive }) =>
        receive(() => {
          throw new Error('y'.repeat(5000));
        }),
      ),
      { name: 'crasher' },
    );
    const got: AnyEventObject[] = [];
    const watcher = b.spawn(recorder(got), { name: 'w' });
    const target = b.ref('troupe://alpha/crasher');
    b.watch(watcher, target);
    await settle();
    target.send({ type: 'boom' });
    await until(() => got.length === 1, 5000, 'troupe.down');
    expect(got[0]).toMatchObject({ type: 'troupe.down', address: 'troupe://alpha/crasher' });
    expect(String((got[0].reason as { error: Error }).error.message)).toMatch(/could not be sent/);
  });
});
