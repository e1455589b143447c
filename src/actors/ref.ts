import type {
  AnyActor,
  AnyActorLogic,
  AnyActorRef,
  AnyEventObject,
  EventObject,
  InteropSubscribable,
  Observer,
  Readable,
  Snapshot,
  Subscription,
  ActorRef as XStateActorRef,
  ActorSystem as XStateSystem,
} from 'xstate';
import { createError, TroupeError } from '../errors.js';
import type { ExitReason } from '../util/exit-reason.js';

/** Options of {@link ActorRef.ask}. */
export interface AskOptions {
  /** How long to wait for the reply, ms. Default: the system's `askTimeoutMs` (5000). */
  timeoutMs?: number;
  /** Aborting rejects the ask with `TROUPE_ERR_ABORTED`. */
  signal?: AbortSignal;
}

/** An event as the asker writes it: troupe adds `replyTo`. */
export type AskEvent<TEvent extends EventObject> = TEvent extends unknown ? Omit<TEvent, 'replyTo'> : never;

/** Options of {@link ActorRef.stream}. */
export interface StreamOptions {
  /** Aborting ends the iteration with `TROUPE_ERR_ABORTED` and aborts the producer's signal. */
  signal?: AbortSignal;
  /** Chunks the producer may send ahead of the consumer (the credit window). Default 64. */
  credit?: number;
  /**
   * Longest wait, ms, for the next chunk (consumer side) and for credit (producer side) before the
   * stream fails with `TROUPE_ERR_TIMEOUT`. Default 30 000.
   */
  idleTimeoutMs?: number;
  /**
   * Most chunks held for a producer that ignores credit (a machine) before the stream fails with
   * `TROUPE_ERR_STREAM_OVERFLOW`. At least `credit`. Default 10 000.
   */
  maxBuffered?: number;
}

/** An event as the streamer writes it: troupe adds `stream` (the consumer's ref) and `streamOptions`. */
export type StreamEvent<TEvent extends EventObject> = TEvent extends unknown ? Omit<TEvent, 'stream' | 'streamOptions'> : never;

/** The local system that receives a ref's streams. @internal */
export interface StreamHost {
  _openStream<TChunk>(target: BaseRef, event: unknown, options: StreamOptions | undefined): AsyncIterableIterator<TChunk>;
}

/** What a watcher receives when the actor it watches exits. */
export interface DownEvent {
  type: 'troupe.down';
  /** The address of the actor that exited. */
  address: string;
  /** Why; `'noproc'` when it was already gone when watched. */
  reason: ExitReason | 'noproc';
}

/**
 * A handle to an actor, local or on another node. Refs are cheap, comparable by `address`, safe to
 * put inside events (they cross the wire as remote refs) and valid XState `sendTo` targets: an
 * `ActorRef` is an XState `ActorRef` too, so it fits `AnyActorRef` fields without a cast.
 *
 * @example
 * ```ts
 * const counter = system.spawn(counterMachine, { name: 'counter' });
 * counter.send({ type: 'inc' });
 * const reply = await counter.ask<{ type: 'count'; value: number }>({ type: 'get' }, { timeoutMs: 1000 });
 * ```
 */
export interface ActorRef<TEvent extends EventObject = AnyEventObject> extends XStateActorRef<Snapshot<unknown>, TEvent> {
  /** `troupe://<node>/<path>`. */
  readonly address: string;
  /** The last segment of the path. */
  readonly name: string;
  /** Tell: queues `event` for the actor. Never throws, never waits; undeliverable events become dead letters. */
  send(event: TEvent): void;
  /**
   * Request-reply: sends `event` with `replyTo` added and resolves with the first event sent to
   * `replyTo`. Rejects with a {@link TroupeError} on timeout, abort, a missing or exiting target,
   * or a full mailbox; never hangs.
   */
  ask<TReply = AnyEventObject>(event: AskEvent<TEvent>, options?: AskOptions): Promise<TReply>;
  /**
   * Streaming request: sends `event` with `stream` (a consumer ref) added and yields every chunk the
   * actor sends back, with credit-based backpressure. `break` or the signal cancels the producer.
   * Ends with a {@link TroupeError} when the producer fails or exits, or a wait times out; never hangs.
   */
  stream<TChunk = unknown>(event: StreamEvent<TEvent>, options?: StreamOptions): AsyncIterableIterator<TChunk>;
}

/**
 * The type of `replyTo` in an asked event: a troupe ref that XState's `sendTo` accepts. Any
 * troupe ref is one.
 *
 * @example
 * ```ts
 * type Get = { type: 'get'; replyTo: ReplyTo };
 * // in the machine: on: { get: { actions: sendTo(({ event }) => event.replyTo, ({ context }) => ({ type: 'count', value: context.n })) } }
 * ```
 */
