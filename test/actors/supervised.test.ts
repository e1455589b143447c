import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem, supervisor, supervisorRef } from '../../src/index.js';
import { isSupervisorLogic } from '../../src/internal.js';
import { counterMachine } from '../support/machines.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

describe('supervised.ts (supervisor logic over cells)', () => {
  it('validates flags and specs at once', () => {
    expect(() => supervisor({ strategy: 'sideways' as 'one-for-one' })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_SPEC' }),
    );
    expect(() => supervisor({ children: [{ id: 'a/b', logic: counterMachine }] })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_SPEC' }),
    );
    expect(isSupervisorLogic(supervisor())).toBe(true);
    expect(isSupervisorLogic(counterMachine)).toBe(false);
  });

  it('starts its children as cells under its own address', async () => {
    system = createSystem({ node: 'n', dispatcher: 'sync' });
    system.spawn(supervisor({ children: [{ id: 'a', logic: counterMachine }] }), { name: 'sup' });
    const a = system.lookup('sup/a');
    expect(a?.address).toBe('troupe://n/sup/a');
    expect(await a?.ask({ type: 'get' })).toEqual({ type: 'count', value: 0 });
  });

  it('answers administrative calls, and refuses refs that are not local supervisors', async () => {
    system = createSystem({ node: 'n' });
    const sup = system.spawn(supervisor(), { name: 'sup' });
    const admin = supervisorRef(sup, { timeoutMs: 1000 });
    const w = await admin.startChild({ id: 'w', logic: counterMachine });
    expect(w.address).toBe('troupe://n/sup/w');
    expect(await admin.countChildren()).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
    await expect(admin.startChild({ id: 'w', logic: counterMachine })).rejects.toMatchObject({ code: 'TROUPE_ERR_ALREADY_STARTED' });
    expect(() => supervisorRef(w)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NOT_SUPERVISOR' }));
    expect(() => supervisorRef(system.ref('troupe://n/sup'))).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NOT_SUPERVISOR' }));
  });

  it('dead-letters events that are not supervisor calls', async () => {
    system = createSystem({ node: 'n', dispatcher: 'sync' });
    const reasons: string[] = [];
    system.deadLetters.subscribe((d) => reasons.push(d.reason));
    const sup = system.spawn(supervisor(), { name: 'sup' });
    sup.send({ type: 'hello' });
    expect(reasons).toEqual(['invalid-event']);
  });

  it('a child spawned under it by hand is finalized like under a plain parent when it crashes', async () => {
    const exits: string[] = [];
    system = createSystem({ node: 'n', dispatcher: 'sync', onUnhandledExit: (e) => exits.push(e.address) });
    const sup = system.spawn(supervisor(), { name: 'sup' });
    const loose = system.spawn(counterMachine, { name: 'loose', parent: sup });
    loose.send({ type: 'boom' });
    expect(system.lookup('sup/loose')).toBeUndefined();
    expect(exits).toEqual(['troupe://n/sup/loose']);
  });
});
