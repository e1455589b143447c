import type { AnyEventObject, EventObject, Snapshot } from 'xstate';
import type { Temporary } from '../actors/ask.js';
import { type Body, type BodyHost, kNativeLogic, type NativeContext, type NativeLogic } from '../actors/body.js';
import { type ActorRef, BaseRef } from '../actors/ref.js';
import { WatchableEnd } from '../actors/watchers.js';
import { toWireError } from '../error-wire.js';
import { createError, type ErrorCode, isErrorCode } from '../errors.js';
import type { TimerHandle } from '../util/clock.js';
import type { ExitReason } from '../util/exit-reason.js';
import {
  type ChunkEvent,
  type EndEvent,
  isCount,
  readRequestOptions,
  type StreamErrorEvent,
  type StreamOpenEvent,
} from './stream-protocol.js';

/** What a {@link fromStream} source is called with, once per request. */
export interface StreamContext<TInput = unknown, TEvent extends EventObject = AnyEventObject> {
  /** The request, without troupe's `stream`, `streamOptions` and `replyTo` fields. */
  event: TEvent;
  /** The actor's spawn input. */
  input: TInput;
  /**
   * Aborted when this request ends early: the consumer cancelled (`break`, its signal, its idle
   * timeout), went away, or the actor stopped. `signal.reason` is a `TroupeError` saying which.
   */
  signal: AbortSignal;
  /** The streaming actor's ref. */
  self: ActorRef;
}

/** A {@link fromStream} source: an async generator function, or anything returning an (async) iterable. */
export type StreamSource<TChunk, TInput, TEvent extends EventObject> = (
  context: StreamContext<TInput, TEvent>,
) => AsyncIterable<TChunk> | Iterable<TChunk>;

/** Options of {@link fromStream}. */
export interface FromStreamOptions {
  /** Most chunks an `ask` to the actor collects before failing with `TROUPE_ERR_STREAM_OVERFLOW`. Default 10 000. */
  maxCollect?: number;
}

/** The reply to an `ask` of a {@link fromStream} actor: every chunk of the request's stream. */
export interface StreamResult<TChunk = unknown> {
  type: 'troupe.stream.result';
  values: TChunk[];
}

/** Logic made by {@link fromStream}; spawn it like any logic. */
export interface StreamLogic<TChunk = unknown, TInput = unknown, TEvent extends EventObject = AnyEventObject> extends NativeLogic {
  /** Carries the source's types for tooling; never set. @internal */
  readonly _types?: { chunk: TChunk; input: TInput; event: TEvent };
}

const DEFAULT_MAX_COLLECT = 10_000;

/**
 * Logic for a streaming actor. Each `ref.stream(event)` runs `source` with the request and sends
 * what it yields to the consumer, pulling the next chunk only while the consumer has granted
 * credit. Requests are independent: several streams of one actor run concurrently, each with its
 * own signal. A source that throws fails only its own stream (`TROUPE_ERR_STREAM_FAILED`); the
 * actor keeps serving. An `ask` runs the source to the end and replies with
 * `{ type: 'troupe.stream.result', values }`.
 *
 * @example
 * ```ts
 * const counter = fromStream(async function* ({ event, signal }: StreamContext<unknown, { type: 'count'; to: number }>) {
 *   for (let i = 1; i <= event.to && !signal.aborted; i++) yield i;
 * });
 * const ref = system.spawn(counter, { name: 'counter' });
 * for await (const n of ref.stream<number>({ type: 'count', to: 3 })) console.log(n); // 1 2 3
 * ```
 */
export function fromStream<TChunk, TInput = unknown, TEvent extends EventObject = AnyEventObject>(
  source: StreamSource<TChunk, TInput, TEvent>,
  options: FromStreamOptions = {},
): StreamLogic<TChunk, TInput, TEvent> {
  if (typeof source !== 'function') {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'fromStream needs a function returning an async iterable (an async function*)');
  }
  const maxCollect = options.maxCollect ?? DEFAULT_MAX_COLLECT;
  if (!(Number.isInteger(maxCollect) && maxCollect >= 1)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `fromStream maxCollect must be a whole number >= 1, got ${String(maxCollect)}`);
  }
  const run = source as StreamSource<unknown, unknown, AnyEventObject>;
  return { [kNativeLogic]: (context: NativeContext, input: unknown) => new StreamBody(context, run, input, maxCollect) };
}

const activeSnapshot: Snapshot<unknown> = Object.freeze({ status: 'active', output: undefined, error: undefined });

/** The body of a fromStream actor: routes requests, cancellations and asks to their runs. */
class StreamBody implements Body {
  readonly #cell: NativeContext;
  readonly #source: StreamSource<unknown, unknown, AnyEventObject>;
  readonly #input: unknown;
  readonly #maxCollect: number;
  /** Open streams by consumer address. */
  readonly #sessions = new Map<string, StreamSession>();
  /** Asked runs, with whom to answer. */
  readonly #collectors = new Map<AbortController, BaseRef>();

