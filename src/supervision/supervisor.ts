import { createError } from '../errors.js';
import { causeOf, describeReason, type ExitReason } from '../util/exit-reason.js';
import { ChildOps } from './child-ops.js';
import { type ChildCounts, type ChildHandle, type ChildInfo, ChildRecord } from './child-record.js';
import type { SpecRules } from './child-spec.js';
import { shouldRestart } from './restart-decider.js';
import { RestartWindow } from './restart-window.js';
import { SerialQueue } from './serial-queue.js';
import { strategyFor } from './strategies.js';
import type { Supervisor, SupervisorStrategy } from './strategy.js';
import { SupervisorCalls } from './supervisor-calls.js';
import type { ResolvedFlags } from './supervisor-flags.js';
import type { CallResult, SupervisorAction, SupervisorContext, SupervisorHost, SupervisorPhase } from './supervisor-host.js';

export type { CallResult, SupervisorAction, SupervisorHost, SupervisorPhase } from './supervisor-host.js';

/**
 * OTP's supervisor over a narrow interface: starts children in spec order, applies restart types,
 * the strategy and the restart intensity when one exits, stops them in reverse order, and answers
 * the administrative calls. Everything it does to a child goes through {@link ChildHandle}; every
 * decision runs as one operation at a time, so a child exit reported in the middle of a restart is
 * handled after it (as OTP's supervisor handles an `'EXIT'` after the call in progress).
 *
 * @example
 * ```ts
 * const core = new SupervisorCore(resolveFlags(flags, rules), rules, host);
 * core.start();
 * core.childExited('db', dbRef, { error }); // restarts db (and its group) or escalates
 * ```
 */
export class SupervisorCore<TLogic, TRef> {
  readonly #flags: ResolvedFlags<TLogic>;
  readonly #host: SupervisorHost<TLogic, TRef>;
  readonly #strategy: SupervisorStrategy;
  readonly #window: RestartWindow;
  readonly #children = new Map<string, ChildRecord<TLogic, TRef>>();
  readonly #view: Supervisor<ChildRecord<TLogic, TRef>>;
  readonly #ops: ChildOps<TLogic, TRef>;
  readonly #calls: SupervisorCalls<TLogic, TRef>;
  #phase: SupervisorPhase = 'idle';
  /** Decisions and calls, one at a time; one that throws crashes the supervisor. */
  readonly #queue = new SerialQueue((error) => this.#crash(error));
  /** Bumped when the supervisor dies, so a pending stop sequence does not continue. */
  #epoch = 0;

