import type { AnyEventObject } from 'xstate';
import { type ErrorCode, InvalidArgumentError, StreamError, TroupeError } from '../errors.js';
import { Queue } from '../mailbox/queue.js';
import type { TimerHandle } from '../util/clock.js';
import { type AskHost, isEvent, type Temporary } from './ask.js';
import { describeReason, type ExitReason, isCrash } from './exit-reason.js';
import { BaseRef, type DownEvent, type StreamOptions } from './ref.js';
import {
  type CancelEvent,
  DEFAULT_CREDIT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED,
  fromWireError,
  isCount,
  isErrorCode,
  MAX_CREDIT,
} from './stream-protocol.js';
import { addWatcher, downAtOnce, notifyWatchers, type WatcherMap } from './watchers.js';

export type { StreamOptions };

/**
 * - `idle`: created, nothing sent yet (the request goes out on the first `next()`).
 * - `open`: the request is out; chunks are accepted.
 * - `ending`: the producer finished (end, error or exit); buffered chunks are still handed out.
 * - `closed`: nothing more to hand out.
 */
type Phase = 'idle' | 'open' | 'ending' | 'closed';

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

interface Settings {
  credit: number;
  idleTimeoutMs: number;
  maxBuffered: number;
  signal: AbortSignal | undefined;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The codes a consumer is failed with from outside when its request itself could not be delivered
 * (a dead letter here, or an ask-failure from the target's node): there is nobody to cancel.
 */
const UNDELIVERED = new Set<ErrorCode>([
  'TROUPE_ERR_NO_ACTOR',
  'TROUPE_ERR_MAILBOX_FULL',
  'TROUPE_ERR_ACTOR_STOPPED',
  'TROUPE_ERR_ACTOR_FAILED',
  'TROUPE_ERR_INVALID_EVENT',
  'TROUPE_ERR_NODE_DOWN',
]);

/**
 * Opens a stream on `target` whose consumer is registered in `host`. Throws at once on a bad event
 * or bad options; everything later surfaces through the iterator.
 * @internal
 */
export function openStream<TChunk>(host: AskHost, target: BaseRef, event: unknown, options?: StreamOptions): ChunkStream<TChunk> {
  if (!isEvent(event)) {
    throw new InvalidArgumentError('TROUPE_ERR_INVALID_EVENT', `stream needs an event object with a string type, got ${describe(event)}`);
  }
  return new ChunkStream<TChunk>(host, target, event, readOptions(options));
}

function readOptions(options: StreamOptions | undefined): Settings {
  const credit = options?.credit ?? DEFAULT_CREDIT;
  if (!isCount(credit)) {
    throw new InvalidArgumentError(
      'TROUPE_ERR_INVALID_OPTION',
      `stream credit must be a whole number in 1..${MAX_CREDIT}, got ${String(credit)}`,
    );
  }
  const idleTimeoutMs = options?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (!(typeof idleTimeoutMs === 'number' && idleTimeoutMs > 0 && Number.isFinite(idleTimeoutMs))) {
    throw new InvalidArgumentError(
      'TROUPE_ERR_INVALID_OPTION',
      `stream idleTimeoutMs must be a finite number > 0, got ${String(idleTimeoutMs)}`,
    );
  }
  const maxBuffered = options?.maxBuffered ?? Math.max(DEFAULT_MAX_BUFFERED, credit);
  if (!(Number.isInteger(maxBuffered) && maxBuffered >= credit)) {
    throw new InvalidArgumentError(
      'TROUPE_ERR_INVALID_OPTION',
      `stream maxBuffered must be a whole number >= credit (${credit}), got ${String(maxBuffered)}`,
    );
  }
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('TROUPE_ERR_INVALID_OPTION', 'stream signal must be an AbortSignal');
  }
  return { credit, idleTimeoutMs, maxBuffered, signal };
}

/**
 * The consumer side of one stream, as the async iterator `ref.stream()` returns. Single use, like
 * a generator: the request goes out on the first `next()`, and `return()` (what `break` calls)
 * cancels the producer.
 *
 * Credit: the request grants `credit` chunks; a chunk counts as consumed when the consumer asks for
 * the next one, and consumed chunks are granted back in batches of half the window. So a
 * credit-aware producer is never more than `credit` chunks ahead of the consumer. Once the
 * producer has used up its window it waits, at most `idleTimeoutMs`; so that a slow but steady
 * consumer never lets it time out, consumed chunks are also granted back (keep-alive) when the
 * window has been used up for `idleTimeoutMs / 2`: at once if some are owed, else at the next
 * pull. The producer's idle timeout thus fires only when the consumer stopped pulling. A producer
 * that ignores credit (a machine) is buffered up to `maxBuffered`, then the stream fails with
 * `TROUPE_ERR_STREAM_OVERFLOW`.
 * @internal
 */
export class ChunkStream<T> implements AsyncIterableIterator<T, undefined> {
  readonly #host: AskHost;
  readonly #target: BaseRef;
  readonly #event: AnyEventObject;
  readonly #settings: Settings;
  readonly #batch: number;
  #phase: Phase = 'idle';
  #consumer: ConsumerRef | undefined;
  /** The producer's session, once a credit-aware producer announced it. */
  #producer: BaseRef | undefined;
  #buffer = new Queue<T>();
  #waiters = new Queue<Waiter<T>>();
  /** The error to report once the buffer is drained (or at the next `next()` after an immediate failure). */
  #terminal: StreamError | undefined;
  /** Chunks handed out and not yet counted as consumed. */
  #handed = 0;
  /** Consumed chunks not yet granted back. */
  #unacked = 0;
  #timer: TimerHandle | undefined;
  #waitingSince = 0;
  #onAbort: (() => void) | undefined;
  #highWater = 0;
  /** The request went out (a cancel has someone to go to). */
  #sent = false;
  /** Something came from the producer, so the request was delivered. */
  #heard = false;
  /** Credit the producer still holds, as seen here: granted minus received. */
  #window: number;
  /** When the producer's window was last used up. */
  #exhaustedAt = 0;
  /** Fires `idleTimeoutMs / 2` after the window was used up; lazy like `#timer`. */
  #creditTimer: TimerHandle | undefined;
  /** The window has been used up for long enough: grant back whatever is consumed, at once. */
  #overdue = false;