  constructor(cell: NativeContext, source: StreamSource<unknown, unknown, AnyEventObject>, input: unknown, maxCollect: number) {
    this.#cell = cell;
    this.#source = source;
    this.#input = input;
    this.#maxCollect = maxCollect;
  }

  start(): void {
    this.#cell.onSnapshot(activeSnapshot);
  }

  deliver(event: AnyEventObject): void {
    const stream = (event as { stream?: unknown }).stream;
    if (event.type === 'troupe.stream.cancel') {
      // sent here by a consumer that had not yet heard from its session
      if (typeof stream === 'string') this.#sessions.get(stream)?.cancel(event);
      return;
    }
    if (stream instanceof BaseRef) {
      this.#open(event, stream);
      return;
    }
    const replyTo = (event as { replyTo?: unknown }).replyTo;
    if (replyTo instanceof BaseRef) {
      void this.#collect(event, replyTo);
      return;
    }
    if (event.type === 'troupe.down') return;
    this.#cell.host._deadLetter(this.#cell.address, event, 'invalid-event');
  }

  stop(): void {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    const why = `${this.#cell.address} stopped during the stream`;
    for (const s of sessions) s.close('TROUPE_ERR_ACTOR_STOPPED', why, true);
    const collectors = [...this.#collectors];
    this.#collectors.clear();
    for (const [controller, replyTo] of collectors) {
      const stopped = createError('TROUPE_ERR_ACTOR_STOPPED', why);
      controller.abort(stopped);
      // answer now: the cell fails its held asks right after, and a later reply would be a dead letter
      replyTo.send(errorEvent(stopped.code, stopped));
    }
  }

  /** @internal */
  _closed(session: StreamSession): void {
    if (this.#sessions.get(session.target) === session) this.#sessions.delete(session.target);
  }

  #open(event: AnyEventObject, consumer: BaseRef): void {
    if (this.#sessions.has(consumer.address)) {
      this.#cell.host._deadLetter(this.#cell.address, event, 'invalid-event');
      return;
    }
    const { credit, idleTimeoutMs } = readRequestOptions(event);
    const session = new StreamSession(this.#cell.host, this, consumer, credit, idleTimeoutMs);
    this.#sessions.set(consumer.address, session);
    session.begin(() => this.#iterate(event, session.signal));
  }

  /**
   * Runs an asked request to its end and replies with every chunk, or with a `troupe.error` (which
   * rejects the ask). Whoever aborts a run has already replied, or nobody waits any more.
   */
  async #collect(event: AnyEventObject, replyTo: BaseRef): Promise<void> {
    const controller = new AbortController();
    this.#collectors.set(controller, replyTo);
    let reply: StreamResult | StreamErrorEvent | undefined;
    try {
      const values: unknown[] = [];
      for await (const value of this.#iterate(event, controller.signal)) {
        if (controller.signal.aborted) break;
        if ((replyTo as { settled?: unknown }).settled === true) {
          controller.abort(createError('TROUPE_ERR_ABORTED', `the ask to ${this.#cell.address} ended before the stream`));
          break;
        }
        values.push(value);
        if (values.length > this.#maxCollect) {
          const overflow = createError(
            'TROUPE_ERR_STREAM_OVERFLOW',
            `ask to ${this.#cell.address} yielded more than ${this.#maxCollect} chunks; use stream()`,
          );
          reply = errorEvent(overflow.code, overflow);
          controller.abort(overflow);
          break;
        }
      }
      if (!controller.signal.aborted) reply = { type: 'troupe.stream.result', values };
    } catch (err) {
      if (!controller.signal.aborted) reply = errorEvent('TROUPE_ERR_STREAM_FAILED', err);
    } finally {
      this.#collectors.delete(controller);
    }
    if (reply !== undefined) replyTo.send(reply);
  }

  #iterate(event: AnyEventObject, signal: AbortSignal): AsyncIterable<unknown> | Iterable<unknown> {
    const { stream: _s, streamOptions: _o, replyTo: _r, ...request } = event as AnyEventObject & Record<string, unknown>;
    const iterable = this.#source({ event: request as AnyEventObject, input: this.#input, signal, self: this.#cell.ref });
    if (!isIterable(iterable)) throw new TypeError('a fromStream source must return an async iterable (write it as an async function*)');
    return iterable;
  }
}

function errorEvent(code: ErrorCode, err: unknown): StreamErrorEvent {
  return { type: 'troupe.error', code, error: toWireError(err) };
}

function isIterable(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return (
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  );
}

/**
 * The producer side of one stream: pulls the source while the consumer has granted credit.
 * Registered as a temporary, so credit and cancellation from other nodes reach it, and it closes
 * when the consumer's node goes down. Its `target` is the consumer's address.
 * @internal
 */
export class StreamSession extends WatchableEnd implements Temporary {
  readonly address: string;
  readonly target: string;
  readonly #host: BodyHost;
  readonly #body: StreamBody;
  readonly #consumer: BaseRef;
  readonly #controller = new AbortController();
  readonly #idleTimeoutMs: number;
  #credit: number;
  #closed = false;
  #wake: (() => void) | undefined;
  #timer: TimerHandle | undefined;
  #waitingSince = 0;
  /** Who watches this session; told when the stream ends. */

