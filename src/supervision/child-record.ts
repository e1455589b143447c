import type { TimerHandle } from '../util/clock.js';
import type { ExitReason } from '../util/exit-reason.js';
import type { ChildType, ResolvedSpec } from './child-spec.js';
import type { RestartBackoff } from './restart-backoff.js';

/**
 * One incarnation of a child as the supervision layer drives it. The actors layer implements it
 * over a cell: the cell (its address, mailbox and watchers) outlives restarts; only its body is
 * replaced.
 */
export interface ChildHandle<TRef> {
  /** What `whichChildren` and `startChild` hand out. */
  readonly ref: TRef;
  /** Asks the child to end with `'shutdown'`. Its exit is reported back, now or later. */
  stop(): void;
  /** Ends the child at once with `'killed'`. Its exit is reported back. */
  kill(): void;
  /** Gives the exited child a fresh body from its spec, keeping its address and queued messages. */
  restart(): void;
  /** Ends the exited child for good: its watchers learn of it and its queued messages become dead letters. */
  release(reason: ExitReason): void;
}

/** Where a child is in its life, seen from `whichChildren`. */
export type ChildStatus = 'running' | 'restarting' | 'stopped';

/** One line of `whichChildren()`. */
export interface ChildInfo<TRef> {
  id: string;
  /** Present while the child has a live incarnation (running, or waiting to restart in place). */
  ref?: TRef;
  status: ChildStatus;
  type: ChildType;
}

/** The result of `countChildren()`, as OTP's `count_children/1`. */
export interface ChildCounts {
  /** Child specs held, running or not. */
  specs: number;
  /** Children running now. */
  active: number;
  /** Specs whose logic is a supervisor. */
  supervisors: number;
  /** Specs whose logic is a worker. */
  workers: number;
}

/**
 * - `starting`: inside the (re)start call;
 * - `running`: its body is alive;
 * - `stopping`: asked to stop, its exit not yet seen;
 * - `exited`: ended by itself, the decision is queued;
 * - `restarting`: waiting to be started again (now, after a backoff, or after a failed start);
 * - `stopped`: no body; the spec is kept for `restartChild`. Usually without a handle; a member of a
 *   group restart left unstarted because an earlier member failed to start keeps its handle (its
 *   cell), so that the retry, or `restartChild`, restarts it in place.
 */
export type RecordState = 'starting' | 'running' | 'stopping' | 'exited' | 'restarting' | 'stopped';

/** A restart waiting on the clock: the children it will start, in start order. */
export interface PendingRestart<TLogic, TRef> {
  timer: TimerHandle;
  readonly members: Set<ChildRecord<TLogic, TRef>>;
}

/** The supervisor's bookkeeping for one child spec. */
export class ChildRecord<TLogic, TRef> {
  readonly spec: ResolvedSpec<TLogic>;
  state: RecordState = 'stopped';
  handle: ChildHandle<TRef> | undefined;
  /** An exit reported while starting. */
  early: ExitReason | undefined;
  /** Why it ended by itself, while in `exited`. */
  exitReason: ExitReason | undefined;
  /** Kills a child that takes longer than its `shutdownMs` to stop. */
  killTimer: TimerHandle | undefined;
  /** Called with the reason when a requested stop completes. */
  onStopped: ((reason: ExitReason) => void) | undefined;
  pending: PendingRestart<TLogic, TRef> | undefined;
  backoff: RestartBackoff | undefined;

  constructor(spec: ResolvedSpec<TLogic>) {
    this.spec = spec;
  }

  get id(): string {
    return this.spec.id;
  }

  /** The body is alive (or about to be). */
  get alive(): boolean {
    return this.state === 'running' || this.state === 'stopping' || this.state === 'starting';
  }

  /**
   * What the administrative calls see as running: the body is alive, or it ended and the decision
   * about it is still queued (OTP: the `'EXIT'` waits in the mailbox, so the child's pid is still set).
   */
  get running(): boolean {
    return this.alive || this.state === 'exited';
  }

  get status(): ChildStatus {
    if (this.running) return 'running';
    return this.state === 'stopped' ? 'stopped' : 'restarting';
  }

  info(): ChildInfo<TRef> {
    const handle = this.handle;
    const info: ChildInfo<TRef> = { id: this.spec.id, status: this.status, type: this.spec.type };
    if (handle !== undefined && this.state !== 'stopped') info.ref = handle.ref;
    return info;
  }
}
