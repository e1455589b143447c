/**
 * Supervisor behaviour, named after the cases of Erlang/OTP's `supervisor_SUITE` where one exists:
 * restart types, strategies, restart intensity and supervision trees.
 */
import { describe, expect, it } from 'vitest';
import { createSystem, type DeadLetter, type SupervisorChildSpec, supervisor, supervisorRef } from '../../src/index.js';
import { countOf, type StartFailures, testSystem, workerMachine } from '../supervision/helpers.js';

const worker = (id: string, extra: Partial<SupervisorChildSpec> = {}): SupervisorChildSpec => ({ id, logic: workerMachine, ...extra });

describe('supervisor', () => {
  it('works on the event-loop dispatcher and the wall clock: a crashed child answers its next ask', async () => {
    const system = createSystem({ node: 'live' });
    try {
      system.spawn(supervisor({ intensity: 100, children: [worker('w')] }), { name: 'app' });
      const w = system.lookup('app/w')!;
      for (let i = 0; i < 20; i++) {
        w.send({ type: 'inc' });
        w.send({ type: 'crash' });
        w.send({ type: 'inc' });
        expect(await w.ask<{ value: number }>({ type: 'get' }, { timeoutMs: 2000 })).toEqual({ type: 'count', value: 1 });
      }
      expect(system.stats(w)?.restarts).toBe(20);
    } finally {
      await system.shutdown();
    }
  });

  describe('restart types', () => {
    // OTP: permanent_normal, permanent_shutdown, permanent_abnormal
    it.each([
      ['normal', 'finish'],
      ['shutdown', 'stop'],
      ['crash', 'crash'],
    ])('restarts a permanent child after a %s exit', async (_kind, how) => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ intensity: 5, children: [worker('w')] }), { name: 'app' });
      const w = system.lookup('app/w')!;
      w.send({ type: 'inc' });
      if (how === 'stop') await system.stop(w);
      else w.send({ type: how as 'finish' | 'crash' });
      const [child] = await supervisorRef(app).whichChildren();
      expect(child).toMatchObject({ id: 'w', status: 'running', type: 'worker' });
      expect(await countOf(system, 'app/w')).toBe(0);
      expect(system.stats(w)?.restarts).toBe(1);
    });

    // OTP: transient_normal, transient_shutdown, transient_abnormal
    it.each([
      ['normal', 'finish', 'stopped'],
      ['shutdown', 'stop', 'stopped'],
      ['killed', 'kill', 'running'],
      ['crash', 'crash', 'running'],
    ])('after a %s exit, a transient child is %s', async (_kind, how, status) => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ children: [worker('w', { restart: 'transient' })] }), { name: 'app' });
      const w = system.lookup('app/w')!;
      if (how === 'stop') await system.stop(w);
      else if (how === 'kill') await system.stop(w, 'killed');
      else w.send({ type: how as 'finish' | 'crash' });
      const sup = supervisorRef(app);
      const [child] = await sup.whichChildren();
      expect(child.status).toBe(status);
      expect(await sup.countChildren()).toEqual({ specs: 1, active: status === 'running' ? 1 : 0, supervisors: 0, workers: 1 });
      expect(system.lookup('app/w') === undefined).toBe(status === 'stopped');
    });

    // OTP: temporary_normal, temporary_shutdown, temporary_abnormal
    it.each([
      ['normal', 'finish'],
      ['shutdown', 'stop'],
      ['crash', 'crash'],
    ])('never restarts a temporary child and deletes its spec after a %s exit', async (_kind, how) => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ children: [worker('t', { restart: 'temporary' }), worker('p')] }), { name: 'app' });
      const t = system.lookup('app/t')!;
      if (how === 'stop') await system.stop(t);
      else t.send({ type: how as 'finish' | 'crash' });
      const sup = supervisorRef(app);
      expect((await sup.whichChildren()).map((c) => c.id)).toEqual(['p']);
      expect(await sup.countChildren()).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
      expect(system.lookup('app/t')).toBeUndefined();
    });
  });

  describe('strategies', () => {
    // OTP: one_for_one
    it('one-for-one restarts only the failed child', async () => {
      const { system, supervisorLog } = testSystem();
      system.spawn(supervisor({ strategy: 'one-for-one', children: [worker('a'), worker('b'), worker('c')] }), { name: 'app' });
      for (const id of ['a', 'b', 'c']) system.lookup(`app/${id}`)!.send({ type: 'inc' });
      system.lookup('app/b')!.send({ type: 'crash' });
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/b error(crash)",
          "app restart app/b",
        ]
      `);
      expect([await countOf(system, 'app/a'), await countOf(system, 'app/b'), await countOf(system, 'app/c')]).toEqual([1, 0, 1]);
    });

    // OTP: one_for_all
    it('one-for-all stops the others in reverse order, then restarts all in start order', async () => {
      const { system, supervisorLog, actorLog, clear } = testSystem();
      system.spawn(supervisor({ strategy: 'one-for-all', children: [worker('a'), worker('b'), worker('c')] }), { name: 'app' });
      for (const id of ['a', 'b', 'c']) system.lookup(`app/${id}`)!.send({ type: 'inc' });
      clear();
      system.lookup('app/b')!.send({ type: 'crash' });
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/b error(crash)",
          "app child-terminated app/c shutdown",
          "app child-terminated app/a shutdown",
          "app restart app/a",
          "app restart app/b",
          "app restart app/c",
        ]
      `);
      expect(actorLog()).toMatchInlineSnapshot(`
        [
          "restarted app/a",
          "restarted app/b",
          "restarted app/c",
        ]
      `);
      expect([await countOf(system, 'app/a'), await countOf(system, 'app/b'), await countOf(system, 'app/c')]).toEqual([0, 0, 0]);
    });

    // OTP: one_for_all_other_child_fails_restart
    it('one-for-all retries when a sibling fails to start during the restart, counting each attempt', async () => {
      const { system, clock, supervisorLog, clear } = testSystem();
      const failStarts: StartFailures = { left: 0 };
      const app = system.spawn(
        supervisor({ strategy: 'one-for-all', intensity: 3, children: [worker('a'), worker('b', { input: { failStarts } }), worker('c')] }),
        { name: 'app' },
      );
      clear();
      failStarts.left = 1;
      system.lookup('app/a')!.send({ type: 'crash' });
      expect((await supervisorRef(app).whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual([
        'a running',
        'b restarting',
        'c stopped', // not started yet: OTP's pid undefined; the retry starts it
      ]);
      clock.advance(0); // the retry, as OTP's try_again_restart cast
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/a error(crash)",
          "app child-terminated app/c shutdown",
          "app child-terminated app/b shutdown",
          "app restart app/a",
          "app start-failed app/b error(start failed)",
          "app child-terminated app/a shutdown",
          "app restart app/a",
          "app restart app/b",
          "app restart app/c",
        ]
      `);
      expect((await supervisorRef(app).whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['a running', 'b running', 'c running']);
    });

    it('one-for-all escalates when a sibling keeps failing to start', () => {
      const { system, clock, supervisorLog, clear } = testSystem();
      const failStarts: StartFailures = { left: 0 };
      system.spawn(supervisor({ strategy: 'one-for-all', intensity: 2, children: [worker('a'), worker('b', { input: { failStarts } })] }), {
        name: 'app',
      });
      clear();
      failStarts.left = 100;
      system.lookup('app/a')!.send({ type: 'crash' });
      for (let i = 0; i < 5; i++) clock.advance(0);
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/a error(crash)",
          "app child-terminated app/b shutdown",
          "app restart app/a",
          "app start-failed app/b error(start failed)",
          "app child-terminated app/a shutdown",
          "app restart app/a",
          "app start-failed app/b error(start failed)",
          "app escalate app/b error(start failed) reached max restart intensity: more than 2 restarts within 5000 ms",
          "app shutdown error(TROUPE_ERR_RESTART_INTENSITY)",
          "app child-terminated app/a shutdown",
        ]
      `);
      expect(system.lookup('app')).toBeUndefined();
      expect(system.stats().actors).toBe(0);
    });

    // OTP: rest_for_one
    it('rest-for-one restarts the failed child and those started after it', async () => {
      const { system, supervisorLog } = testSystem();
      system.spawn(supervisor({ strategy: 'rest-for-one', children: [worker('a'), worker('b'), worker('c')] }), { name: 'app' });
      for (const id of ['a', 'b', 'c']) system.lookup(`app/${id}`)!.send({ type: 'inc' });
      system.lookup('app/b')!.send({ type: 'crash' });
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/b error(crash)",
          "app child-terminated app/c shutdown",
          "app restart app/b",
          "app restart app/c",
        ]
      `);
      expect([await countOf(system, 'app/a'), await countOf(system, 'app/b'), await countOf(system, 'app/c')]).toEqual([1, 0, 0]);
    });

    // OTP: rest_for_one_other_child_fails_restart
    it('rest-for-one retries from a later child that fails to start', async () => {
      const { system, clock, supervisorLog, clear } = testSystem();
      const failStarts: StartFailures = { left: 0 };
      const app = system.spawn(
        supervisor({
          strategy: 'rest-for-one',
          intensity: 3,
          children: [worker('a'), worker('b'), worker('c', { input: { failStarts } })],
        }),
        { name: 'app' },
      );
      clear();
      failStarts.left = 1;
      system.lookup('app/b')!.send({ type: 'crash' });
      clock.advance(0);
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/b error(crash)",
          "app child-terminated app/c shutdown",
          "app restart app/b",
          "app start-failed app/c error(start failed)",
          "app restart app/c",
        ]
      `);
      expect((await supervisorRef(app).countChildren()).active).toBe(3);
    });

    // OTP: restart_multiple_children leaves the children after the failed one with pid undefined
    it('after a failed group restart, the children after the failed one are stopped, not stuck restarting', async () => {
      const { system, clock } = testSystem();
      const failStarts: StartFailures = { left: 0 };
      const app = system.spawn(
        supervisor({
          strategy: 'rest-for-one',
          intensity: 5,
          children: [worker('a'), worker('b', { input: { failStarts } }), worker('c')],
        }),
        { name: 'app' },
      );
      const sup = supervisorRef(app);
      failStarts.left = 1;
      system.lookup('app/a')!.send({ type: 'crash' });
      expect((await sup.whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['a running', 'b restarting', 'c stopped']);
      expect((await sup.countChildren()).active).toBe(1);
      await sup.terminateChild('b'); // cancels b's retry: nothing will start c by itself
      clock.advance(1000);
      expect((await sup.whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['a running', 'b stopped', 'c stopped']);
      system.lookup('app/c')?.send({ type: 'inc' }); // kept for c while it waits
      expect((await sup.restartChild('c')).address).toBe('troupe://n/app/c');
      await sup.deleteChild('b');
      expect((await sup.whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['a running', 'c running']);
      expect(await countOf(system, 'app/c')).toBe(1);
    });

    it('the retry after a failed rest-for-one restart starts the failed child and the stopped ones after it', async () => {
      const { system, clock, supervisorLog, clear } = testSystem();
      const failStarts: StartFailures = { left: 0 };
      const app = system.spawn(
        supervisor({
          strategy: 'rest-for-one',
          intensity: 5,
          children: [worker('a'), worker('b', { input: { failStarts } }), worker('c')],
        }),
        { name: 'app' },
      );
      clear();
      failStarts.left = 1;
      system.lookup('app/a')!.send({ type: 'crash' });
      clock.advance(0);
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/a error(crash)",
          "app child-terminated app/c shutdown",
          "app child-terminated app/b shutdown",
          "app restart app/a",
          "app start-failed app/b error(start failed)",
          "app restart app/b",
          "app restart app/c",
        ]
      `);
      expect((await supervisorRef(app).whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['a running', 'b running', 'c running']);
    });

    it('deleteChild on a child left stopped by a failed group restart ends its cell', async () => {
      const { system } = testSystem();
      const failStarts: StartFailures = { left: 0 };
      const app = system.spawn(
        supervisor({ strategy: 'rest-for-one', intensity: 5, children: [worker('a', { input: { failStarts } }), worker('b')] }),
        { name: 'app' },
      );
      const sup = supervisorRef(app);
      failStarts.left = 1;
      system.lookup('app/a')!.send({ type: 'crash' });
      expect((await sup.whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['a restarting', 'b stopped']);
      await sup.deleteChild('b');
      expect(system.lookup('app/b')).toBeUndefined();
      expect((await sup.whichChildren()).map((c) => c.id)).toEqual(['a']);
    });

    it('a temporary sibling stopped by a group restart is deleted, not restarted', async () => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ strategy: 'one-for-all', children: [worker('a'), worker('t', { restart: 'temporary' })] }), {
        name: 'app',
      });
      system.lookup('app/a')!.send({ type: 'crash' });
      expect((await supervisorRef(app).whichChildren()).map((c) => c.id)).toEqual(['a']);
    });
  });

  describe('restart intensity', () => {
    // OTP: sup_flags intensity/period
    it('never trips when restarts are spaced beyond the period', async () => {
      const { system, clock } = testSystem();
      const app = system.spawn(supervisor({ intensity: 1, periodMs: 1000, children: [worker('w')] }), { name: 'app' });
      for (let i = 0; i < 10; i++) {
        system.lookup('app/w')!.send({ type: 'crash' });
        clock.advance(1001);
      }
      expect((await supervisorRef(app).countChildren()).active).toBe(1);
      expect(system.stats(system.lookup('app/w')!)?.restarts).toBe(10);
    });

    it('escalates on the (n+1)th restart within the period: children stop in reverse order, then the supervisor crashes', () => {
      const { system, clock, supervisorLog, actorLog, clear } = testSystem();
      system.spawn(supervisor({ intensity: 3, periodMs: 1000, children: [worker('a'), worker('b'), worker('c')] }), { name: 'app' });
      for (let i = 0; i < 3; i++) {
        system.lookup('app/b')!.send({ type: 'crash' });
        clock.advance(300);
      }
      expect(system.lookup('app/b')).toBeDefined();
      clear();
      system.lookup('app/b')!.send({ type: 'crash' }); // 4th within 1000 ms (at 900)
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/b error(crash)",
          "app escalate app/b error(crash) reached max restart intensity: more than 3 restarts within 1000 ms",
          "app shutdown error(TROUPE_ERR_RESTART_INTENSITY)",
          "app child-terminated app/c shutdown",
          "app child-terminated app/a shutdown",
        ]
      `);
      expect(actorLog()).toMatchInlineSnapshot(`
        [
          "stopped app/b",
          "stopped app/c",
          "stopped app/a",
          "stopped app",
        ]
      `);
    });

    it('counts a restart exactly periodMs old, as OTP does', () => {
      const { system, clock } = testSystem();
      system.spawn(supervisor({ intensity: 1, periodMs: 1000, children: [worker('w')] }), { name: 'app' });
      system.lookup('app/w')!.send({ type: 'crash' });
      clock.advance(1000);
      system.lookup('app/w')!.send({ type: 'crash' });
      expect(system.lookup('app')).toBeUndefined();
    });

    it('with intensity 0, the first restart escalates', () => {
      const { system } = testSystem();
      system.spawn(supervisor({ intensity: 0, children: [worker('w')] }), { name: 'app' });
      system.lookup('app/w')!.send({ type: 'crash' });
      expect(system.lookup('app')).toBeUndefined();
    });
  });

  describe('trees', () => {
    const tree = (parentStrategy: 'one-for-one' | 'one-for-all', subIntensity = 1) =>
      supervisor({
        strategy: parentStrategy,
        intensity: 5,
        children: [
          worker('x'),
          {
            id: 'sub',
            logic: supervisor({ strategy: 'one-for-one', intensity: subIntensity, periodMs: 1000, children: [worker('w1'), worker('w2')] }),
          },
        ],
      });

    it('nests: a supervisor child has type supervisor and addresses compose', async () => {
      const { system } = testSystem();
      const app = system.spawn(tree('one-for-one'), { name: 'app' });
      expect(await supervisorRef(app).whichChildren()).toMatchObject([
        { id: 'x', type: 'worker', status: 'running' },
        { id: 'sub', type: 'supervisor', status: 'running' },
      ]);
      expect(await supervisorRef(app).countChildren()).toEqual({ specs: 2, active: 2, supervisors: 1, workers: 1 });
      expect(system.lookup('app/sub/w2')?.address).toBe('troupe://n/app/sub/w2');
    });

    // OTP: tree (only the failed worker restarts in its sub-supervisor)
    it('restarts only the failed worker inside its sub-supervisor', async () => {
      const { system, supervisorLog } = testSystem();
      system.spawn(tree('one-for-all'), { name: 'app' });
      for (const p of ['app/x', 'app/sub/w1', 'app/sub/w2']) system.lookup(p)!.send({ type: 'inc' });
      system.lookup('app/sub/w1')!.send({ type: 'crash' });
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app/sub child-terminated app/sub/w1 error(crash)",
          "app/sub restart app/sub/w1",
        ]
      `);
      expect([await countOf(system, 'app/x'), await countOf(system, 'app/sub/w1'), await countOf(system, 'app/sub/w2')]).toEqual([1, 0, 1]);
    });

    // OTP: tree (the sub-supervisor gives up; the one-for-all parent restarts everything)
    it('a sub-supervisor exceeding its intensity makes a one-for-all parent restart all its children', async () => {
      const { system, supervisorLog, clear } = testSystem();
      const app = system.spawn(tree('one-for-all', 1), { name: 'app' });
      for (const p of ['app/x', 'app/sub/w1', 'app/sub/w2']) system.lookup(p)!.send({ type: 'inc' });
      system.lookup('app/sub/w1')!.send({ type: 'crash' });
      clear();
      system.lookup('app/sub/w1')!.send({ type: 'crash' });
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app/sub child-terminated app/sub/w1 error(crash)",
          "app/sub escalate app/sub/w1 error(crash) reached max restart intensity: more than 1 restart within 1000 ms",
          "app/sub shutdown error(TROUPE_ERR_RESTART_INTENSITY)",
          "app/sub child-terminated app/sub/w2 shutdown",
          "app child-terminated app/sub error(TROUPE_ERR_RESTART_INTENSITY)",
          "app child-terminated app/x shutdown",
          "app restart app/x",
          "app restart app/sub",
        ]
      `);
      expect((await supervisorRef(app).whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['x running', 'sub running']);
      expect([await countOf(system, 'app/x'), await countOf(system, 'app/sub/w1'), await countOf(system, 'app/sub/w2')]).toEqual([0, 0, 0]);
    });

    it('a ref to a grandchild is bound to that actor: a restarted sub-supervisor has new children, system.ref(address) follows the address', async () => {
      const { system } = testSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((l) => letters.push(l));
      const app = system.spawn(tree('one-for-one', 0), { name: 'app' });
      const sub = system.lookup('app/sub')!;
      const before = system.lookup('app/sub/w1')!;
      const byAddress = system.ref('troupe://n/app/sub/w1');
      before.send({ type: 'inc' });
      before.send({ type: 'crash' }); // intensity 0: sub gives up, app restarts it with new children
      expect((await supervisorRef(app).whichChildren()).map((c) => `${c.id} ${c.status}`)).toEqual(['x running', 'sub running']);
      expect(system.lookup('app/sub')).toBe(sub); // a direct child's ref survives its own restart
      before.send({ type: 'inc' });
      expect(letters.map((l) => `${l.recipient} ${l.reason}`)).toEqual(['troupe://n/app/sub/w1 stopped']);
      await expect(before.ask({ type: 'get' }, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR' });
      byAddress.send({ type: 'inc' });
      expect(await byAddress.ask({ type: 'get' }, { timeoutMs: 100 })).toEqual({ type: 'count', value: 1 });
      expect(await countOf(system, 'app/sub/w1')).toBe(1);
    });
  });
});
