import type { AnyEventObject } from 'xstate';
import { createError, type TroupeError } from '../errors.js';
import type { ChildCounts, ChildHandle, ChildInfo } from '../supervision/child-record.js';
import type { ChildSpec, ChildType, ResolvedSpec, SpecRules } from '../supervision/child-spec.js';
import type { CallResult, SupervisorAction, SupervisorHost } from '../supervision/supervisor.js';
import { SupervisorCore } from '../supervision/supervisor.js';
import { type ResolvedFlags, resolveFlags, type SupervisorFlags } from '../supervision/supervisor-flags.js';
import { type ExitReason, isCrash } from '../util/exit-reason.js';
import { validateName } from './address.js';
import {
  type Body,
  type ChildCell,
  type ChildPolicy,
  isNativeLogic,
  isSpawnableLogic,
  kNativeLogic,
  type NativeContext,
  type NativeLogic,
  type SpawnableLogic,
} from './body.js';
import type { SupervisorInspectionEvent } from './inspection.js';
import { LocalRef } from './local-ref.js';
import type { ActorRef, AskOptions } from './ref.js';

/** Options of {@link supervisor}: OTP's supervisor flags and the child specs. */
export type SupervisorOptions = SupervisorFlags<SpawnableLogic>;

/** One child of a {@link supervisor}: `{ id, logic, input, restart, shutdownMs, significant }`. */
export type SupervisorChildSpec = ChildSpec<SpawnableLogic>;

const kSupervisorFlags: unique symbol = Symbol('troupe.supervisor-flags');

/** The logic {@link supervisor} returns: spawn it, or use it as a child spec's `logic` to nest supervisors. */
export interface SupervisorLogic extends NativeLogic {
  /** @internal */
  readonly [kSupervisorFlags]: ResolvedFlags<SpawnableLogic>;
}

/** True for logic made by {@link supervisor}. @internal */
export function isSupervisorLogic(logic: unknown): logic is SupervisorLogic {
  return isNativeLogic(logic) && kSupervisorFlags in logic;
}

