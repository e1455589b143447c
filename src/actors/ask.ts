import type { AnyEventObject } from 'xstate';
import { fromWireError } from '../error-wire.js';
import { createError, type ErrorCode, isErrorCode } from '../errors.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { DeadLetterReason } from './dead-letters.js';
import type { InspectionBus } from './inspection.js';
import type { AskOptions, BaseRef, DownEvent } from './ref.js';
import { describeNonEvent, validateTimeout } from './validate.js';
import { WatchableEnd } from './watchers.js';

/**
 * A short-lived local ref that waits on a remote or local target: an ask's reply address, a
 * stream's consumer. Registered so replies from other nodes can find it, and failed when its
 * target's node goes down.
 * @internal
 */
export interface Temporary extends BaseRef {
  /** Address of the actor this temporary waits on. */
  readonly target: string;
  fail(code: ErrorCode, message: string, cause?: unknown): void;
}

/** What an ask needs from its system. @internal */
export interface AskHost {
  readonly clock: Clock;
  readonly askTimeoutMs: number;
  /** Registers a temporary under a fresh address (`kind` names it, e.g. `ask`); returns the address. */
  _registerTemp(temp: Temporary, kind?: string): string;
  _unregisterTemp(temp: Temporary): void;
  _deadLetter(recipient: string, event: unknown, reason: DeadLetterReason, sender?: string): void;
  /** Where replies are reported as `@troupe.message` (so an inspector can link them to their ask). */
  readonly inspection?: InspectionBus;
  readonly node?: string;
}

/** Something that wants to hear when an ask it holds settles (the target cell). @internal */
export interface AskHolder {
  _releaseAsk(temp: TempRef): void;
}

/**
 * The reply address of one ask: a short-lived ref whose first received event settles the ask.
 * Later events to it are dead letters.
 * @internal
 */
export class TempRef extends WatchableEnd implements Temporary {
  readonly address: string;
  readonly target: string;
  #host: AskHost;
  #resolve: (value: AnyEventObject) => void;
  #reject: (error: unknown) => void;
  #timer: TimerHandle | undefined;
  #signal: AbortSignal | undefined;
  #holder: AskHolder | undefined;
  #settled = false;

  constructor(host: AskHost, target: string, resolve: (value: AnyEventObject) => void, reject: (error: unknown) => void) {
    super();
    this.#host = host;
    this.target = target;
    this.#resolve = resolve;
    this.#reject = reject;
    this.address = host._registerTemp(this);
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** @internal */
  _arm(timeoutMs: number, signal: AbortSignal | undefined): void {
    this.#timer = this.#host.clock.setTimeout(
      () => this.fail('TROUPE_ERR_TIMEOUT', `ask to ${this.target} timed out after ${timeoutMs} ms`),
      timeoutMs,
    );
    if (signal) {
      this.#signal = signal;
      waitOn(signal, this);
    }
  }

  /** @internal The target holds this ask until it settles, to fail it if the target exits. */
  _holdBy(holder: AskHolder): void {
    this.#holder = holder;
  }

  send(event: AnyEventObject): void {
    if (this.#settled || !isEvent(event)) {
      this.#host._deadLetter(this.address, event, this.#settled ? 'stopped' : 'invalid-event');
      return;
    }
    // a reply is a message too: the inspector links it to its ask by this address
    const inspection = this.#host.inspection;
    if (inspection?.active)
      inspection.emit({ type: '@troupe.message', node: this.#host.node ?? '', to: this.address, eventType: event.type, event });
    if (event.type === 'troupe.error') {
      // a `troupe.error` reply rejects the ask: how an actor on any node answers with a failure
      const cause = fromWireError((event as { error?: unknown }).error);
      const code = (event as { code?: unknown }).code;
      this.fail(isErrorCode(code) ? code : 'TROUPE_ERR_ACTOR_FAILED', `ask to ${this.target} failed: ${cause.message}`, cause);
      return;
    }
    this.#settle();
    this.#resolve(event);
  }

  ask<TReply>(): Promise<TReply> {
    return Promise.reject(createError('TROUPE_ERR_INVALID_EVENT', `${this.address} is a reply address; it cannot be asked`));
  }

  _down(): void {}
  /** A watcher of a pending reply address hears when the ask settles (an asker giving up, say). */
  protected get _ended(): boolean {
    return this.#settled;
  }
  _stop(): Promise<void> {
    this.fail('TROUPE_ERR_ABORTED', `ask to ${this.target} was stopped`);
    return Promise.resolve();
  }

  /** Rejects the ask with `code`, unless it already settled. */
  fail(code: ErrorCode, message: string, cause?: unknown): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(createError(code, message, cause === undefined ? undefined : { cause }));
  }

  #settle(): void {
    this.#settled = true;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    if (this.#signal !== undefined) waitingOn.get(this.#signal)?.delete(this);
    this.#host._unregisterTemp(this);
    this.#holder?._releaseAsk(this);
    this.#holder = undefined;
    this._notifyEnded('normal');
  }
}