  constructor(flags: ResolvedFlags<TLogic>, rules: Omit<SpecRules<TLogic>, 'significantAllowed'>, host: SupervisorHost<TLogic, TRef>) {
    this.#flags = flags;
    this.#host = host;
    this.#strategy = strategyFor(flags.strategy);
    this.#window = new RestartWindow(flags.intensity, flags.periodMs, host.clock);
    const children = this.#children;
    this.#view = {
      children: () => [...children.values()],
      startedFrom: (child) => {
        const from: ChildRecord<TLogic, TRef>[] = [];
        for (const r of children.values()) if (from.length > 0 || r === child) from.push(r);
        return from;
      },
    };
    const context: SupervisorContext<TLogic, TRef> = {
      host,
      flags,
      children,
      phase: () => this.#phase,
      epoch: () => this.#epoch,
      run: (run, abort) => this.#run(run, abort),
      guard: (step) => this.#guard(step),
      exitedAtStart: (rec, reason) => this.#run((done) => this.#handleExit(rec, reason, done)),
    };
    this.#ops = new ChildOps(context);
    this.#calls = new SupervisorCalls(context, this.#ops, rules);
  }

  /** True once the supervisor stopped for good. */
  get stopped(): boolean {
    return this.#phase === 'dead';
  }

  /** Starts the children in spec order. If one fails to start, stops the others in reverse order and exits. */
  start(): void {
    if (this.#phase !== 'idle') return;
    this.#phase = 'active';
    for (const spec of this.#flags.children) this.#children.set(spec.id, new ChildRecord(spec));
    this.#run((done) => {
      for (const rec of this.#children.values()) {
        const failure = this.#ops.startOne(rec);
        if (failure === undefined) continue;
        this.#report('start-failed', rec.id, failure);
        this.#ops.release(rec, failure);
        const error = createError(
          'TROUPE_ERR_START_FAILED',
          `${this.#host.name}: child ${rec.id} failed to start (${describeReason(failure)})`,
          causeOf(failure),
        );
        this.#shutdown({ error }, done);
        return;
      }
      done();
    });
  }

  /**
   * A child's body ended: by itself, or because it was asked to. Returns false when `id`/`ref` is not
   * one of this supervisor's children (the caller handles it).
   */
  childExited(id: string, ref: TRef, reason: ExitReason): boolean {
    const rec = this.#children.get(id);
    if (rec === undefined) return false;
    if (rec.state === 'starting') {
      rec.early ??= reason;
      return true;
    }
    if (rec.handle === undefined || rec.handle.ref !== ref) return false;
    // What follows may resume an operation that waited for this stop: a throw there is the
    // supervisor's crash, never the caller's (a cell's exit path, an XState observer).
    this.#guard(() => {
      if (rec.state === 'stopping') {
        this.#ops.stopped(rec, reason);
      } else if (rec.state === 'running') {
        rec.state = 'exited';
        rec.exitReason = reason;
        if (this.#phase === 'dead') this.#ops.release(rec, reason);
        else this.#run((done) => this.#handleExit(rec, reason, done));
      }
    });
    return true;
  }

  /**
   * Stops every child now, in reverse start order, and cancels pending restarts: the supervisor
   * itself is ending and cannot wait. A child that does not stop when asked is killed.
   */
  terminateAll(): void {
    if (this.#phase === 'dead') return;
    const announced = this.#phase === 'stopping';
    this.#phase = 'dead';
    this.#epoch++;
    this.#queue.close();
    const all = [...this.#children.values()].reverse();
    if (!announced && all.length > 0) this.#report('shutdown', undefined);
    for (const rec of all) this.#ops.terminateNow(rec);
  }

  // ---- administration (OTP's start_child, terminate_child, …) ----

  startChild(spec: unknown, reply: (result: CallResult<TRef>) => void): void {
    this.#calls.startChild(spec, reply);
  }

  restartChild(id: string, reply: (result: CallResult<TRef>) => void): void {
    this.#calls.restartChild(id, reply);
  }

  terminateChild(id: string, reply: (result: CallResult<undefined>) => void): void {
    this.#calls.terminateChild(id, reply);
  }

  deleteChild(id: string, reply: (result: CallResult<undefined>) => void): void {
    this.#calls.deleteChild(id, reply);
  }

  whichChildren(reply: (result: CallResult<ChildInfo<TRef>[]>) => void): void {
    this.#calls.whichChildren(reply);
  }

  countChildren(reply: (result: CallResult<ChildCounts>) => void): void {
    this.#calls.countChildren(reply);
  }

  // ---- decisions ----

  #handleExit(rec: ChildRecord<TLogic, TRef>, reason: ExitReason, done: () => void): void {
    // Superseded: stopped, restarted or deleted by an operation that ran before this one.
    if (rec.state !== 'exited' || this.#children.get(rec.id) !== rec) {
      done();
      return;
    }
    this.#report('child-terminated', rec.id, reason);
    if (this.#phase !== 'active') {
      this.#ops.release(rec, reason);
      done();
      return;
    }
    if (shouldRestart(rec.spec.restart, reason)) {
      this.#restart(rec, reason, done);
      return;
    }
    this.#ops.release(rec, reason);
    if (rec.spec.significant && this.#autoShutdownDue()) {
      this.#report('auto-shutdown', rec.id, reason);
      this.#shutdown('shutdown', done);
      return;
    }
    done();
  }

  /** `rec` ended (or failed to start) and must come back: count it, then restart its strategy group. */
  #restart(rec: ChildRecord<TLogic, TRef>, reason: ExitReason, done: () => void): void {
    if (!this.#window.record()) {
      this.#escalate(rec, reason, done);
      return;
    }
    const group = this.#strategy.restartGroup(this.#view, rec);
    const others = group.filter((r) => r !== rec).reverse();
    this.#ops.stopEach(others, 'keep', () => {
      const members = group.filter((r) => this.#children.get(r.id) === r && !r.alive);
      for (const m of members) {
        // This restart supersedes any restart the member was already waiting for.
        this.#ops.cancelPending(m);
        m.state = 'restarting';
      }
      const delay = this.#ops.delayFor(rec);
      if (delay === undefined) {
        this.#startGroup(members);
      } else {
        this.#report('restart-scheduled', rec.id, reason, `in ${delay} ms`);
        this.#ops.schedule(members, delay, (due, next) => {
          this.#startGroup(due);
          next();
        });
      }
      done();
    });
  }

  /**
   * Starts a restart group in start order. On the first failure, that child waits for a retry (OTP's
   * try_again_restart) and the members after it are left `stopped`, as OTP leaves their pid
   * undefined: the retry's group restarts them, and until then `restartChild` and `deleteChild` work.
   */
  #startGroup(members: readonly ChildRecord<TLogic, TRef>[]): void {
    for (let i = 0; i < members.length; i++) {
      const rec = members[i];
      if (this.#phase !== 'active') return;
      if (this.#children.get(rec.id) !== rec || rec.state !== 'restarting') continue;
      const failure = this.#ops.startOne(rec);
      if (failure === undefined) {
        this.#report('restart', rec.id);
        continue;
      }
      this.#report('start-failed', rec.id, failure);
      for (const rest of members.slice(i + 1)) {
        // They keep their cell (address, queued messages) for the restart in place that follows.
        if (this.#children.get(rest.id) === rest && rest.state === 'restarting') rest.state = 'stopped';
      }
      // Retry on the next clock turn, to let calls in (as OTP casts try_again_restart to itself);
      // the retry is a restart like any other, so #restart counts it and applies the backoff, once.
      this.#ops.schedule([rec], 0, (due, next) => {
        if (due.length === 0 || rec.state !== 'restarting' || this.#children.get(rec.id) !== rec) return next();
        this.#restart(rec, failure, next);
      });
      return;
    }
  }

  #escalate(rec: ChildRecord<TLogic, TRef>, reason: ExitReason, done: () => void): void {
    const { intensity, periodMs } = this.#flags;
    const limit = `more than ${intensity} restart${intensity === 1 ? '' : 's'} within ${periodMs} ms`;
    this.#report('escalate', rec.id, reason, `reached max restart intensity: ${limit}`);
    this.#ops.release(rec, reason);
    const error = createError(
      'TROUPE_ERR_RESTART_INTENSITY',
      `${this.#host.name} reached max restart intensity (${limit}); last: ${rec.id} ${describeReason(reason)}`,
      causeOf(reason),
    );
    this.#shutdown({ error }, done);
  }

  /** The supervisor ends by its own decision: stop every child in reverse order, then exit. */
  #shutdown(reason: ExitReason, done: () => void): void {
    if (this.#phase === 'dead') {
      done();
      return;
    }
    this.#phase = 'stopping';
    this.#report('shutdown', undefined, reason);
    for (const rec of this.#children.values()) this.#ops.cancelPending(rec);
    this.#ops.stopEach([...this.#children.values()].reverse(), 'release', () => {
      this.#phase = 'dead';
      // Closing abandons this operation (done() is not needed) and answers queued calls.
      this.#queue.close();
      this.#host.exit(reason);
    });
  }

  #autoShutdownDue(): boolean {
    switch (this.#flags.autoShutdown) {
      case 'never':
        return false;
      case 'any-significant':
        return true;
      case 'all-significant':
        for (const r of this.#children.values()) if (r.spec.significant && r.state !== 'stopped') return false;
        return true;
    }
  }

  /** Runs `step`, turning a throw into the supervisor's crash. */
  #guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.#crash(error);
    }
  }

  /**
   * Something threw where nothing should (a bug, or a child handle that failed): the supervisor
   * crashes like any actor whose code throws, so its parent decides. Its children stop (killed if
   * stopping them throws), queued calls are answered, and nothing is thrown to the caller.
   */
  #crash(error: unknown): void {
    if (this.#phase === 'dead') return;
    const reason: ExitReason = { error };
    try {
      if (this.#phase !== 'stopping') {
        this.#phase = 'stopping';
        this.#report('shutdown', undefined, reason);
      }
    } catch {
      // Reporting failed too: stop the children and exit all the same.
    }
    this.terminateAll();
    try {
      this.#host.exit(reason);
    } catch {
      // The host could not take the exit either; the supervisor is stopped all the same.
    }
  }

  /** Queues a decision or call behind the one in progress. */
  #run(run: (done: () => void) => void, abort?: () => void): void {
    this.#queue.run(run, abort);
  }

  #report(action: SupervisorAction, child: string | undefined, reason?: ExitReason, detail?: string): void {
    this.#host.report(action, child, reason, detail);
  }
}
