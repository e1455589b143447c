import { afterEach, describe, expect, it } from 'vitest';
import { fromPromise } from 'xstate';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { LocalRef } from '../../src/internal.js';
import { until } from '../support/latch.js';
import { counterMachine } from '../support/machines.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

describe('LocalRef', () => {
  it('is what spawn returns: named, addressed, alive while its cell runs', async () => {
    system = createSystem({ node: 'n', dispatcher: 'sync' });
    const ref = system.spawn(counterMachine, { name: 'c' });
    expect(ref).toBeInstanceOf(LocalRef);
    expect(ref.name).toBe('c');
    expect(ref.address).toBe('troupe://n/c');
    expect((ref as LocalRef)._alive).toBe(true);
    await system.stop(ref);
    expect((ref as LocalRef)._alive).toBe(false);
  });

  it('an ask to a stopped actor fails with NO_ACTOR, as a DeliveryError', async () => {
    system = createSystem({ node: 'n' });
    const ref = system.spawn(counterMachine, { name: 'c' });
    await system.stop(ref);
    await expect(ref.ask({ type: 'get' })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR', name: 'DeliveryError' });
  });

  it('stop with killed ends the actor at once; with shutdown at its next turn; a second stop resolves at once', async () => {
    system = createSystem({ node: 'n' });
    const a = system.spawn(counterMachine, { name: 'a' });
    const b = system.spawn(counterMachine, { name: 'b' });
    const killed = system.stop(a, 'killed');
    expect(system.lookup('a')).toBeUndefined();
    await killed;
    await system.stop(b);
    await system.stop(b);
    expect(system.stats().actors).toBe(0);
  });

  it('getSnapshot: live snapshot, then the final one after the actor finished', async () => {
    system = createSystem({ node: 'n' });
    const p = system.spawn(
      fromPromise(async () => 'out'),
      { name: 'p' },
    );
    await until(() => system.lookup('p') === undefined);
    expect(p.getSnapshot()).toMatchObject({ status: 'done', output: 'out' });
  });
});
