/**
 * Issue 8: asks that share one abort signal cost O(1) each. Node's EventTarget scans a signal's
 * listeners on every add and remove, so a signal carries one listener however many asks wait on it.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem, SimulatedClock } from '../../src/index.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { shutDownAfterEach } from '../support/streams.js';

let system: ActorSystem;
shutDownAfterEach(() => [system]);

describe('asks sharing one abort signal', () => {
  it('add one listener to it, and aborting fails every pending ask', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ clock });
    const silent = system.spawn(silentMachine);
    const controller = new AbortController();
    const asks = Array.from({ length: 1000 }, () => silent.ask({ type: 'get' }, { signal: controller.signal }));
    const outcomes = Promise.allSettled(asks);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('enough'));
    const settled = await outcomes;
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as { code: string }).code === 'TROUPE_ERR_ABORTED')).toBe(true);
    expect(((settled[0] as PromiseRejectedResult).reason as Error).cause).toEqual(new Error('enough'));
    expect(clock.pending).toBe(0);
  });

  it('leave a settled ask out of a later abort', async () => {
    system = createSystem();
    const counter = system.spawn(counterMachine, { input: { start: 7 } });
    const controller = new AbortController();
    expect(await counter.ask({ type: 'get' }, { signal: controller.signal })).toMatchObject({ value: 7 });
    const pending = system.spawn(silentMachine).ask({ type: 'get' }, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
