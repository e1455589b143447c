/**
 * Supervisor lifecycle, named after OTP's `supervisor_SUITE` where a case exists: start and shutdown
 * order, significant children and auto-shutdown, child administration, counts, backoff, escalation
 * at the root, watchers and orphan cleanup.
 */

import { describe, expect, it } from 'vitest';
import { createMachine, fromCallback, setup } from 'xstate';
import { type DeadLetter, type DownEvent, type SupervisorChildSpec, supervisor, supervisorRef, TroupeError } from '../../src/index.js';
import { brokenMachine, countOf, type StartFailures, short, testSystem, workerMachine } from '../supervision/helpers.js';

const worker = (id: string, extra: Partial<SupervisorChildSpec> = {}): SupervisorChildSpec => ({ id, logic: workerMachine, ...extra });

/** An actor that records the `troupe.down` notices it receives. */
function downRecorder(downs: DownEvent[]) {
  return createMachine({
    on: {
      'troupe.down': {
        actions: ({ event }) => {
          downs.push(event as DownEvent);
        },
      },
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return TroupeError.is(error) ? error.code : `not a TroupeError: ${String(error)}`;
  }
  return 'resolved';
}

describe('supervisor lifecycle', () => {
  describe('start and shutdown', () => {
    // OTP: sup_start / sup_stop_infinity / sup_stop_timeout: start order, then stop in reverse order
    it('starts children in spec order and stops them in reverse order, children before the supervisor', async () => {
      const { system, actorLog, supervisorLog } = testSystem();
      const app = system.spawn(supervisor({ children: [worker('a'), worker('b'), worker('c')] }), { name: 'app' });
      await system.stop(app);
      expect(actorLog()).toMatchInlineSnapshot(`
        [
          "spawned app",
          "spawned app/a",
          "spawned app/b",
          "spawned app/c",
          "stopped app/c",
          "stopped app/b",
          "stopped app/a",
          "stopped app",
        ]
      `);
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app shutdown",
          "app child-terminated app/c shutdown",
          "app child-terminated app/b shutdown",
          "app child-terminated app/a shutdown",
        ]
      `);
      expect(system.stats().actors).toBe(0);
    });

    // With local children (they stop synchronously) only the exit reason tells the settings apart;
    // the timeout itself, and the kill after it, are in test/supervision/supervisor.test.ts
    // ('kills a child that outlives its shutdownMs').
    it("local children: 'brutal' kills (watchers see 'killed'); a number or Infinity stops with 'shutdown' and leaves no kill timer", async () => {
      const { system, clock } = testSystem();
      const downs: DownEvent[] = [];
      const watcher = system.spawn(downRecorder(downs), { name: 'watcher' });
      const app = system.spawn(
        supervisor({
          children: [
            worker('gentle', { shutdownMs: 100 }),
            worker('brutal', { shutdownMs: 'brutal' }),
            worker('patient', { shutdownMs: Infinity }),
            worker('brutal2', { shutdownMs: 'brutal' }),
          ],
        }),
        { name: 'app' },
      );
      for (const id of ['gentle', 'brutal', 'patient', 'brutal2']) system.watch(watcher, system.lookup(`app/${id}`)!);
      const sup = supervisorRef(app);
      await sup.terminateChild('gentle');
      expect(clock.pending).toBe(0);
      await sup.terminateChild('brutal');
      await system.stop(app); // the supervisor's own shutdown: brutal2, then patient
      expect(downs.map((d) => `${d.address.split('/').pop()} ${short(d.reason)}`)).toEqual([
        'gentle shutdown',
        'brutal killed',
        'brutal2 killed',
        'patient shutdown',
      ]);
      expect(clock.pending).toBe(0);
    });

    // OTP: sup_start_fail / child fails to start at supervisor start
    it('fails to start when a child fails to start, stopping the children already started in reverse order', () => {
      const { system, actorLog, supervisorLog } = testSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((l) => letters.push(l));
      expect(() =>
        system.spawn(supervisor({ children: [worker('a'), worker('b'), { id: 'bad', logic: brokenMachine }, worker('c')] }), {
          name: 'app',
        }),
      ).not.toThrow();
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app start-failed app/bad error(cannot start)",
          "app shutdown error(TROUPE_ERR_START_FAILED)",
          "app child-terminated app/b shutdown",
          "app child-terminated app/a shutdown",
        ]
      `);
      expect(actorLog()).toMatchInlineSnapshot(`
        [
          "spawned app",
          "spawned app/a",
          "spawned app/b",
          "spawned app/bad",
          "stopped app/bad",
          "stopped app/b",
          "stopped app/a",
          "stopped app",
        ]
      `);
      expect(letters.map((l) => [l.recipient, l.reason, short((l.event as { reason: unknown }).reason)])).toEqual([
        ['troupe://n/$root', 'escalated', 'error(TROUPE_ERR_START_FAILED)'],
      ]);
    });

    it('does not restart a child that exits by itself while it shuts down: the child stops for good with its own reason', async () => {
      const { system, actorLog, supervisorLog } = testSystem();
      const downs: DownEvent[] = [];
      const watcher = system.spawn(downRecorder(downs), { name: 'watcher' });
      let onStopped = () => {};
      // Stopping b runs its invoked callback's cleanup, which kills a at once: a exits by itself in
      // the middle of the supervisor's shutdown, before the supervisor reaches it.
      const killsSibling = setup({ actors: { cleanup: fromCallback(() => () => onStopped()) } }).createMachine({
        invoke: { src: 'cleanup' },
      });
      const app = system.spawn(supervisor({ intensity: 10, children: [worker('a'), { id: 'b', logic: killsSibling }] }), { name: 'app' });
      const a = system.lookup('app/a')!;
      system.watch(watcher, a);
      onStopped = () => void system.stop(a, 'killed');
      await system.stop(app);
      expect(downs.map((d) => short(d.reason))).toEqual(['killed']); // not restarted, then shut down
      expect(actorLog().filter((l) => l.startsWith('restarted'))).toEqual([]);
      expect(supervisorLog().filter((l) => l.includes('restart'))).toEqual([]);
      expect(system.stats().actors).toBe(1); // the watcher
    });
  });

  describe('significant children (autoShutdown)', () => {
    // OTP: auto_shutdown any_significant
    it("'any-significant': a significant child exiting normally stops the supervisor and its bystanders", () => {
      const { system, supervisorLog, actorLog, clear } = testSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((l) => letters.push(l));
      system.spawn(
        supervisor({
          autoShutdown: 'any-significant',
          children: [
            worker('bystander'),
            worker('job', { restart: 'transient', significant: true }),
            worker('other', { restart: 'transient', significant: true }),
          ],
        }),
        { name: 'app' },
      );
      clear();
      system.lookup('app/job')!.send({ type: 'finish' });
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/job normal",
          "app auto-shutdown app/job normal",
          "app shutdown shutdown",
          "app child-terminated app/other shutdown",
          "app child-terminated app/bystander shutdown",
        ]
      `);
      expect(actorLog()).toMatchInlineSnapshot(`
        [
          "stopped app/job",
          "stopped app/other",
          "stopped app/bystander",
          "stopped app",
        ]
      `);
      expect(letters).toEqual([]); // a 'shutdown' exit is normal: nothing escalates
    });

    it("'any-significant': a significant transient child that crashes is restarted, not a shutdown", async () => {
      const { system } = testSystem();
      const app = system.spawn(
        supervisor({ autoShutdown: 'any-significant', children: [worker('job', { restart: 'transient', significant: true })] }),
        { name: 'app' },
      );
      system.lookup('app/job')!.send({ type: 'crash' });
      expect((await supervisorRef(app).whichChildren())[0].status).toBe('running');
    });

    // OTP: auto_shutdown all_significant
    it("'all-significant': the supervisor stops once the last significant child has exited", async () => {
      const { system } = testSystem();
      const app = system.spawn(
        supervisor({
          autoShutdown: 'all-significant',
          children: [
            worker('bystander'),
            worker('j1', { restart: 'temporary', significant: true }),
            worker('j2', { restart: 'transient', significant: true }),
          ],
        }),
        { name: 'app' },
      );
      system.lookup('app/j1')!.send({ type: 'finish' });
      expect((await supervisorRef(app).whichChildren()).map((c) => c.id)).toEqual(['bystander', 'j2']);
      system.lookup('app/j2')!.send({ type: 'finish' });
      expect(system.lookup('app')).toBeUndefined();
      expect(system.stats().actors).toBe(0);
    });

    it('a non-significant child exiting for good does not trigger auto-shutdown', async () => {
      const { system } = testSystem();
      const app = system.spawn(
        supervisor({
          autoShutdown: 'any-significant',
          children: [worker('t', { restart: 'temporary' }), worker('job', { restart: 'transient', significant: true })],
        }),
        { name: 'app' },
      );
      system.lookup('app/t')!.send({ type: 'finish' });
      expect((await supervisorRef(app).countChildren()).active).toBe(1);
    });

    it('terminateChild on a significant child does not trigger auto-shutdown (OTP)', async () => {
      const { system } = testSystem();
      const app = system.spawn(
        supervisor({ autoShutdown: 'any-significant', children: [worker('job', { restart: 'transient', significant: true })] }),
        { name: 'app' },
      );
      await supervisorRef(app).terminateChild('job');
      expect(system.lookup('app')).toBeDefined();
    });
  });

  describe('child administration', () => {
    it('startChild adds a child at the end under the supervisor', async () => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ children: [worker('a')] }), { name: 'app' });
      const sup = supervisorRef(app);
      const ref = await sup.startChild(worker('b'));
      expect(ref.address).toBe('troupe://n/app/b');
      expect((await sup.whichChildren()).map((c) => c.id)).toEqual(['a', 'b']);
    });

    // OTP: child_adm (already_started, already_present, not_found, running, restarting)
    it('rejects with the OTP errors: already started, already present, not found, running', async () => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ children: [worker('a')] }), { name: 'app' });
      const sup = supervisorRef(app);
      expect(await rejection(sup.startChild(worker('a')))).toBe('TROUPE_ERR_ALREADY_STARTED');
      expect(await rejection(sup.restartChild('a'))).toBe('TROUPE_ERR_RUNNING');
      expect(await rejection(sup.deleteChild('a'))).toBe('TROUPE_ERR_RUNNING');
      await sup.terminateChild('a');
      await sup.terminateChild('a'); // terminating a terminated child is fine, as in OTP
      expect(await rejection(sup.startChild(worker('a')))).toBe('TROUPE_ERR_ALREADY_PRESENT');
      expect((await sup.restartChild('a')).address).toBe('troupe://n/app/a');
      await sup.terminateChild('a');
      await sup.deleteChild('a');
      for (const call of [sup.terminateChild('a'), sup.restartChild('a'), sup.deleteChild('a')]) {
        expect(await rejection(call)).toBe('TROUPE_ERR_NOT_FOUND');
      }
      expect(await sup.countChildren()).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    });

    it('rejects restartChild and deleteChild on a child waiting for its restart, and terminateChild cancels that restart', async () => {
      const { system, clock } = testSystem();
      const app = system.spawn(supervisor({ backoff: { minMs: 100, jitter: 0 }, children: [worker('a')] }), { name: 'app' });
      const sup = supervisorRef(app);
      system.lookup('app/a')!.send({ type: 'crash' });
      expect(await sup.whichChildren()).toMatchObject([{ id: 'a', status: 'restarting' }]);
      expect(await rejection(sup.restartChild('a'))).toBe('TROUPE_ERR_RESTARTING');
      expect(await rejection(sup.deleteChild('a'))).toBe('TROUPE_ERR_RESTARTING');
      await sup.terminateChild('a');
      clock.advance(1000);
      expect(await sup.whichChildren()).toEqual([{ id: 'a', status: 'stopped', type: 'worker' }]);
      expect(system.lookup('app/a')).toBeUndefined();
    });

    it('startChild rejects a bad spec with INVALID_SPEC and a child that cannot start with START_FAILED, keeping no spec', async () => {
      const { system } = testSystem();
      const app = system.spawn(supervisor(), { name: 'app' });
      const sup = supervisorRef(app);
      expect(await rejection(sup.startChild({ id: 'x' } as SupervisorChildSpec))).toBe('TROUPE_ERR_INVALID_SPEC');
      expect(await rejection(sup.startChild({ id: 'x', logic: brokenMachine }))).toBe('TROUPE_ERR_START_FAILED');
      expect(await sup.countChildren()).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
      expect(system.lookup('app/x')).toBeUndefined();
    });

    it('supervisorRef on anything but a supervisor throws NOT_SUPERVISOR', () => {
      const { system } = testSystem();
      const w = system.spawn(workerMachine, { name: 'w' });
      expect(() => supervisorRef(w)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NOT_SUPERVISOR' }));
      expect(() => supervisorRef(system.ref('troupe://n/w'))).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NOT_SUPERVISOR' }));
    });
  });

  describe('counts', () => {
    // OTP: count_children (1000 and 2000 children)
    it.each([1000, 2000])('counts and lists %i children', async (n) => {
      const { system } = testSystem();
      const children = Array.from({ length: n }, (_, i) => worker(`w${i}`, { restart: i % 2 === 0 ? 'permanent' : 'transient' }));
      children.push({ id: 'sub', logic: supervisor() });
      const app = system.spawn(supervisor({ children }), { name: 'app' });
      const sup = supervisorRef(app);
      expect(await sup.countChildren()).toEqual({ specs: n + 1, active: n + 1, supervisors: 1, workers: n });
      for (let i = 1; i < n; i += 2) await sup.terminateChild(`w${i}`);
      expect(await sup.countChildren()).toEqual({ specs: n + 1, active: n / 2 + 1, supervisors: 1, workers: n });
      const which = await sup.whichChildren();
      expect(which).toHaveLength(n + 1);
      expect(which.filter((c) => c.status === 'stopped')).toHaveLength(n / 2);
      await system.stop(app);
      expect(system.stats().actors).toBe(0);
    });
  });

  describe('backoff', () => {
    it('waits between restarts, growing while the child keeps failing', () => {
      const { system, clock, supervisorLog, clear } = testSystem();
      system.spawn(
        supervisor({
          intensity: 10,
          periodMs: 10_000,
          backoff: { minMs: 100, maxMs: 1000, factor: 2, jitter: 0 },
          children: [worker('w')],
        }),
        {
          name: 'app',
        },
      );
      clear();
      for (let i = 0; i < 3; i++) {
        system.lookup('app/w')!.send({ type: 'crash' });
        clock.advance(1000);
      }
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/w error(crash)",
          "app restart-scheduled app/w error(crash) in 100 ms",
          "app restart app/w",
          "app child-terminated app/w error(crash)",
          "app restart-scheduled app/w error(crash) in 200 ms",
          "app restart app/w",
          "app child-terminated app/w error(crash)",
          "app restart-scheduled app/w error(crash) in 400 ms",
          "app restart app/w",
        ]
      `);
    });

    it('a restart that fails to start waits one backoff step, reported once', () => {
      const { system, clock, supervisorLog, clear } = testSystem();
      const failStarts: StartFailures = { left: 0 };
      system.spawn(
        supervisor({
          intensity: 10,
          periodMs: 10_000,
          backoff: { minMs: 100, maxMs: 10_000, factor: 2, jitter: 0 },
          children: [worker('w', { input: { failStarts } })],
        }),
        { name: 'app' },
      );
      clear();
      failStarts.left = 2;
      system.lookup('app/w')!.send({ type: 'crash' });
      clock.advance(699); // 100 + 200 + 400 ms of waits
      expect(supervisorLog()).toMatchInlineSnapshot(`
        [
          "app child-terminated app/w error(crash)",
          "app restart-scheduled app/w error(crash) in 100 ms",
          "app start-failed app/w error(start failed)",
          "app restart-scheduled app/w error(start failed) in 200 ms",
          "app start-failed app/w error(start failed)",
          "app restart-scheduled app/w error(start failed) in 400 ms",
        ]
      `);
      clock.advance(1);
      expect(supervisorLog().at(-1)).toBe('app restart app/w');
    });

    it('keeps growing while the child crashes as soon as it restarts: the wait is not quiet time', () => {
      const { system, clock, supervisorLog, clear } = testSystem();
      system.spawn(
        supervisor({
          intensity: 10,
          periodMs: 1000,
          backoff: { minMs: 100, maxMs: 60_000, factor: 2, jitter: 0 },
          children: [worker('w')],
        }),
        { name: 'app' },
      );
      clear();
      for (const delay of [100, 200, 400, 800, 1600, 3200]) {
        system.lookup('app/w')!.send({ type: 'crash' });
        clock.advance(delay);
      }
      expect(supervisorLog().filter((l) => l.includes('restart-scheduled'))).toEqual(
        [100, 200, 400, 800, 1600, 3200].map((d) => `app restart-scheduled app/w error(crash) in ${d} ms`),
      );
      clock.advance(1001); // runs quietly for a whole period: the next restart waits minMs again
      system.lookup('app/w')!.send({ type: 'crash' });
      expect(supervisorLog().at(-1)).toBe('app restart-scheduled app/w error(crash) in 100 ms');
    });

    it('handles messages sent during a backoff restart after it, in order', async () => {
      const { system, clock } = testSystem();
      system.spawn(supervisor({ backoff: { minMs: 50, jitter: 0 }, children: [worker('w')] }), { name: 'app' });
      const w = system.lookup('app/w')!;
      w.send({ type: 'crash' });
      for (let i = 0; i < 5; i++) w.send({ type: 'inc' }); // queued in the cell while it waits
      const reply = w.ask<{ value: number }>({ type: 'get' }, { timeoutMs: 10_000 });
      expect(system.stats(w)).toMatchObject({ status: 'exited', depth: 6 });
      clock.advance(50);
      expect((await reply).value).toBe(5);
      expect(await countOf(system, 'app/w')).toBe(5);
    });
  });

  describe('escalation at the root', () => {
    it('reports to inspection and dead letters, and throws nothing', () => {
      const { system, events } = testSystem();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((l) => letters.push(l));
      system.spawn(supervisor({ intensity: 0, children: [worker('w')] }), { name: 'app' });
      expect(() => system.lookup('app/w')!.send({ type: 'crash' })).not.toThrow();
      expect(events.filter((e) => e.type === '@troupe.supervisor' && e.action === 'escalate')).toHaveLength(1);
      expect(letters).toMatchObject([{ recipient: 'troupe://n/$root', reason: 'escalated', sender: 'troupe://n/app' }]);
      const reason = (letters[0].event as { reason: { error: TroupeError } }).reason;
      expect(reason.error).toBeInstanceOf(TroupeError);
      expect(reason.error.code).toBe('TROUPE_ERR_RESTART_INTENSITY');
      expect(reason.error.message).toContain('reached max restart intensity');
      expect(system.stats().unhandledExits).toBe(1);
    });
  });

  describe('watchers and orphans', () => {
    it('does not notify watchers of a restart, only of the stop for good (Akka semantics)', async () => {
      const { system } = testSystem();
      const downs: DownEvent[] = [];
      const watcher = system.spawn(downRecorder(downs), { name: 'watcher' });
      const app = system.spawn(supervisor({ intensity: 5, children: [worker('w')] }), { name: 'app' });
      system.watch(watcher, system.lookup('app/w')!);
      system.lookup('app/w')!.send({ type: 'crash' });
      system.lookup('app/w')!.send({ type: 'crash' });
      expect(downs).toEqual([]);
      await supervisorRef(app).terminateChild('w');
      expect(downs).toEqual([{ type: 'troupe.down', address: 'troupe://n/app/w', reason: 'shutdown' }]);
    });

    it("stops a supervised child's own children when it crashes and restarts", () => {
      const { system } = testSystem();
      system.spawn(supervisor({ children: [worker('w')] }), { name: 'app' });
      const grandchild = system.spawn(workerMachine, { name: 'g', parent: system.lookup('app/w')! });
      expect(grandchild.address).toBe('troupe://n/app/w/g');
      system.lookup('app/w')!.send({ type: 'crash' });
      expect(system.lookup('app/w/g')).toBeUndefined();
      expect(system.lookup('app/w')).toBeDefined();
    });

    it('stops everything under a supervisor when it exits, including actors spawned under it by hand', async () => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ children: [worker('a'), { id: 'sub', logic: supervisor({ children: [worker('b')] }) }] }), {
        name: 'app',
      });
      system.spawn(workerMachine, { name: 'g', parent: system.lookup('app/sub/b')! });
      system.spawn(workerMachine, { name: 'loose', parent: app });
      expect(system.stats().actors).toBe(6);
      await system.stop(app);
      expect(system.stats().actors).toBe(0);
    });

    it('a crash of an actor spawned under a supervisor by hand is not supervised', () => {
      const { system } = testSystem();
      const app = system.spawn(supervisor({ children: [worker('a')] }), { name: 'app' });
      const loose = system.spawn(workerMachine, { name: 'loose', parent: app });
      loose.send({ type: 'crash' });
      expect(system.lookup('app/loose')).toBeUndefined();
      expect(system.stats().unhandledExits).toBe(1);
      expect(system.lookup('app/a')).toBeDefined();
    });
  });
});
