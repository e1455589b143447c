/** The mechanics of a supervisor's children: start, stop, kill, release, and the timers behind them. */
import { createError } from '../errors.js';
import { type ExitReason, isCrash } from '../util/exit-reason.js';
import type { ChildHandle, ChildRecord, PendingRestart, RecordState } from './child-record.js';
import { RestartBackoff } from './restart-backoff.js';
import type { SupervisorContext } from './supervisor-host.js';

/**
 * Does to one child (or a list, in order) what the supervisor decided: every state change of a
 * {@link ChildRecord} and every call on its {@link ChildHandle} happens here.
 */
export class ChildOps<TLogic, TRef> {
  readonly #sup: SupervisorContext<TLogic, TRef>;

  constructor(sup: SupervisorContext<TLogic, TRef>) {
    this.#sup = sup;
  }

  /** Starts or restarts one child; returns why it failed to start, or undefined once it runs. */
  startOne(rec: ChildRecord<TLogic, TRef>): ExitReason | undefined {
    const { host } = this.#sup;
    rec.state = 'starting';
    rec.early = undefined;
    let failure: ExitReason | undefined;
    try {
      if (rec.handle !== undefined) rec.handle.restart();
      else rec.handle = host.spawn(rec.spec);
    } catch (error) {
      failure = { error };
    }
    const early = rec.early;
    rec.early = undefined;
    if (failure === undefined && early !== undefined && isCrash(early)) failure = early;
    if (this.#sup.phase() === 'dead') {
      // The supervisor itself was stopped while this child started: it must not outlive it.
      rec.state = 'stopping';
      rec.onStopped = (reason) => this.release(rec, reason);
      rec.handle?.kill();
      // kill() reports the exit synchronously for local children; release in any case.
      if ((rec.state as RecordState) !== 'stopped') this.release(rec, 'killed');
      return failure ?? { error: createError('TROUPE_ERR_ACTOR_STOPPED', `${host.name} stopped while ${rec.id} started`) };
    }
    if (failure !== undefined) {
      rec.state = 'restarting';
      return failure;
    }
    rec.backoff?.started(host.clock.now());
    if (early === undefined) {
      rec.state = 'running';
    } else {
      // It started, then finished at once: an ordinary exit, decided after this operation.
      rec.state = 'exited';
      this.#sup.exitedAtStart(rec, early);
    }
    return undefined;
  }

