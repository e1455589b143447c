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
import { formatAddress } from './address.js';
import type { Body, BodyHost, NativeContext } from './body.js';
import { BaseRef, type ReplyTo } from './ref.js';
import { SharedXStateSystem } from './xstate-system.js';

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
  const ref = bodyOf(self)?.ref;
  if (ref === undefined)
    throw createError('TROUPE_ERR_NOT_LOCAL', `actor ${self.id} is not hosted by troupe (an XState child of a machine has no troupe ref)`);
  return ref;
}

/**
 * The body hosting an XState actor: it sits in the actor's observer set. Found there rather than
 * in a WeakMap from actor to ref, which cost every spawn an ephemeron entry (~10–20 % of a spawn's
 * CPU, most of it in GC); `refOf` is rare, spawning is not.
 */
function bodyOf(actor: AnyActorRef): XStateBody | undefined {
  const observers = (actor as unknown as { observers?: Set<unknown> }).observers;
  if (observers !== undefined) for (const observer of observers) if (observer instanceof XStateBody) return observer;
  return undefined;
}

/** The XState system every XState actor of one troupe system shares (see xstate-system.ts). */
const sharedSystems = new WeakMap<BodyHost, SharedXStateSystem>();

function sharedSystemOf(host: BodyHost): SharedXStateSystem {
  let shared = sharedSystems.get(host);
  if (shared === undefined) {
    // XState relays a root's lifecycle events (`xstate.done.actor.*`, `xstate.error.actor.*`) to
    // its parent; troupe learns of those through its observer. Anything else a hosted root sends
    // its parent (`sendParent`, a callback's `sendBack`) has no XState parent to go to.
    const onParentSend = (source: AnyActorRef, event: AnyEventObject) => {
      if (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.')) return;
      const sender = bodyOf(source)?.ref.address;
      host._deadLetter(`${sender ?? formatAddress(host.node, '')}#parent`, event, 'no-actor', sender);
    };
    shared = new SharedXStateSystem(host.clock, onParentSend);
    sharedSystems.set(host, shared);
  }
  return shared;
}

/** Runs XState logic inside a cell. @internal */
export class XStateBody implements Body {
  readonly xstate: AnyActor;
  readonly #cell: NativeContext;
  readonly #system: SharedXStateSystem;
  #quiet = false;

  constructor(cell: NativeContext, logic: AnyActorLogic, input: unknown) {
    this.#cell = cell;
    this.#system = sharedSystemOf(cell.host);
    // The stand-in parent hands the actor the shared XState system (and its clock) instead of a
    // system of its own: ~1.6 KB less per actor. Only `parent` (and `input` when given): every
    // extra option key gives each XState actor its own hidden class (~250 B and ~30% slower
    // construction at 100k actors). So XState's `self.id` is its session id; the actor's name is
    // `refOf(self).name`.
    const parent = this.#system.parent as unknown as AnyActorRef;
    this.xstate = createActor(logic, input === undefined ? { parent } : { parent, input });
    // XState's subscribe() wraps an observer in three bound functions; the body is an observer
    // already, so it joins the observer set directly (an XState internal, stable across v5).
    (this.xstate as unknown as { observers: Set<Observer<Snapshot<unknown>>> }).observers.add(this);
  }

  /** The hosting cell's ref. */
  get ref(): BaseRef {
    return this.#cell.ref;
  }

  start(): void {
    this.#system.enter(this.xstate);
    this.xstate.start();
  }

  deliver(event: AnyEventObject): void {
    // `_send` skips XState's relay, which builds an `@xstate.event` inspection object per message;
    // troupe reports messages itself, and events were validated on the way in.
    this.#system.enter(this.xstate);
    (this.xstate as unknown as { _send(event: AnyEventObject): void })._send(event);
  }

  stop(): void {
    this.#quiet = true;
    this.#system.enter(this.xstate);
    // `stop()` refuses actors with a parent; `_stop()` is what it calls for roots.
    (this.xstate as unknown as { _stop(): void })._stop();
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
