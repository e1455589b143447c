/**
 * The supervision core alone, over fake child handles (as nats.js tests `Heartbeat` against a fake
 * `PH`). Local cells stop synchronously, so only a fake whose stop completes later can show the
 * `shutdownMs` timer, the kill after it, and what happens while a stop is pending.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock, type TroupeError } from '../../src/index.js';
import type { ChildHandle } from '../../src/supervision/child-record.js';
import type { ChildSpec, ResolvedSpec, SpecRules } from '../../src/supervision/child-spec.js';
import { type CallResult, SupervisorCore, type SupervisorHost } from '../../src/supervision/supervisor.js';
import { resolveFlags, type SupervisorFlags } from '../../src/supervision/supervisor-flags.js';
import type { ExitReason } from '../../src/util/exit-reason.js';
import { short } from './helpers.js';

type Logic = { stops: 'sync' | 'async' };
const syncLogic: Logic = { stops: 'sync' };
const asyncLogic: Logic = { stops: 'async' };
const rules: Omit<SpecRules<Logic>, 'significantAllowed'> = {
  isLogic: (l): l is Logic => typeof l === 'object' && l !== null && 'stops' in l,
  typeOf: () => 'worker',
  idProblem: () => undefined,
};

/** One incarnation of a fake child; `stop()` completes at once or when the test calls `exit`. */
class FakeChild implements ChildHandle<string> {
  readonly ref: string;
  readonly log: string[];
  readonly #fixture: Fixture;
  readonly #id: string;
  readonly #async: boolean;

  constructor(fixture: Fixture, id: string, ref: string, async: boolean) {
    this.#fixture = fixture;
    this.#id = id;
    this.ref = ref;
    this.#async = async;
    this.log = fixture.log;
  }

  /** Makes `stop()` throw, as a buggy handle would. */
  failStop = false;

  stop(): void {
    this.log.push(`stop ${this.ref}`);
    if (this.failStop) throw new Error('stop exploded');
    if (!this.#async) this.exit('shutdown');
  }

  kill(): void {
    this.log.push(`kill ${this.ref}`);
    this.exit('killed');
  }

  restart(): void {
    this.log.push(`restart ${this.ref}`);
  }

  release(reason: ExitReason): void {
    this.log.push(`release ${this.ref} ${short(reason)}`);
  }

  /** The child's body ends (by itself, or completing a requested stop). */
  exit(reason: ExitReason): void {
    this.#fixture.core.childExited(this.#id, this.ref, reason);
  }
}

class Fixture implements SupervisorHost<Logic, string> {
  readonly clock = new SimulatedClock();
  readonly name = 'sup';
  readonly log: string[] = [];
  readonly children = new Map<string, FakeChild>();
  readonly exits: ExitReason[] = [];
  readonly core: SupervisorCore<Logic, string>;
  #spawned = 0;

  constructor(flags: SupervisorFlags<Logic>) {
    this.core = new SupervisorCore(resolveFlags(flags, rules), rules, this);
  }

  spawn(spec: ResolvedSpec<Logic>): ChildHandle<string> {
    const ref = `${spec.id}#${++this.#spawned}`;
    this.log.push(`spawn ${ref}`);
    const child = new FakeChild(this, spec.id, ref, spec.logic.stops === 'async');
    this.children.set(spec.id, child);
    return child;
  }

  report(action: string, child: string | undefined, reason?: ExitReason, detail?: string): void {
    this.log.push([`[${action}]`, child, reason === undefined ? undefined : short(reason), detail].filter(Boolean).join(' '));
  }

  exit(reason: ExitReason): void {
    this.log.push(`exit ${short(reason)}`);
    this.exits.push(reason);
  }