  /**
   * Stops one child with its shutdown setting. `keep`: the stopped child stays, to restart in place
   * (a temporary one is deleted, as OTP's terminate_children does); `release`: it ends for good.
   */
  stopChild(rec: ChildRecord<TLogic, TRef>, mode: 'keep' | 'release', then: () => void): void {
    const settle = (reason: ExitReason) => {
      if (mode === 'release' || rec.spec.restart === 'temporary') this.release(rec, reason);
      else rec.state = 'restarting';
      then();
    };
    if (rec.state === 'exited') {
      // It ended by itself before its turn came: its queued decision is superseded by this stop.
      const reason = rec.exitReason ?? 'shutdown';
      this.#sup.host.report('child-terminated', rec.id, reason);
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
      this.#sup.host.report('child-terminated', rec.id, reason);
      settle(reason);
    };
    const shutdownMs = rec.spec.shutdownMs;
    if (shutdownMs === 'brutal') {
      handle.kill();
      return;
    }
    handle.stop();
    if (rec.state === 'stopping' && shutdownMs !== Number.POSITIVE_INFINITY) {
      rec.killTimer = this.#sup.host.clock.setTimeout(() => {
        rec.killTimer = undefined;
        if (rec.state === 'stopping') this.#sup.guard(() => handle.kill());
      }, shutdownMs);
    }
  }

  /** Stops `list` one after another (each waits for the previous), then calls `then`; iterative, so 100k children do not grow the stack. */
  stopEach(list: readonly ChildRecord<TLogic, TRef>[], mode: 'keep' | 'release', then: () => void): void {
    const sup = this.#sup;
    const epoch = sup.epoch();
    let i = 0;
    const next = (): void => {
      while (i < list.length) {
        const rec = list[i++];
        let stopped = false;
        let waiting = false;
        this.stopChild(rec, mode, () => {
          stopped = true;
          if (waiting && epoch === sup.epoch()) next();
        });
        if (!stopped) {
          waiting = true;
          return;
        }
      }
      if (epoch === sup.epoch()) then();
    };
    next();
  }

  /**
   * Stops `rec` now, without waiting: the supervisor itself is ending. A child that does not stop
   * when asked is killed, and one whose handle throws is released all the same.
   */
  terminateNow(rec: ChildRecord<TLogic, TRef>): void {
    this.cancelPending(rec);
    if (rec.state === 'running' || rec.state === 'stopping') {
      const running = rec.state === 'running';
      rec.state = 'stopping';
      rec.onStopped = (reason) => {
        this.#sup.host.report('child-terminated', rec.id, reason);
        this.release(rec, reason);
      };
      if (running && rec.spec.shutdownMs !== 'brutal') attempt(() => rec.handle?.stop());
      if (rec.state === 'stopping') attempt(() => rec.handle?.kill());
      if (rec.state === 'stopping') attempt(() => this.release(rec, 'killed'));
    } else if (rec.handle !== undefined) {
      attempt(() => this.release(rec, 'shutdown'));
    }
  }

  /** Ends `rec` for good: no body, no timers; a temporary child's spec goes too. */
  release(rec: ChildRecord<TLogic, TRef>, reason: ExitReason): void {
    this.cancelPending(rec);
    this.#clearKillTimer(rec);
    const handle = rec.handle;
    rec.handle = undefined;
    rec.onStopped = undefined;
    rec.exitReason = undefined;
    rec.state = 'stopped';
    const children = this.#sup.children;
    if (rec.spec.restart === 'temporary' && children.get(rec.id) === rec) children.delete(rec.id);
    handle?.release(reason);
  }

  /** A stop asked for earlier completed: resume whoever waits for it. */
  stopped(rec: ChildRecord<TLogic, TRef>, reason: ExitReason): void {
    const onStopped = rec.onStopped;
    rec.onStopped = undefined;
    this.#clearKillTimer(rec);
    onStopped?.(reason);
  }

  /** The backoff before restarting `rec`, or undefined to restart at once. */
  delayFor(rec: ChildRecord<TLogic, TRef>): number | undefined {
    const { flags, host } = this.#sup;
    const options = flags.backoff;
    if (options === undefined) return undefined;
    rec.backoff ??= new RestartBackoff(options, flags.periodMs);
    return rec.backoff.next(host.clock.now());
  }

  /** Runs `run` after `delay` ms for the members still waiting then (a terminated child leaves the set). */
  schedule(
    members: readonly ChildRecord<TLogic, TRef>[],
    delay: number,
    run: (due: ChildRecord<TLogic, TRef>[], done: () => void) => void,
  ): void {
    const sup = this.#sup;
    if (sup.phase() === 'dead') return;
    const pending: PendingRestart<TLogic, TRef> = { timer: undefined, members: new Set() };
    for (const m of members) {
      this.cancelPending(m);
      m.pending = pending;
      pending.members.add(m);
    }
    pending.timer = sup.host.clock.setTimeout(() => {
      const due = [...pending.members];
      for (const m of due) m.pending = undefined;
      pending.members.clear();
      if (sup.phase() === 'active') sup.run((done) => run(due, done));
    }, delay);
  }

  cancelPending(rec: ChildRecord<TLogic, TRef>): void {
    const pending = rec.pending;
    if (pending === undefined) return;
    rec.pending = undefined;
    pending.members.delete(rec);
    if (pending.members.size === 0) this.#sup.host.clock.clearTimeout(pending.timer);
  }

  #clearKillTimer(rec: ChildRecord<TLogic, TRef>): void {
    if (rec.killTimer === undefined) return;
    this.#sup.host.clock.clearTimeout(rec.killTimer);
    rec.killTimer = undefined;
  }
}

/** The supervisor is ending: a child handle that throws must not keep the others running. */
function attempt(step: () => void): void {
  try {
    step();
  } catch {
    // Go on with the next step: kill after a failed stop, release after a failed kill.
  }
}