const rules: Omit<SpecRules<SpawnableLogic>, 'significantAllowed'> = {
  isLogic: isSpawnableLogic,
  typeOf: (logic): ChildType => (isSupervisorLogic(logic) ? 'supervisor' : 'worker'),
  idProblem: (id) => {
    try {
      validateName(id);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  },
};

/**
 * Supervisor logic with OTP's semantics: starts `children` in order, restarts them by their restart
 * type and the strategy, gives up (and lets its own parent decide) after more than `intensity`
 * restarts within `periodMs`, and stops children in reverse order. Flags and specs are validated
 * at once: a mistake throws `TROUPE_ERR_INVALID_SPEC`.
 *
 * @example
 * ```ts
 * const app = system.spawn(
 *   supervisor({
 *     strategy: 'one-for-one',
 *     intensity: 3,
 *     periodMs: 5000,
 *     children: [
 *       { id: 'db', logic: dbMachine, restart: 'permanent', shutdownMs: 5000 },
 *       { id: 'job', logic: jobMachine, restart: 'transient' },
 *     ],
 *   }),
 *   { name: 'app' },
 * );
 * system.lookup('app/db'); // troupe://<node>/app/db, the same across restarts
 * ```
 */
export function supervisor(options: SupervisorOptions = {}): SupervisorLogic {
  const flags = resolveFlags(options, rules);
  return {
    [kNativeLogic]: (context: NativeContext) => new SupervisorBody(context, flags),
    [kSupervisorFlags]: flags,
  };
}

/**
 * Administers a running supervisor, as OTP's `supervisor:start_child/2` and friends. Each call is a
 * message the supervisor handles in turn; failures reject with a {@link TroupeError}:
 * `TROUPE_ERR_ALREADY_STARTED`, `_ALREADY_PRESENT`, `_NOT_FOUND`, `_RUNNING`, `_RESTARTING`,
 * `_INVALID_SPEC`, `_START_FAILED`, or an ask failure (timeout, supervisor gone).
 *
 * @example
 * ```ts
 * const sup = supervisorRef(app);
 * const worker = await sup.startChild({ id: 'w1', logic: workerMachine, restart: 'transient' });
 * await sup.terminateChild('w1');
 * await sup.deleteChild('w1');
 * ```
 */
export interface SupervisorRef {
  /** The supervisor's own ref. */
  readonly ref: ActorRef;
  /** Adds a spec at the end and starts it; resolves with the child's ref. */
  startChild(spec: SupervisorChildSpec): Promise<ActorRef>;
  /** Stops a child (cancelling a pending restart) and keeps its spec; a temporary child's spec is deleted. */
  terminateChild(id: string): Promise<void>;
  /** Starts a terminated child again from its spec. */
  restartChild(id: string): Promise<ActorRef>;
  /** Deletes a terminated child's spec. */
  deleteChild(id: string): Promise<void>;
  /** Every child in start order, with its status and type. */
  whichChildren(): Promise<ChildInfo<ActorRef>[]>;
  /** `{ specs, active, supervisors, workers }`. */
  countChildren(): Promise<ChildCounts>;
}

/**
 * The administration handle of a supervisor. Throws `TROUPE_ERR_NOT_SUPERVISOR` unless `ref` is a
 * local ref (from `spawn`, `lookup` or `whichChildren`) to an actor running {@link supervisor} logic.
 * `options.timeoutMs` bounds each call (default: the system's ask timeout).
 *
 * @example
 * ```ts
 * const counts = await supervisorRef(system.lookup('app')!).countChildren();
 * ```
 */
export function supervisorRef(ref: ActorRef, options: AskOptions = {}): SupervisorRef {
  if (!(ref instanceof LocalRef) || !isSupervisorLogic(ref._cell.logic)) {
    throw createError('TROUPE_ERR_NOT_SUPERVISOR', `${String(ref?.address)} is not a local supervisor`);
  }
  return new LocalSupervisorRef(ref, options);
}

const CALL = 'troupe.supervisor.call';
const REPLY = 'troupe.supervisor.reply';

type SupervisorCall =
  | { op: 'startChild'; spec: unknown }
  | { op: 'terminateChild' | 'restartChild' | 'deleteChild'; id: string }
  | { op: 'whichChildren' | 'countChildren' };

type ReplyEvent = { type: typeof REPLY; ok: true; value: unknown } | { type: typeof REPLY; ok: false; error: TroupeError };

class LocalSupervisorRef implements SupervisorRef {
  readonly ref: ActorRef;
  readonly #options: AskOptions;

  constructor(ref: ActorRef, options: AskOptions) {
    this.ref = ref;
    this.#options = options;
  }

  startChild(spec: SupervisorChildSpec): Promise<ActorRef> {
    return this.#call({ op: 'startChild', spec });
  }
  terminateChild(id: string): Promise<void> {
    return this.#call({ op: 'terminateChild', id });
  }
  restartChild(id: string): Promise<ActorRef> {
    return this.#call({ op: 'restartChild', id });
  }
  deleteChild(id: string): Promise<void> {
    return this.#call({ op: 'deleteChild', id });
  }
  whichChildren(): Promise<ChildInfo<ActorRef>[]> {
    return this.#call({ op: 'whichChildren' });
  }
  countChildren(): Promise<ChildCounts> {
    return this.#call({ op: 'countChildren' });
  }

  async #call<T>(call: SupervisorCall): Promise<T> {
    const reply = await this.ref.ask<ReplyEvent>({ type: CALL, call }, this.#options);
    if (!reply.ok) throw reply.error;
    return reply.value as T;
  }
}

/**
 * The body of a supervisor's cell: runs {@link SupervisorCore} over the cell's children, is the
 * cell's {@link ChildPolicy} (so every child exit comes here), and answers administrative calls
 * from its mailbox.
 */
class SupervisorBody implements Body, ChildPolicy, SupervisorHost<SpawnableLogic, ActorRef> {
  readonly #cell: NativeContext;
  readonly #core: SupervisorCore<SpawnableLogic, ActorRef>;

  constructor(cell: NativeContext, flags: ResolvedFlags<SpawnableLogic>) {
    this.#cell = cell;
    this.#core = new SupervisorCore(flags, rules, this);
  }

  // ---- Body ----

  start(): void {
    this.#cell.supervise(this);
    this.#core.start();
  }

  deliver(event: AnyEventObject): void {
    if (event.type !== CALL) {
      this.#cell.host._deadLetter(this.#cell.address, event, 'invalid-event');
      return;
    }
    const { call, replyTo } = event as { call?: SupervisorCall; replyTo?: { send(e: AnyEventObject): void } };
    const reply = (result: CallResult<unknown>) => replyTo?.send({ type: REPLY, ...result });
    try {
      this.#dispatch(call, reply);
    } catch (error) {
      // A supervisor bug must not take the dispatcher down: it crashes like any actor.
      this.#cell.exit({ error });
    }
  }

  #dispatch(call: SupervisorCall | undefined, reply: (result: CallResult<unknown>) => void): void {
    const core = this.#core;
    const op = call?.op;
    if (call === undefined) {
      reply({ ok: false, error: createError('TROUPE_ERR_INVALID_EVENT', 'a supervisor call needs a call') });
    } else if (call.op === 'startChild') {
      core.startChild(call.spec, reply);
    } else if (call.op === 'terminateChild') {
      core.terminateChild(call.id, reply);
    } else if (call.op === 'restartChild') {
      core.restartChild(call.id, reply);
    } else if (call.op === 'deleteChild') {
      core.deleteChild(call.id, reply);
    } else if (call.op === 'whichChildren') {
      core.whichChildren(reply);
    } else if (call.op === 'countChildren') {
      core.countChildren(reply);
    } else {
      reply({ ok: false, error: createError('TROUPE_ERR_INVALID_EVENT', `unknown supervisor call ${String(op)}`) });
    }
  }

  stop(): void {
    this.#core.terminateAll();
  }

  // ---- ChildPolicy ----

  childExited(child: ChildCell, reason: ExitReason): void {
    if (this.#core.childExited(child.name, child.ref, reason)) return;
    // Not one of the specs' children (spawned under the supervisor by hand): as under a plain parent.
    if (isCrash(reason)) this.#cell.unhandledExit(child, reason);
    child.finalize(reason);
  }

  terminateChildren(): void {
    this.#core.terminateAll();
    for (const c of this.#cell.childCells().reverse()) c.terminate('shutdown');
  }

  // ---- SupervisorHost ----

  get clock() {
    return this.#cell.host.clock;
  }

  get name(): string {
    return this.#cell.address;
  }

  spawn(spec: ResolvedSpec<SpawnableLogic>): ChildHandle<ActorRef> {
    return new CellHandle(this.#cell.spawnChild(spec.id, spec.logic, { input: spec.input }));
  }

  report(action: SupervisorAction, child: string | undefined, reason?: ExitReason, detail?: string): void {
    const host = this.#cell.host;
    if (!host.inspection.active) return;
    const event: SupervisorInspectionEvent = { type: '@troupe.supervisor', node: host.node, address: this.#cell.address, action };
    if (child !== undefined) event.child = `${this.#cell.address}/${child}`;
    if (reason !== undefined) event.reason = reason;
    if (detail !== undefined) event.detail = detail;
    host.inspection.emit(event);
  }

  exit(reason: ExitReason): void {
    this.#cell.exit(reason);
  }
}

/** A supervised child as the supervision core drives it: one cell, whose body is replaced on restart. */
class CellHandle implements ChildHandle<ActorRef> {
  readonly #cell: ChildCell;

  constructor(cell: ChildCell) {
    this.#cell = cell;
  }

  get ref(): ActorRef {
    return this.#cell.ref;
  }

  // A local body stops synchronously, so the exit is reported before stop() returns and the
  // shutdownMs timer is never needed for local children.
  stop(): void {
    this.#cell.exit('shutdown');
  }

  kill(): void {
    this.#cell.exit('killed');
  }

  restart(): void {
    this.#cell.restart();
  }

  release(reason: ExitReason): void {
    this.#cell.finalize(reason);
  }
}
