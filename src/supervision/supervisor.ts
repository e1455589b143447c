import { type ErrorCode, TroupeError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { type ChildCounts, type ChildHandle, type ChildInfo, ChildRecord, type PendingRestart, type RecordState } from './child-record.js';
import { type ResolvedSpec, resolveChildSpec, type SpecRules } from './child-spec.js';
import { type ChildExitReason, describeExit, isCrashReason } from './exit.js';
import { RestartBackoff } from './restart-backoff.js';
import { shouldRestart } from './restart-decider.js';
import { RestartWindow } from './restart-window.js';
import { SerialQueue } from './serial-queue.js';
import { type Supervisor, type SupervisorStrategy, strategyFor } from './strategy.js';
import type { ResolvedFlags } from './supervisor-flags.js';

/** What a supervisor reports to observers (the actors layer turns it into `@troupe.supervisor`). */
export type SupervisorAction =
  | 'restart'
  | 'restart-scheduled'
  | 'escalate'
  | 'shutdown'
  | 'child-terminated'
  | 'auto-shutdown'
  | 'start-failed';

/** What the supervision logic needs from the layer that runs children. */
export interface SupervisorHost<TLogic, TRef> {
  readonly clock: Clock;
  /** The supervisor's name in messages (its address). */
  readonly name: string;
  /** Starts a fresh child. A crash during its start is reported through `childExited` before this returns. */
  spawn(spec: ResolvedSpec<TLogic>): ChildHandle<TRef>;
  report(action: SupervisorAction, child: string | undefined, reason?: ChildExitReason, detail?: string): void;
  /** The supervisor gives up (start failure, intensity, auto-shutdown); its children are already stopped. */
  exit(reason: ChildExitReason): void;
}

/** The outcome of an administrative call, as OTP's `{ok, …} | {error, …}`. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: TroupeError };

type Phase = 'idle' | 'active' | 'stopping' | 'dead';

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
  readonly #rules: Omit<SpecRules<TLogic>, 'significantAllowed'>;
  readonly #host: SupervisorHost<TLogic, TRef>;
  readonly #strategy: SupervisorStrategy;
  readonly #window: RestartWindow;
  readonly #children = new Map<string, ChildRecord<TLogic, TRef>>();
  readonly #view: Supervisor<ChildRecord<TLogic, TRef>>;
  #phase: Phase = 'idle';
  /** Decisions and calls, one at a time; one that throws crashes the supervisor. */
  readonly #queue = new SerialQueue((error) => this.#crash(error));
  /** Bumped when the supervisor dies, so a pending stop sequence does not continue. */
  #epoch = 0;

  constructor(flags: ResolvedFlags<TLogic>, rules: Omit<SpecRules<TLogic>, 'significantAllowed'>, host: SupervisorHost<TLogic, TRef>) {
    this.#flags = flags;
    this.#rules = rules;
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
        const failure = this.#startOne(rec);
        if (failure === undefined) continue;
        this.#report('start-failed', rec.id, failure);
        this.#release(rec, failure);
        const error = new TroupeError(
          'TROUPE_ERR_START_FAILED',
          `${this.#host.name}: child ${rec.id} failed to start (${describeExit(failure)})`,
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
  childExited(id: string, ref: TRef, reason: ChildExitReason): boolean {
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
        const onStopped = rec.onStopped;
        rec.onStopped = undefined;
        this.#clearKillTimer(rec);
        onStopped?.(reason);
      } else if (rec.state === 'running') {
        rec.state = 'exited';
        rec.exitReason = reason;
        if (this.#phase === 'dead') this.#release(rec, reason);
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
    // The supervisor is ending: a child handle that throws must not keep the others running.
    const attempt = (step: () => void): void => {
      try {
        step();
      } catch {
        // Go on with the next step: kill after a failed stop, release after a failed kill.
      }
    };
    for (const rec of all) {
      this.#cancelPending(rec);
      if (rec.state === 'running' || rec.state === 'stopping') {
        const running = rec.state === 'running';
        rec.state = 'stopping';
        rec.onStopped = (reason) => {
          this.#report('child-terminated', rec.id, reason);
          this.#release(rec, reason);
        };
        if (running && rec.spec.shutdownMs !== 'brutal') attempt(() => rec.handle?.stop());
        if (rec.state === 'stopping') attempt(() => rec.handle?.kill());
        if (rec.state === 'stopping') attempt(() => this.#release(rec, 'killed'));
      } else if (rec.handle !== undefined) {
        attempt(() => this.#release(rec, 'shutdown'));
      }
    }
  }

  // ---- administration (OTP's start_child, terminate_child, …) ----

  startChild(spec: unknown, reply: (result: CallResult<TRef>) => void): void {
    let resolved: ResolvedSpec<TLogic>;
    try {
      resolved = resolveChildSpec(spec, { ...this.#rules, significantAllowed: this.#flags.autoShutdown !== 'never' });
    } catch (error) {
      reply({ ok: false, error: error as TroupeError });
      return;
    }
    this.#call(reply, () => {
      const existing = this.#children.get(resolved.id);
      if (existing !== undefined) {
        return existing.running
          ? this.#error('TROUPE_ERR_ALREADY_STARTED', `child ${resolved.id} is already started`)
          : this.#error('TROUPE_ERR_ALREADY_PRESENT', `child ${resolved.id} is already present (not running)`);
      }
      const rec = new ChildRecord<TLogic, TRef>(resolved);
      this.#children.set(rec.id, rec);
      return this.#startRequested(rec, true);
    });
  }

  restartChild(id: string, reply: (result: CallResult<TRef>) => void): void {
    this.#call(reply, () => {
      const rec = this.#children.get(id);
      if (rec === undefined) return this.#error('TROUPE_ERR_NOT_FOUND', `no child ${id}`);
      if (rec.running) return this.#error('TROUPE_ERR_RUNNING', `child ${id} is running`);
      if (rec.state !== 'stopped') return this.#error('TROUPE_ERR_RESTARTING', `child ${id} is restarting`);
      return this.#startRequested(rec, false);
    });
  }

  terminateChild(id: string, reply: (result: CallResult<undefined>) => void): void {
    if (this.#phase === 'dead') {
      this.#deadReply(reply);
      return;
    }
    this.#run(
      (done) => {
        const rec = this.#children.get(id);
        if (rec === undefined) {
          reply(this.#error('TROUPE_ERR_NOT_FOUND', `no child ${id}`));
          return done();
        }
        this.#stopChild(rec, 'release', () => {
          reply({ ok: true, value: undefined });
          done();
        });
      },
      () => this.#deadReply(reply),
    );
  }

  deleteChild(id: string, reply: (result: CallResult<undefined>) => void): void {
    this.#call(reply, () => {
      const rec = this.#children.get(id);
      if (rec === undefined) return this.#error('TROUPE_ERR_NOT_FOUND', `no child ${id}`);
      if (rec.running) return this.#error('TROUPE_ERR_RUNNING', `child ${id} is running`);
      if (rec.state !== 'stopped') return this.#error('TROUPE_ERR_RESTARTING', `child ${id} is restarting`);
      // A child left unstarted by a failed group restart still holds its cell: end it.
      if (rec.handle !== undefined) this.#release(rec, 'shutdown');
      this.#children.delete(id);
      return { ok: true, value: undefined };
    });
  }

  whichChildren(reply: (result: CallResult<ChildInfo<TRef>[]>) => void): void {
    this.#call(reply, () => ({ ok: true, value: [...this.#children.values()].map((r) => r.info()) }));
  }

  countChildren(reply: (result: CallResult<ChildCounts>) => void): void {
    this.#call(reply, () => {
      const counts: ChildCounts = { specs: 0, active: 0, supervisors: 0, workers: 0 };
      for (const r of this.#children.values()) {
        counts.specs++;
        if (r.running) counts.active++;
        if (r.spec.type === 'supervisor') counts.supervisors++;
        else counts.workers++;
      }
      return { ok: true, value: counts };
    });
  }

  // ---- decisions ----

  #handleExit(rec: ChildRecord<TLogic, TRef>, reason: ChildExitReason, done: () => void): void {
    // Superseded: stopped, restarted or deleted by an operation that ran before this one.
    if (rec.state !== 'exited' || this.#children.get(rec.id) !== rec) {
      done();
      return;
    }
    this.#report('child-terminated', rec.id, reason);
    if (this.#phase !== 'active') {
      this.#release(rec, reason);
      done();
      return;
    }
    if (shouldRestart(rec.spec.restart, reason)) {
      this.#restart(rec, reason, done);
      return;
    }
    this.#release(rec, reason);
    if (rec.spec.significant && this.#autoShutdownDue()) {
      this.#report('auto-shutdown', rec.id, reason);
      this.#shutdown('shutdown', done);
      return;
    }
    done();
  }

  /** `rec` ended (or failed to start) and must come back: count it, then restart its strategy group. */
  #restart(rec: ChildRecord<TLogic, TRef>, reason: ChildExitReason, done: () => void): void {
    if (!this.#window.record()) {
      this.#escalate(rec, reason, done);
      return;
    }
    const group = this.#strategy.restartGroup(this.#view, rec);
    const others = group.filter((r) => r !== rec).reverse();
    this.#stopEach(others, 'keep', () => {
      const members = group.filter((r) => this.#children.get(r.id) === r && !r.alive);
      for (const m of members) {
        // This restart supersedes any restart the member was already waiting for.
        this.#cancelPending(m);
        m.state = 'restarting';
      }
      const delay = this.#delayFor(rec);
      if (delay === undefined) {
        this.#startGroup(members);
      } else {
        this.#report('restart-scheduled', rec.id, reason, `in ${delay} ms`);
        this.#schedule(members, delay, (due, next) => {
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
      const failure = this.#startOne(rec);
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
      this.#schedule([rec], 0, (due, next) => {
        if (due.length === 0 || rec.state !== 'restarting' || this.#children.get(rec.id) !== rec) return next();
        this.#restart(rec, failure, next);
      });
      return;
    }
  }

  #escalate(rec: ChildRecord<TLogic, TRef>, reason: ChildExitReason, done: () => void): void {
    const { intensity, periodMs } = this.#flags;
    const limit = `more than ${intensity} restart${intensity === 1 ? '' : 's'} within ${periodMs} ms`;
    this.#report('escalate', rec.id, reason, `reached max restart intensity: ${limit}`);
    this.#release(rec, reason);
    const error = new TroupeError(
      'TROUPE_ERR_RESTART_INTENSITY',
      `${this.#host.name} reached max restart intensity (${limit}); last: ${rec.id} ${describeExit(reason)}`,
      causeOf(reason),
    );
    this.#shutdown({ error }, done);
  }

  /** The supervisor ends by its own decision: stop every child in reverse order, then exit. */
  #shutdown(reason: ChildExitReason, done: () => void): void {
    if (this.#phase === 'dead') {
      done();
      return;
    }
    this.#phase = 'stopping';
    this.#report('shutdown', undefined, reason);
    for (const rec of this.#children.values()) this.#cancelPending(rec);
    this.#stopEach([...this.#children.values()].reverse(), 'release', () => {
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

  #delayFor(rec: ChildRecord<TLogic, TRef>): number | undefined {
    const options = this.#flags.backoff;
    if (options === undefined) return undefined;
    rec.backoff ??= new RestartBackoff(options, this.#flags.periodMs);
    return rec.backoff.next(this.#host.clock.now());
  }

  // ---- mechanics ----

  /** Starts or restarts one child; returns why it failed to start, or undefined once it runs. */
  #startOne(rec: ChildRecord<TLogic, TRef>): ChildExitReason | undefined {
    rec.state = 'starting';
    rec.early = undefined;
    let failure: ChildExitReason | undefined;
    try {
      if (rec.handle !== undefined) rec.handle.restart();
      else rec.handle = this.#host.spawn(rec.spec);
    } catch (error) {
      failure = { error };
    }
    const early = rec.early;
    rec.early = undefined;
    if (failure === undefined && early !== undefined && isCrashReason(early)) failure = early;
    if (this.#phase === 'dead') {
      // The supervisor itself was stopped while this child started: it must not outlive it.
      rec.state = 'stopping';
      rec.onStopped = (reason) => this.#release(rec, reason);
      rec.handle?.kill();
      // kill() reports the exit synchronously for local children; release in any case.
      if ((rec.state as RecordState) !== 'stopped') this.#release(rec, 'killed');
      return failure ?? { error: new TroupeError('TROUPE_ERR_ACTOR_STOPPED', `${this.#host.name} stopped while ${rec.id} started`) };
    }
    if (failure !== undefined) {
      rec.state = 'restarting';
      return failure;
    }
    rec.backoff?.started(this.#host.clock.now());
    if (early === undefined) {
      rec.state = 'running';
    } else {
      // It started, then finished at once: an ordinary exit, decided after this operation.
      rec.state = 'exited';
      this.#run((done) => this.#handleExit(rec, early, done));
    }
    return undefined;
  }

  /** A start asked for by `startChild` (`fresh`: drop the spec on failure) or `restartChild`. */
  #startRequested(rec: ChildRecord<TLogic, TRef>, fresh: boolean): CallResult<TRef> {
    const failure = this.#startOne(rec);
    if (failure === undefined) {
      if (!fresh) this.#report('restart', rec.id, undefined, 'requested');
      return { ok: true, value: (rec.handle as ChildHandle<TRef>).ref };
    }
    this.#report('start-failed', rec.id, failure);
    this.#release(rec, failure);
    if (fresh) this.#children.delete(rec.id);
    return this.#error('TROUPE_ERR_START_FAILED', `child ${rec.id} failed to start (${describeExit(failure)})`, failure);
  }

  /**
   * Stops one child with its shutdown setting. `keep`: the stopped child stays, to restart in place
   * (a temporary one is deleted, as OTP's terminate_children does); `release`: it ends for good.
   */
  #stopChild(rec: ChildRecord<TLogic, TRef>, mode: 'keep' | 'release', then: () => void): void {
    const settle = (reason: ChildExitReason) => {
      if (mode === 'release' || rec.spec.restart === 'temporary') this.#release(rec, reason);
      else rec.state = 'restarting';
      then();
    };
    if (rec.state === 'exited') {
      // It ended by itself before its turn came: its queued decision is superseded by this stop.
      const reason = rec.exitReason ?? 'shutdown';
      this.#report('child-terminated', rec.id, reason);
      settle(reason);
      return;
    }
    if (rec.state !== 'running') {
      if (mode === 'release' || rec.state !== 'stopped') settle('shutdown');
      else then();
      return;
    }
    const handle = rec.handle as ChildHandle<TRef>;
    rec.state = 'stopping';
    rec.onStopped = (reason) => {
      this.#report('child-terminated', rec.id, reason);
      settle(reason);
    };
    const shutdownMs = rec.spec.shutdownMs;
    if (shutdownMs === 'brutal') {
      handle.kill();
      return;
    }
    handle.stop();
    if (rec.state === 'stopping' && shutdownMs !== Number.POSITIVE_INFINITY) {
      rec.killTimer = this.#host.clock.setTimeout(() => {
        rec.killTimer = undefined;
        if (rec.state === 'stopping') this.#guard(() => handle.kill());
      }, shutdownMs);
    }
  }

  /** Stops `list` one after another (each waits for the previous), then calls `then`; iterative, so 100k children do not grow the stack. */
  #stopEach(list: readonly ChildRecord<TLogic, TRef>[], mode: 'keep' | 'release', then: () => void): void {
    const epoch = this.#epoch;
    let i = 0;
    const next = (): void => {
      while (i < list.length) {
        const rec = list[i++];
        let stopped = false;
        let waiting = false;
        this.#stopChild(rec, mode, () => {
          stopped = true;
          if (waiting && epoch === this.#epoch) next();
        });
        if (!stopped) {
          waiting = true;
          return;
        }
      }
      if (epoch === this.#epoch) then();
    };
    next();
  }

  #release(rec: ChildRecord<TLogic, TRef>, reason: ChildExitReason): void {
    this.#cancelPending(rec);
    this.#clearKillTimer(rec);
    const handle = rec.handle;
    rec.handle = undefined;
    rec.onStopped = undefined;
    rec.exitReason = undefined;
    rec.state = 'stopped';
    if (rec.spec.restart === 'temporary' && this.#children.get(rec.id) === rec) this.#children.delete(rec.id);
    handle?.release(reason);
  }

  /** Runs `run` after `delay` ms for the members still waiting then (a terminated child leaves the set). */
  #schedule(
    members: readonly ChildRecord<TLogic, TRef>[],
    delay: number,
    run: (due: ChildRecord<TLogic, TRef>[], done: () => void) => void,
  ): void {
    if (this.#phase === 'dead') return;
    const pending: PendingRestart<TLogic, TRef> = { timer: undefined, members: new Set() };
    for (const m of members) {
      this.#cancelPending(m);
      m.pending = pending;
      pending.members.add(m);
    }
    pending.timer = this.#host.clock.setTimeout(() => {
      const due = [...pending.members];
      for (const m of due) m.pending = undefined;
      pending.members.clear();
      if (this.#phase === 'active') this.#run((done) => run(due, done));
    }, delay);
  }

  #cancelPending(rec: ChildRecord<TLogic, TRef>): void {
    const pending = rec.pending;
    if (pending === undefined) return;
    rec.pending = undefined;
    pending.members.delete(rec);
    if (pending.members.size === 0) this.#host.clock.clearTimeout(pending.timer);
  }

  #clearKillTimer(rec: ChildRecord<TLogic, TRef>): void {
    if (rec.killTimer === undefined) return;
    this.#host.clock.clearTimeout(rec.killTimer);
    rec.killTimer = undefined;
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
    const reason: ChildExitReason = { error };
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

  /** A call answered within one synchronous operation. */
  #call<T>(reply: (result: CallResult<T>) => void, body: () => CallResult<T>): void {
    if (this.#phase === 'dead') {
      this.#deadReply(reply);
      return;
    }
    this.#run(
      (done) => {
        let result: CallResult<T>;
        try {
          result = body();
        } catch (error) {
          result = {
            ok: false,
            error: TroupeError.is(error) ? error : new TroupeError('TROUPE_ERR_ACTOR_FAILED', String(error), { cause: error }),
          };
        }
        done();
        reply(result);
      },
      () => this.#deadReply(reply),
    );
  }

  #deadReply<T>(reply: (result: CallResult<T>) => void): void {
    reply(this.#error('TROUPE_ERR_ACTOR_STOPPED', `supervisor ${this.#host.name} has stopped`));
  }

  #error<T>(code: ErrorCode, message: string, reason?: ChildExitReason): CallResult<T> {
    return { ok: false, error: new TroupeError(code, `${this.#host.name}: ${message}`, reason && causeOf(reason)) };
  }

  #report(action: SupervisorAction, child: string | undefined, reason?: ChildExitReason, detail?: string): void {
    this.#host.report(action, child, reason, detail);
  }
}

function causeOf(reason: ChildExitReason): { cause: unknown } | undefined {
  return isCrashReason(reason) ? { cause: reason.error } : undefined;
}