  constructor(host: AskHost, target: BaseRef, event: AnyEventObject, settings: Settings) {
    this.#host = host;
    this.#target = target;
    this.#event = event;
    this.#settings = settings;
    this.#batch = Math.max(1, settings.credit >> 1);
    this.#window = settings.credit;
  }

  /** Chunks received and not yet handed out. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** The most chunks ever buffered at once. */
  get highWater(): number {
    return this.#highWater;
  }

  /** The consumer's address, once the request is out. */
  get address(): string | undefined {
    return this.#consumer?.address;
  }

  /** The producer session's address, once a credit-aware producer announced it. */
  get producerAddress(): string | undefined {
    return this.#producer?.address;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#phase === 'idle') this.#open();
    if (this.#handed > 0) {
      this.#ack(this.#handed);
      this.#handed = 0;
    }
    if (this.#buffer.length > 0) {
      this.#handed++;
      return Promise.resolve({ value: this.#buffer.shift() as T, done: false });
    }
    if (this.#phase === 'open') {
      return new Promise((resolve, reject) => {
        this.#waiters.push({ resolve, reject });
        if (this.#waiters.length === 1) this.#startWaiting();
      });
    }
    this.#phase = 'closed';
    const error = this.#terminal;
    this.#terminal = undefined;
    return error === undefined ? Promise.resolve(DONE) : Promise.reject(error);
  }

  /** Stops consuming: the producer is cancelled (its signal aborts) and buffered chunks are dropped. */
  return(): Promise<IteratorResult<T, undefined>> {
    if (this.#phase === 'open') {
      this.#cancelProducer('TROUPE_ERR_ABORTED', `the consumer of ${this.#target.address} stopped iterating`);
    }
    if (this.#phase === 'open' || this.#phase === 'ending') this.#release('normal');
    this.#phase = 'closed';
    this.#buffer = new Queue<T>();
    this.#terminal = undefined;
    this.#settleWaiters(undefined);
    return Promise.resolve(DONE);
  }

  // ---- from the consumer ref ----

  /** A protocol event arrived; false if it was not expected (the caller dead-letters it). @internal */
  _receive(event: AnyEventObject): boolean {
    if (this.#phase !== 'open') return false;
    switch (event.type) {
      case 'troupe.chunk':
        this.#heard = true;
        this.#chunk((event as AnyEventObject & { value?: T }).value as T);
        return true;
      case 'troupe.end':
        this.#endWith(undefined);
        return true;
      case 'troupe.error': {
        const code = (event as { code?: unknown }).code;
        const cause = fromWireError((event as { error?: unknown }).error);
        this.#endWith(
          new StreamError(
            isErrorCode(code) ? code : 'TROUPE_ERR_STREAM_FAILED',
            `stream from ${this.#target.address} failed: ${cause.message}`,
            {
              cause,
            },
          ),
        );
        return true;
      }
      case 'troupe.stream.open': {
        const producer = (event as { producer?: unknown }).producer;
        if (!(producer instanceof BaseRef)) return false;
        this.#heard = true;
        this.#producer = producer;
        this.#flushCredit();
        return true;
      }
      default:
        return false;
    }
  }

  /** The producer actor exited. @internal */
  _down(event: DownEvent): void {
    if (this.#phase !== 'open') return;
    const reason = event.reason;
    const address = this.#target.address;
    if (reason === 'noproc') {
      this.#endWith(new StreamError('TROUPE_ERR_NO_ACTOR', `no actor at ${address}`));
      return;
    }
    const code: ErrorCode =
      reason === 'noconnection' ? 'TROUPE_ERR_NODE_DOWN' : isCrash(reason) ? 'TROUPE_ERR_ACTOR_FAILED' : 'TROUPE_ERR_ACTOR_STOPPED';
    this.#endWith(
      new StreamError(
        code,
        `${address} exited (${describeReason(reason)}) before ending the stream`,
        isCrash(reason) ? { cause: reason.error } : undefined,
      ),
    );
  }

  /**
   * Fails the stream at once, dropping buffered chunks, and cancels the producer. `fromHost`: the
   * failure came from outside (the system, the transport); then no cancel goes out when it says the
   * request itself was not delivered (or the producer's node is unreachable). @internal
   */
  _fail(error: StreamError, fromHost = false): void {
    if (this.#phase === 'closed' || this.#phase === 'idle') {
      if (this.#phase === 'idle') this.#phase = 'closed';
      return;
    }
    if (this.#phase === 'open') {
      const undelivered = fromHost && UNDELIVERED.has(error.code) && (!this.#heard || error.code === 'TROUPE_ERR_NODE_DOWN');
      if (!undelivered) this.#cancelProducer(error.code, error.message);
      this.#release({ error });
    }
    this.#phase = 'closed';
    this.#buffer = new Queue<T>();
    if (this.#waiters.length > 0) this.#settleWaiters(error);
    else this.#terminal = error;
  }

  // ---- internals ----

  #open(): void {
    const signal = this.#settings.signal;
    if (signal?.aborted === true) {
      // nothing goes out: no request, no consumer, no cancel
      this.#phase = 'closed';
      this.#terminal = this.#aborted(signal);
      return;
    }
    this.#phase = 'open';
    const consumer = new ConsumerRef(this.#host, this.#target.address, this);
    this.#consumer = consumer;
    if (signal !== undefined) {
      this.#onAbort = () => this.#abort(signal);
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    this.#target._watch(consumer);
    if (this.#phase !== 'open') return;
    const { credit, idleTimeoutMs } = this.#settings;
    this.#sent = true;
    this.#target.send({ ...this.#event, stream: consumer, streamOptions: { credit, idleTimeoutMs } });
  }

  #abort(signal: AbortSignal): void {
    this._fail(this.#aborted(signal));
  }

  #aborted(signal: AbortSignal): StreamError {
    return new StreamError('TROUPE_ERR_ABORTED', `stream from ${this.#target.address} was aborted`, { cause: signal.reason });
  }

  #chunk(value: T): void {
    if (this.#producer !== undefined && --this.#window === 0) this.#exhausted();
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#handed++;
      if (this.#waiters.length > 0) this.#waitingSince = this.#host.clock.now();
      waiter.resolve({ value, done: false });
      return;
    }
    const buffer = this.#buffer;
    buffer.push(value);
    if (buffer.length > this.#highWater) this.#highWater = buffer.length;
    if (buffer.length > this.#settings.maxBuffered) {
      this._fail(
        new StreamError(
          'TROUPE_ERR_STREAM_OVERFLOW',
          `stream from ${this.#target.address} overflowed: more than ${this.#settings.maxBuffered} chunks buffered (a producer that ignores credit?)`,
        ),
      );
    }
  }

  /** The producer is done: stop accepting, keep what is buffered, report `error` (or the end) after it. */
  #endWith(error: StreamError | undefined): void {
    this.#release(error === undefined ? 'normal' : { error });
    this.#phase = 'ending';
    this.#terminal = error;
    if (this.#waiters.length > 0) {
      this.#phase = 'closed';
      this.#terminal = undefined;
      this.#settleWaiters(error);
    }
  }

  /** The first waiter gets `error` (or the end); any others, the end. */
  #settleWaiters(error: StreamError | undefined): void {
    const waiters = this.#waiters;
    this.#waiters = new Queue<Waiter<T>>();
    let first = true;
    for (let w = waiters.shift(); w !== undefined; w = waiters.shift()) {
      if (first && error !== undefined) w.reject(error);
      else w.resolve(DONE);
      first = false;
    }
  }

  #ack(n: number): void {
    this.#unacked += n;
    if (this.#unacked >= this.#batch || this.#overdue) this.#flushCredit();
  }

  #flushCredit(): void {
    const producer = this.#producer;
    if (producer === undefined || this.#unacked === 0 || this.#phase !== 'open') return;
    const n = this.#unacked;
    this.#unacked = 0;
    this.#window += n;
    this.#overdue = false;
    producer.send({ type: 'troupe.credit', n });
  }

  /** The producer has used up its window and waits for credit: keep it alive past `idleTimeoutMs / 2`. */
  #exhausted(): void {
    this.#exhaustedAt = this.#host.clock.now();
    this.#overdue = false;
    if (this.#creditTimer === undefined) {
      this.#creditTimer = this.#host.clock.setTimeout(this.#onCreditTimer, this.#settings.idleTimeoutMs / 2);
    }
  }

  readonly #onCreditTimer = (): void => {
    this.#creditTimer = undefined;
    if (this.#phase !== 'open' || this.#window > 0) return;
    const half = this.#settings.idleTimeoutMs / 2;
    const waited = this.#host.clock.now() - this.#exhaustedAt;
    if (waited < half) {
      this.#creditTimer = this.#host.clock.setTimeout(this.#onCreditTimer, half - waited);
      return;
    }
    // grant back what was consumed now; if nothing was, the next pull grants it at once
    this.#overdue = true;
    this.#flushCredit();
  };

  #cancelProducer(code: ErrorCode, message: string): void {
    const consumer = this.#consumer;
    if (consumer === undefined || !this.#sent) return;
    const cancel: CancelEvent = { type: 'troupe.stream.cancel', stream: consumer.address, code, message };
    (this.#producer ?? this.#target).send(cancel);
  }

  #startWaiting(): void {
    this.#waitingSince = this.#host.clock.now();
    if (this.#timer === undefined) this.#timer = this.#host.clock.setTimeout(this.#onTimer, this.#settings.idleTimeoutMs);
  }

  /** One lazy timer per stream: it re-arms for the remainder instead of being reset on every chunk. */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#phase !== 'open' || this.#waiters.length === 0) return;
    const idle = this.#settings.idleTimeoutMs;
    const waited = this.#host.clock.now() - this.#waitingSince;
    if (waited < idle) {
      this.#timer = this.#host.clock.setTimeout(this.#onTimer, idle - waited);
      return;
    }
    this._fail(new StreamError('TROUPE_ERR_TIMEOUT', `no chunk from ${this.#target.address} for ${idle} ms`));
  };

  /** Frees what the open stream holds: the registered consumer (its watchers learn `reason`), the watch, the timers, the abort listener. */
  #release(reason: ExitReason): void {
    if (this.#timer !== undefined) {
      this.#host.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#creditTimer !== undefined) {
      this.#host.clock.clearTimeout(this.#creditTimer);
      this.#creditTimer = undefined;
    }
    if (this.#onAbort !== undefined) {
      this.#settings.signal?.removeEventListener('abort', this.#onAbort);
      this.#onAbort = undefined;
    }
    const consumer = this.#consumer;
    if (consumer !== undefined) {
      consumer._close(reason);
      this.#target._unwatch(consumer);
    }
  }
}

/** What a consumer ref hands its events to. @internal */
interface ConsumerSink {
  _receive(event: AnyEventObject): boolean;
  _down(event: DownEvent): void;
  _fail(error: StreamError, fromHost: boolean): void;
}

/**
 * The address a stream's producer sends chunks to: a registered temporary, so chunks from other
 * nodes find it and it fails with `TROUPE_ERR_NODE_DOWN` when the producer's node goes down.
 * @internal
 */
export class ConsumerRef extends BaseRef implements Temporary {
  readonly address: string;
  readonly target: string;
  readonly #host: AskHost;
  readonly #stream: ConsumerSink;
  #closed = false;
  /** Who watches this consumer; told when the stream ends. */
  #watchers: WatcherMap | undefined;

  constructor(host: AskHost, target: string, stream: ConsumerSink) {
    super();
    this.#host = host;
    this.target = target;
    this.#stream = stream;
    this.address = host._registerTemp(this, 'stream');
  }

  send(event: AnyEventObject): void {
    if (this.#closed || !this.#stream._receive(event)) {
      this.#host._deadLetter(this.address, event, this.#closed ? 'stopped' : 'invalid-event');
    }
  }

  ask<TReply>(): Promise<TReply> {
    return Promise.reject(new TroupeError('TROUPE_ERR_INVALID_EVENT', `${this.address} is a stream consumer; it cannot be asked`));
  }

  _down(event: DownEvent): void {
    this.#stream._down(event);
  }

  /** A live consumer is watched until its stream ends ('normal', or `{ error }` when it failed); an ended one answers 'noproc'. */
  _watch(watcher: BaseRef): void {
    if (this.#closed) downAtOnce(watcher, this.address);
    else this.#watchers = addWatcher(this.#watchers, watcher);
  }

  _unwatch(watcher: BaseRef): void {
    this.#watchers?.delete(watcher.address);
  }

  _stop(): Promise<void> {
    this.#fail('TROUPE_ERR_ABORTED', `stream consumer ${this.address} was stopped`, undefined, false);
    return Promise.resolve();
  }

  /** Called by the system or the transport: the request was not delivered, the node went down, the system stopped. */
  fail(code: ErrorCode, message: string, cause?: unknown): void {
    this.#fail(code, message, cause, true);
  }

  #fail(code: ErrorCode, message: string, cause: unknown, fromHost: boolean): void {
    if (this.#closed) return;
    this.#stream._fail(new StreamError(code, message, cause === undefined ? undefined : { cause }), fromHost);
  }

  /** @internal */
  _close(reason: ExitReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#host._unregisterTemp(this);
    notifyWatchers(this.#watchers, this.address, reason);
    this.#watchers = undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return 'an object without a string type';
}
