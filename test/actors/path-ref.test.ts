import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem, type DeadLetter } from '../../src/index.js';
import { PathRef } from '../../src/internal.js';
import { counterMachine } from '../support/machines.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

describe('PathRef', () => {
  it('resolves its address at each use: it reaches whichever actor holds the address then', async () => {
    system = createSystem({ node: 'n' });
    const ref = system.ref('troupe://n/c');
    expect(ref).toBeInstanceOf(PathRef);
    await expect(ref.ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
    const first = system.spawn(counterMachine, { name: 'c', input: { start: 1 } });
    expect(await ref.ask({ type: 'get' })).toEqual({ type: 'count', value: 1 });
    await system.stop(first);
    system.spawn(counterMachine, { name: 'c', input: { start: 7 } });
    expect(await ref.ask({ type: 'get' })).toEqual({ type: 'count', value: 7 });
  });

  it('a send to an empty address is a no-actor dead letter, and a watch of it is answered noproc', async () => {
    system = createSystem({ node: 'n' });
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((d) => letters.push(d));
    const ref = system.ref('troupe://n/nobody');
    ref.send({ type: 'inc' });
    expect(letters).toMatchObject([{ recipient: 'troupe://n/nobody', reason: 'no-actor' }]);
    const seen: unknown[] = [];
    const watcher = system.spawn(
      (await import('xstate')).fromCallback(({ receive }) => {
        receive((e) => seen.push(e));
      }),
      { name: 'w' },
    );
    system.watch(watcher, ref);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([{ type: 'troupe.down', address: 'troupe://n/nobody', reason: 'noproc' }]);
  });

  it('streams like a local ref', async () => {
    system = createSystem({ node: 'n' });
    const { fromStream } = await import('../../src/index.js');
    system.spawn(
      fromStream(async function* () {
        yield* [1, 2];
      }),
      { name: 's' },
    );
    const got: number[] = [];
    for await (const n of system.ref('troupe://n/s').stream<number>({ type: 'go' })) got.push(n);
    expect(got).toEqual([1, 2]);
  });
});