  constructor(host: BodyHost, body: StreamBody, consumer: BaseRef, credit: number, idleTimeoutMs: number) {
    super();
    this.#host = host;
    this.#body = body;
    this.#consumer = consumer;
    this.target = consumer.address;
    this.#credit = credit;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.address = host._registerTemp(this, 'producer');
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Tells the consumer where credit goes, then pulls the source. */
  begin(source: () => AsyncIterable<unknown> | Iterable<unknown>): void {
    const open: StreamOpenEvent = { type: 'troupe.stream.open', producer: this };
    this.#consumer.send(open);
    void this.#pump(source);
  }

  async #pump(source: () => AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
    const consumer = this.#consumer;
    try {
      // `for await` asks the source for its next chunk only after the body ran, i.e. once there
      // is credit for it; leaving the loop early calls the source's `return()` (its finally blocks).
      for await (const value of source()) {
        if (this.#closed) return;
        this.#credit--;
        const chunk: ChunkEvent = { type: 'troupe.chunk', value };
        consumer.send(chunk);
        if (this.#credit <= 0) await this.#creditArrives();
        if (this.#closed) return;
      }
      if (!this.#closed) this.#finish({ type: 'troupe.end' } satisfies EndEvent, 'normal');
    } catch (err) {
      if (!this.#closed) this.#finish(errorEvent('TROUPE_ERR_STREAM_FAILED', err), { error: err });
    }
  }

  #creditArrives(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#waitingSince = this.#host.clock.now();
      if (this.#timer === undefined) this.#timer = this.#host.clock.setTimeout(this.#onTimer, this.#idleTimeoutMs);
    });
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#closed || this.#wake === undefined) return;
    const waited = this.#host.clock.now() - this.#waitingSince;
    if (waited < this.#idleTimeoutMs) {
      this.#timer = this.#host.clock.setTimeout(this.#onTimer, this.#idleTimeoutMs - waited);
      return;
    }
    this.close('TROUPE_ERR_TIMEOUT', `no credit from consumer ${this.target} for ${this.#idleTimeoutMs} ms`, true);
  };

  send(event: AnyEventObject): void {
    if (event.type === 'troupe.credit') {
      if (this.#closed) return;
      const n = (event as { n?: unknown }).n;
      if (!isCount(n)) {
        this.#host._deadLetter(this.address, event, 'invalid-event');
        return;
      }
      this.#credit += n;
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
      return;
    }
    if (event.type === 'troupe.stream.cancel') {
      this.cancel(event);
      return;
    }
    // credit and cancellation racing the end are expected; anything else is not
    this.#host._deadLetter(this.address, event, this.#closed ? 'stopped' : 'invalid-event');
  }

  /** The consumer stopped early. */
  cancel(event: AnyEventObject): void {
    const { code, message } = event as { code?: unknown; message?: unknown };
    this.close(
      isErrorCode(code) ? code : 'TROUPE_ERR_ABORTED',
      typeof message === 'string' ? message : `consumer ${this.target} cancelled the stream`,
      false,
    );
  }

  /** Ends the stream early: aborts the source's signal and, if asked, tells the consumer why. */
  close(code: ErrorCode, message: string, notifyConsumer: boolean): void {
    if (this.#closed) return;
    const error = createError(code, message);
    this.#finish(notifyConsumer ? errorEvent(code, error) : undefined, { error });
    this.#controller.abort(error);
  }

  /** Ends the session; its watchers learn `reason`: 'normal' when the source finished, else `{ error }`. */
  #finish(last: EndEvent | StreamErrorEvent | undefined, reason: ExitReason): void {
    this.#closed = true;
    if (this.#timer !== undefined) {
      this.#host.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#host._unregisterTemp(this);
    this.#body._closed(this);
    if (last !== undefined) this.#consumer.send(last);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    this._notifyEnded(reason);
  }

  ask<TReply>(): Promise<TReply> {
    return Promise.reject(createError('TROUPE_ERR_INVALID_EVENT', `${this.address} is a stream producer; it cannot be asked`));
  }

  _down(): void {}

  /** Watched until its stream ends. */
  protected get _ended(): boolean {
    return this.#closed;
  }

  _stop(): Promise<void> {
    this.close('TROUPE_ERR_ABORTED', `stream producer ${this.address} was stopped`, true);
    return Promise.resolve();
  }

  /** The consumer's node went down, or this system shut down: nobody is left to tell. */
  fail(code: ErrorCode, message: string): void {
    this.close(code, message, false);
  }
}
