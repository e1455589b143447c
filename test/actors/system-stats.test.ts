import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { counterMachine } from '../support/machines.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

describe('system stats', () => {
  it('lists every live actor, parents before children in start order, with its counters', async () => {
    system = createSystem({ node: 'n', dispatcher: 'sync' });
    const a = system.spawn(counterMachine, { name: 'a' });
    system.spawn(counterMachine, { name: 'a1', parent: a });
    system.spawn(counterMachine, { name: 'a2', parent: a });
    const b = system.spawn(counterMachine, { name: 'b' });
    b.send({ type: 'inc' });
    const stats = system.stats();
    expect(stats.mailboxes.map((m) => m.address)).toEqual(['troupe://n/a', 'troupe://n/a/a1', 'troupe://n/a/a2', 'troupe://n/b']);
    expect(stats.mailboxes[0]).toMatchObject({ status: 'running', children: 2, depth: 0, processed: 0 });
    expect(system.stats(b)).toMatchObject({ address: 'troupe://n/b', processed: 1, dropped: 0, restarts: 0, children: 0 });
    expect(stats).toMatchObject({ node: 'n', actors: 4, pendingAsks: 0, temporaries: 0, unhandledExits: 0 });
  });

  it('walks a deep tree without recursion limits', () => {
    system = createSystem({ node: 'n', dispatcher: 'sync' });
    let parent = system.spawn(counterMachine, { name: 'd0' });
    for (let i = 1; i < 2000; i++) parent = system.spawn(counterMachine, { name: `d${i}`, parent });
    expect(system.stats().mailboxes).toHaveLength(2000);
  });
});