/**
 * The pending asks of each abort signal. A signal gets one listener, however many asks wait on it:
 * Node's EventTarget scans a signal's listeners on every add and remove, so a listener per ask
 * made K asks sharing one signal cost O(K²).
 */
const waitingOn = new WeakMap<AbortSignal, Set<TempRef>>();

function waitOn(signal: AbortSignal, temp: TempRef): void {
  let temps = waitingOn.get(signal);
  if (temps === undefined) {
    const waiting = new Set<TempRef>();
    temps = waiting;
    waitingOn.set(signal, waiting);
    signal.addEventListener(
      'abort',
      () => {
        waitingOn.delete(signal);
        for (const t of waiting) t.fail('TROUPE_ERR_ABORTED', `ask to ${t.target} was aborted`, signal.reason);
      },
      { once: true },
    );
  }
  temps.add(temp);
}

/** The TroupeError code an ask gets when its event becomes a dead letter for `reason`. */
export function codeForDeadLetter(reason: DeadLetterReason): ErrorCode {
  switch (reason) {
    case 'mailbox-full':
    case 'dropped-oldest':
      return 'TROUPE_ERR_MAILBOX_FULL';
    case 'no-actor':
      return 'TROUPE_ERR_NO_ACTOR';
    case 'node-down':
      return 'TROUPE_ERR_NODE_DOWN';
    case 'invalid-event':
      return 'TROUPE_ERR_INVALID_EVENT';
    default:
      return 'TROUPE_ERR_ACTOR_STOPPED';
  }
}

/** True when `event` is an object with a string `type`, as XState requires. */
export function isEvent(event: unknown): event is AnyEventObject {
  return typeof event === 'object' && event !== null && typeof (event as { type?: unknown }).type === 'string';
}

/**
 * Starts an ask: validates, creates the reply ref, arms timeout and abort, and hands the caller's
 * event, the reply ref and the timeout to `deliver`, which sends it (locally with
 * {@link withReplyTo}; a remote ref sends the reply ref's address beside the event). Every path
 * ends in a settled promise.
 * @internal
 */
export function startAsk<TReply>(
  host: AskHost,
  target: string,
  event: unknown,
  options: AskOptions | undefined,
  deliver: (event: AnyEventObject, temp: TempRef, timeoutMs: number) => void,
): Promise<TReply> {
  if (!isEvent(event)) {
    return Promise.reject(
      createError('TROUPE_ERR_INVALID_EVENT', `ask needs an event object with a string type, got ${describeNonEvent(event)}`),
    );
  }
  let timeoutMs: number;
  try {
    timeoutMs = validateTimeout('ask timeoutMs', options?.timeoutMs ?? host.askTimeoutMs);
  } catch (error) {
    return Promise.reject(error);
  }
  const signal = options?.signal;
  if (signal?.aborted) {
    return Promise.reject(createError('TROUPE_ERR_ABORTED', `ask to ${target} was aborted`, { cause: signal.reason }));
  }
  return new Promise<TReply>((resolve, reject) => {
    const temp = new TempRef(host, target, resolve as (value: AnyEventObject) => void, reject);
    temp._arm(timeoutMs, signal);
    deliver(event, temp, timeoutMs);
  });
}

/** The asked event as the target's body sees it: the caller's event with `replyTo` added. */
export function withReplyTo(event: AnyEventObject, temp: TempRef): AnyEventObject {
  return { ...event, replyTo: temp };
}

export type { DownEvent };
