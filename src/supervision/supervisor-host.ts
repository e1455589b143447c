/** The contracts between a supervisor's parts and the layer that runs its children. */
import type { TroupeError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { ExitReason } from '../util/exit-reason.js';
import type { ChildHandle, ChildRecord } from './child-record.js';
import type { ResolvedSpec } from './child-spec.js';
import type { ResolvedFlags } from './supervisor-flags.js';

/** The outcome of an administrative call, as OTP's `{ok, …} | {error, …}`. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: TroupeError };

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
  report(action: SupervisorAction, child: string | undefined, reason?: ExitReason, detail?: string): void;
  /** The supervisor gives up (start failure, intensity, auto-shutdown); its children are already stopped. */
  exit(reason: ExitReason): void;
}

/** Where a supervisor is in its life; `dead` once it stopped for good. */
export type SupervisorPhase = 'idle' | 'active' | 'stopping' | 'dead';

/** What the child mechanics need from the supervisor that drives them. */
export interface SupervisorContext<TLogic, TRef> {
  readonly host: SupervisorHost<TLogic, TRef>;
  readonly flags: ResolvedFlags<TLogic>;
  readonly children: Map<string, ChildRecord<TLogic, TRef>>;
  phase(): SupervisorPhase;
  /** Bumped when the supervisor dies, so a pending stop sequence does not continue. */
  epoch(): number;
  /** Queues a decision or call behind the one in progress. */
  run(run: (done: () => void) => void, abort?: () => void): void;
  /** Runs `step`, turning a throw into the supervisor's crash. */
  guard(step: () => void): void;
  /** `rec` started, then exited at once with `reason`: decide on it after the operation in progress. */
  exitedAtStart(rec: ChildRecord<TLogic, TRef>, reason: ExitReason): void;
}