export type ReplyTo = ActorRef;

/**
 * Shared by every kind of ref. Implements XState's ActorRef so that a machine can `sendTo` any
 * troupe ref: XState delivers through `_send`. Members that need the actor's XState state
 * (`getSnapshot`, `subscribe`, …) work on local refs and throw `TROUPE_ERR_NOT_LOCAL` elsewhere.
 * @internal
 */
export abstract class BaseRef implements AnyActorRef {
  abstract readonly address: string;
  abstract send(event: AnyEventObject): void;
  abstract ask<TReply = AnyEventObject>(event: AnyEventObject, options?: AskOptions): Promise<TReply>;
  /** Delivers a `troupe.down` notice ahead of user messages. */
  abstract _down(event: DownEvent): void;
  /** Makes `watcher` receive a `troupe.down` when this actor exits (at once if it is gone). */
  abstract _watch(watcher: BaseRef): void;
  abstract _unwatch(watcher: BaseRef): void;
  /** Stops the actor as if it had exited with `reason`; resolves when its body has ended. */
  abstract _stop(reason: ExitReason): Promise<void>;

  get name(): string {
    const a = this.address;
    return a.slice(a.lastIndexOf('/') + 1);
  }

  /** False once the actor behind this ref has stopped for good (a local actor, an ended temporary). @internal */
  get _alive(): boolean {
    return true;
  }

  /** XState's relay target. */
  _send(event: AnyEventObject): void {
    this.send(event);
  }

  /** The local system that hosts this ref's stream consumers; refs that can stream override it. @internal */
  get _streamHost(): StreamHost | undefined {
    return undefined;
  }

  /** See {@link ActorRef.stream}. Built on `send` and a registered consumer, so every kind of ref streams alike. */
  stream<TChunk = unknown>(event: AnyEventObject, options?: StreamOptions): AsyncIterableIterator<TChunk> {
    const host = this._streamHost;
    if (host === undefined) throw createError('TROUPE_ERR_NOT_LOCAL', `${this.address} has no local system to receive a stream`);
    return host._openStream<TChunk>(this, event, options);
  }

  /** The XState actor behind a local ref. */
  protected _xstate(): AnyActor {
    throw createError('TROUPE_ERR_NOT_LOCAL', `${this.address} is not a local XState actor`);
  }

  get id(): string {
    return this.name;
  }
  get sessionId(): string {
    return this.address;
  }
  // biome-ignore lint/suspicious/noExplicitAny: XState's own AnyActorSystem is ActorSystem<any>
  get system(): XStateSystem<any> {
    return this._xstate().system;
  }
  get src(): string | AnyActorLogic {
    return this._xstate().src;
  }
  /** Refs are started by spawn. */
  start(): void {}
  stop(): void {
    throw createError('TROUPE_ERR_NOT_LOCAL', `stop ${this.address} with system.stop(ref)`);
  }
  getSnapshot(): Snapshot<unknown> {
    return this._xstate().getSnapshot();
  }
  getPersistedSnapshot(): Snapshot<unknown> {
    return this._xstate().getPersistedSnapshot();
  }
  subscribe(observer: Observer<Snapshot<unknown>>): Subscription;
  subscribe(next: (snapshot: Snapshot<unknown>) => void, error?: (error: unknown) => void, complete?: () => void): Subscription;
  subscribe(
    observerOrNext: Observer<Snapshot<unknown>> | ((snapshot: Snapshot<unknown>) => void),
    error?: (error: unknown) => void,
    complete?: () => void,
  ): Subscription {
    const actor = this._xstate();
    // XState rethrows a crash on a timer when any observer lacks an error handler; troupe already
    // handles every crash (supervisor, escalation), so an observer without one must not kill the process.
    const observer: Observer<Snapshot<unknown>> =
      typeof observerOrNext === 'function' ? { next: observerOrNext, error, complete } : observerOrNext;
    return actor.subscribe({
      next: (snapshot) => observer.next?.(snapshot),
      error: (err) => observer.error?.(err),
      complete: () => observer.complete?.(),
    });
  }
  on<TType extends string>(
    type: TType,
    handler: (emitted: EventObject & (TType extends '*' ? unknown : { type: TType })) => void,
  ): Subscription {
    return this._xstate().on(type, handler as (emitted: AnyEventObject) => void);
  }
  select<T>(selector: (snapshot: Snapshot<unknown>) => T, equalityFn?: (a: T, b: T) => boolean): Readable<T> {
    return this._xstate().select(selector, equalityFn);
  }
  [Symbol.observable](): InteropSubscribable<Snapshot<unknown>> {
    return this._xstate();
  }
  toJSON(): { address: string } {
    return { address: this.address };
  }
  toString(): string {
    return this.address;
  }
}
