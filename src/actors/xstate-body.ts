import {
  type AnyActor,
  type AnyActorLogic,
  type AnyActorRef,
  type AnyEventObject,
  createActor,
  type Observer,
  type Snapshot,
} from 'xstate';
import { createError } from '../errors.js';
import type { Body, NativeContext } from './body.js';
import { BaseRef, type ReplyTo } from './ref.js';

/** The troupe ref of each XState actor troupe hosts, for {@link refOf}. */
const refOfActor = new WeakMap<AnyActorRef, BaseRef>();

/**
 * The troupe ref of the actor running `self`. A machine that hands out its own address (to be
 * replied to, watched or streamed to) must hand out this ref, not XState's `self`: sends to `self`
 * would bypass the mailbox and cannot cross the wire. A troupe ref is returned as it is.
 *
 * @example
 * ```ts
 * sendTo(({ event }) => event.to, ({ self }) => ({ type: 'ball', from: refOf(self) }))
 * ```
 */
export function refOf(self: AnyActorRef): ReplyTo {
  if (self instanceof BaseRef) return self;
  const ref = refOfActor.get(self);
  if (ref === undefined)
    throw createError('TROUPE_ERR_NOT_LOCAL', `actor ${self.id} is not hosted by troupe (an XState child of a machine has no troupe ref)`);
  return ref;
}

/** Runs XState logic inside a cell. @internal */
export class XStateBody implements Body {
  readonly xstate: AnyActor;
  readonly #cell: NativeContext;
  #quiet = false;

  constructor(cell: NativeContext, logic: AnyActorLogic, input: unknown) {
    this.#cell = cell;
    // Only `clock` (and `input` when given): every extra option key gives each XState actor its own
    // hidden class (~250 B and ~30% slower construction at 100k actors). So XState's `self.id` is
    // its session id; the actor's name is `refOf(self).name`.
    this.xstate = createActor(logic, input === undefined ? { clock: cell.host.clock } : { clock: cell.host.clock, input });
    refOfActor.set(this.xstate, cell.ref);
    // XState's subscribe() wraps an observer in three bound functions; the body is an observer
    // already, so it joins the observer set directly (an XState internal, stable across v5).
    (this.xstate as unknown as { observers: Set<Observer<Snapshot<unknown>>> }).observers.add(this);
  }

  start(): void {
    this.xstate.start();
  }

  deliver(event: AnyEventObject): void {
    // `_send` skips XState's relay, which builds an `@xstate.event` inspection object per message;
    // troupe reports messages itself, and events were validated on the way in.
    (this.xstate as unknown as { _send(event: AnyEventObject): void })._send(event);
  }

  stop(): void {
    this.#quiet = true;
    this.xstate.stop();
  }

  next(snapshot: Snapshot<unknown>): void {
    this.#cell.onSnapshot(snapshot);
  }

  /** XState calls `error` detached from its observer (unlike `next` and `complete`), so it is a closure. */
  readonly error = (error: unknown): void => {
    if (!this.#quiet) this.#cell.exit({ error });
  };

  complete(): void {
    if (!this.#quiet) this.#cell.exit('normal');
  }
}