  child(id: string): FakeChild {
    return this.children.get(id) as FakeChild;
  }
}

function spec(id: string, logic: Logic, extra: Partial<ChildSpec<Logic>> = {}): ChildSpec<Logic> {
  return { id, logic, ...extra };
}

/** Collects call results. */
function results<T>() {
  const got: CallResult<T>[] = [];
  return { got, reply: (r: CallResult<T>) => got.push(r), codes: () => got.map((r) => (r.ok ? 'ok' : (r.error as TroupeError).code)) };
}

describe('SupervisorCore', () => {
  describe('#terminateChild', () => {
    it('waits for a child that stops within shutdownMs, without killing it', () => {
      const f = new Fixture({ children: [spec('a', asyncLogic, { shutdownMs: 100 })] });
      f.core.start();
      const r = results<undefined>();
      f.core.terminateChild('a', r.reply);
      expect(r.got).toEqual([]);
      f.clock.advance(99);
      f.child('a').exit('shutdown');
      f.clock.advance(1000);
      expect(r.codes()).toEqual(['ok']);
      expect(f.log).toMatchInlineSnapshot(`
        [
          "spawn a#1",
          "stop a#1",
          "[child-terminated] a shutdown",
          "release a#1 shutdown",
        ]
      `);
    });

    it('kills a child that outlives its shutdownMs', () => {
      const f = new Fixture({ children: [spec('a', asyncLogic, { shutdownMs: 100 })] });
      f.core.start();
      const r = results<undefined>();
      f.core.terminateChild('a', r.reply);
      f.clock.advance(99);
      expect(r.got).toEqual([]);
      f.clock.advance(1);
      expect(r.codes()).toEqual(['ok']);
      expect(f.log.slice(1)).toMatchInlineSnapshot(`
        [
          "stop a#1",
          "kill a#1",
          "[child-terminated] a killed",
          "release a#1 killed",
        ]
      `);
    });

    it("'brutal' kills at once, without asking", () => {
      const f = new Fixture({ children: [spec('a', asyncLogic, { shutdownMs: 'brutal' })] });
      f.core.start();
      const r = results<undefined>();
      f.core.terminateChild('a', r.reply);
      expect(r.codes()).toEqual(['ok']);
      expect(f.log.slice(1)).toMatchInlineSnapshot(`
        [
          "kill a#1",
          "[child-terminated] a killed",
          "release a#1 killed",
        ]
      `);
    });

    it('with Infinity, waits as long as it takes and arms no timer', () => {
      const f = new Fixture({ children: [spec('a', asyncLogic, { shutdownMs: Infinity })] });
      f.core.start();
      const r = results<undefined>();
      f.core.terminateChild('a', r.reply);
      expect(f.clock.pending).toBe(0);
      f.clock.advance(1e9);
      expect(r.got).toEqual([]);
      f.child('a').exit('shutdown');
      expect(r.codes()).toEqual(['ok']);
      expect(f.log.filter((l) => l.startsWith('kill'))).toEqual([]);
    });
  });

  describe('operations', () => {
    it('handles a failure reported during an asynchronous group restart after that restart', () => {
      const f = new Fixture({
        strategy: 'one-for-all',
        intensity: 5,
        children: [spec('a', syncLogic), spec('b', syncLogic), spec('c', asyncLogic)],
      });
      f.core.start();
      f.log.length = 0;
      f.child('a').exit({ error: new Error('a failed') }); // stops c (pending), then b, then restarts all
      f.child('b').exit({ error: new Error('b failed meanwhile') });
      const which = results<unknown>();
      f.core.whichChildren(which.reply);
      expect(which.got).toEqual([]); // queued behind the restart
      f.child('c').exit('shutdown');
      expect(which.codes()).toEqual(['ok']);
      // b's own failure was absorbed by the group restart: one restart each, no second round.
      expect(f.log).toMatchInlineSnapshot(`
        [
          "[child-terminated] a error(a failed)",
          "stop c#3",
          "[child-terminated] c shutdown",
          "[child-terminated] b error(b failed meanwhile)",
          "restart a#1",
          "[restart] a",
          "restart b#2",
          "[restart] b",
          "restart c#3",
          "[restart] c",
        ]
      `);
    });

    it('does not restart a child that exits by itself while the supervisor shuts down', () => {
      const f = new Fixture({ intensity: 0, children: [spec('a', syncLogic), spec('b', asyncLogic), spec('c', syncLogic)] });
      f.core.start();
      f.log.length = 0;
      f.child('c').exit({ error: new Error('c failed') }); // intensity 0: escalate, stop b then a
      f.child('a').exit({ error: new Error('a failed on its own') }); // while b's stop is pending
      f.child('b').exit('shutdown');
      expect(f.log).toMatchInlineSnapshot(`
        [
          "[child-terminated] c error(c failed)",
          "[escalate] c error(c failed) reached max restart intensity: more than 0 restarts within 5000 ms",
          "release c#3 error(c failed)",
          "[shutdown] error(TROUPE_ERR_RESTART_INTENSITY)",
          "stop b#2",
          "[child-terminated] b shutdown",
          "release b#2 shutdown",
          "[child-terminated] a error(a failed on its own)",
          "release a#1 error(a failed on its own)",
          "exit error(TROUPE_ERR_RESTART_INTENSITY)",
        ]
      `);
      expect(f.exits).toHaveLength(1);
    });

    it('kills children whose stop is pending when the supervisor itself is terminated', () => {
      const f = new Fixture({ children: [spec('a', syncLogic), spec('b', asyncLogic, { shutdownMs: Infinity })] });
      f.core.start();
      const r = results<undefined>();
      f.core.terminateChild('b', r.reply);
      const queued = results<unknown>();
      f.core.countChildren(queued.reply);
      f.log.length = 0;
      f.core.terminateAll();
      expect(f.log).toMatchInlineSnapshot(`
        [
          "[shutdown]",
          "kill b#2",
          "[child-terminated] b killed",
          "release b#2 killed",
          "stop a#1",
          "[child-terminated] a shutdown",
          "release a#1 shutdown",
        ]
      `);
      expect(queued.codes()).toEqual(['TROUPE_ERR_ACTOR_STOPPED']);
      expect(f.clock.pending).toBe(0);
      const late = results<unknown>();
      f.core.whichChildren(late.reply);
      expect(late.codes()).toEqual(['TROUPE_ERR_ACTOR_STOPPED']);
    });

    it('cancels pending restarts when terminated', () => {
      const f = new Fixture({ backoff: { minMs: 100, jitter: 0 }, children: [spec('a', syncLogic)] });
      f.core.start();
      f.child('a').exit({ error: new Error('x') });
      expect(f.clock.pending).toBe(1);
      f.core.terminateAll();
      expect(f.clock.pending).toBe(0);
      f.clock.advance(1000);
      expect(f.log.filter((l) => l.startsWith('restart'))).toEqual([]);
    });

    it('treats a child that finishes during its own start as started, then exited', () => {
      const f = new Fixture({ children: [spec('t', syncLogic, { restart: 'transient' })] });
      const original = f.spawn.bind(f);
      f.spawn = (s) => {
        const child = original(s) as FakeChild;
        child.exit('normal'); // reported while the core is still inside spawn()
        return child;
      };
      f.core.start();
      expect(f.exits).toEqual([]);
      const r = results<unknown>();
      f.core.whichChildren(r.reply);
      expect(r.got).toEqual([{ ok: true, value: [{ id: 't', status: 'stopped', type: 'worker' }] }]);
    });

    it('treats a spawn that throws as a start failure', () => {
      const f = new Fixture({ children: [spec('a', syncLogic)] });
      f.spawn = () => {
        throw new Error('no room');
      };
      f.core.start();
      expect(f.exits.map(short)).toEqual(['error(TROUPE_ERR_START_FAILED)']);
    });
  });
  describe('unexpected throws', () => {
    it("crashes the supervisor when a child's stop throws, instead of freezing it", () => {
      const f = new Fixture({ children: [spec('a', syncLogic), spec('b', syncLogic)] });
      f.core.start();
      f.child('b').failStop = true;
      f.log.length = 0;
      const r = results<undefined>();
      expect(() => f.core.terminateChild('b', r.reply)).not.toThrow();
      expect(f.exits.map(short)).toEqual(['error(stop exploded)']);
      expect(r.codes()).toEqual(['TROUPE_ERR_ACTOR_STOPPED']);
      expect(f.core.stopped).toBe(true);
      expect(f.log).toMatchInlineSnapshot(`
        [
          "stop b#2",
          "[shutdown] error(stop exploded)",
          "kill b#2",
          "[child-terminated] b killed",
          "release b#2 killed",
          "stop a#1",
          "[child-terminated] a shutdown",
          "release a#1 shutdown",
          "exit error(stop exploded)",
        ]
      `);
      const later = results<unknown>();
      f.core.whichChildren(later.reply);
      expect(later.codes()).toEqual(['TROUPE_ERR_ACTOR_STOPPED']);
    });

    it('crashes the supervisor when a throw comes from a step that resumed after an asynchronous stop', () => {
      const f = new Fixture({
        strategy: 'one-for-all',
        intensity: 5,
        children: [spec('a', syncLogic), spec('b', syncLogic), spec('c', asyncLogic)],
      });
      f.core.start();
      f.child('a').exit({ error: new Error('a failed') }); // stops c (pending), then b
      const queued = results<unknown>();
      f.core.countChildren(queued.reply);
      f.child('b').failStop = true;
      f.log.length = 0;
      expect(() => f.child('c').exit('shutdown')).not.toThrow();
      expect(f.exits.map(short)).toEqual(['error(stop exploded)']);
      expect(queued.codes()).toEqual(['TROUPE_ERR_ACTOR_STOPPED']);
      expect(f.log).toMatchInlineSnapshot(`
        [
          "[child-terminated] c shutdown",
          "stop b#2",
          "[shutdown] error(stop exploded)",
          "release c#3 shutdown",
          "kill b#2",
          "[child-terminated] b killed",
          "release b#2 killed",
          "release a#1 shutdown",
          "exit error(stop exploded)",
        ]
      `);
      expect(f.clock.pending).toBe(0);
    });
  });

  describe('a child whose exit is not decided yet', () => {
    // OTP: the 'EXIT' is still in the mailbox behind the call, so the child's pid is still set.
    it('counts as started for calls queued before its exit: active, already started, running', () => {
      const f = new Fixture({ children: [spec('a', syncLogic), spec('b', asyncLogic, { shutdownMs: Infinity })] });
      f.core.start();
      f.core.terminateChild('b', () => {}); // pending: the calls below wait behind it
      const counts = results<unknown>();
      const started = results<string>();
      const restarted = results<string>();
      const deleted = results<undefined>();
      const which = results<unknown>();
      f.core.countChildren(counts.reply);
      f.core.startChild(spec('a', syncLogic), started.reply);
      f.core.restartChild('a', restarted.reply);
      f.core.deleteChild('a', deleted.reply);
      f.core.whichChildren(which.reply);
      f.child('a').exit({ error: new Error('a failed') }); // decided after the calls
      f.child('b').exit('shutdown');
      expect(counts.got).toEqual([{ ok: true, value: { specs: 2, active: 1, supervisors: 0, workers: 2 } }]);
      expect([started.codes(), restarted.codes(), deleted.codes()]).toEqual([
        ['TROUPE_ERR_ALREADY_STARTED'],
        ['TROUPE_ERR_RUNNING'],
        ['TROUPE_ERR_RUNNING'],
      ]);
      expect(which.got).toEqual([
        {
          ok: true,
          value: [
            { id: 'a', ref: 'a#1', status: 'running', type: 'worker' },
            { id: 'b', status: 'stopped', type: 'worker' },
          ],
        },
      ]);
      expect(f.log.slice(-2)).toEqual(['restart a#1', '[restart] a']);
    });
  });
});
