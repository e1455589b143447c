import type { AnyEventObject } from 'xstate';
import { type AskHost, isEvent } from '../actors/ask.js';
import { BaseRef, type DownEvent, type StreamOptions } from '../actors/ref.js';
import { describeNonEvent, validateTimeout } from '../actors/validate.js';
import { fromWireError } from '../error-wire.js';
import { createError, type ErrorCode, isErrorCode, type TroupeError } from '../errors.js';
import { Queue } from '../mailbox/queue.js';
import type { TimerHandle } from '../util/clock.js';
import { describeReason, type ExitReason, isCrash } from '../util/exit-reason.js';
import { ConsumerRef } from './stream-consumer.js';
import { CreditWindow } from './stream-credit.js';
import { type CancelEvent, DEFAULT_CREDIT, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_BUFFERED, isCount, MAX_CREDIT } from './stream-protocol.js';

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
    throw createError('TROUPE_ERR_INVALID_EVENT', `stream needs an event object with a string type, got ${describeNonEvent(event)}`);
  }
  return new ChunkStream<TChunk>(host, target, event, readOptions(options));
}

function readOptions(options: StreamOptions | undefined): Settings {
  const credit = options?.credit ?? DEFAULT_CREDIT;
  if (!isCount(credit)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `stream credit must be a whole number in 1..${MAX_CREDIT}, got ${String(credit)}`);
  }
  const idleTimeoutMs = validateTimeout('stream idleTimeoutMs', options?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const maxBuffered = options?.maxBuffered ?? Math.max(DEFAULT_MAX_BUFFERED, credit);
  if (!(Number.isInteger(maxBuffered) && maxBuffered >= credit)) {
    throw createError(
      'TROUPE_ERR_INVALID_OPTION',
      `stream maxBuffered must be a whole number >= credit (${credit}), got ${String(maxBuffered)}`,
    );
  }
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'stream signal must be an AbortSignal');
  }
  return { credit, idleTimeoutMs, maxBuffered, signal };
}

/**
 * The consumer side of one stream, as the async iterator `ref.stream()` returns. Single use, like
 * a generator: the request goes out on the first `next()`, and `return()` (what `break` calls)
 * cancels the producer.
 *
 * Credit: the request grants `credit` chunks; a chunk counts as consumed when the consumer asks for
 * the next one, and {@link CreditWindow} grants consumed chunks back. So a credit-aware producer is
 * never more than `credit` chunks ahead of the consumer, and its idle timeout fires only when the
 * consumer stopped pulling. A producer that ignores credit (a machine) is buffered up to
 * `maxBuffered`, then the stream fails with `TROUPE_ERR_STREAM_OVERFLOW`.
 * @internal
 */
export class ChunkStream<T> implements AsyncIterableIterator<T, undefined> {
  readonly #host: AskHost;
  readonly #target: BaseRef;
  readonly #event: AnyEventObject;
  readonly #settings: Settings;
  readonly #credit: CreditWindow;
  #phase: Phase = 'idle';
  #consumer: ConsumerRef | undefined;
  /** The producer's session, once a credit-aware producer announced it. */
  #producer: BaseRef | undefined;
  #buffer = new Queue<T>();
  #waiters = new Queue<Waiter<T>>();
  /** The error to report once the buffer is drained (or at the next `next()` after an immediate failure). */
  #terminal: TroupeError | undefined;
  /** Chunks handed out and not yet counted as consumed. */
  #handed = 0;
  #timer: TimerHandle | undefined;
  #waitingSince = 0;
  #onAbort: (() => void) | undefined;
  #highWater = 0;
  /** The request went out (a cancel has someone to go to). */
  #sent = false;
  /** Something came from the producer, so the request was delivered. */
  #heard = false;

  constructor(host: AskHost, target: BaseRef, event: AnyEventObject, settings: Settings) {
    this.#host = host;
    this.#target = target;
    this.#event = event;
    this.#settings = settings;
    this.#credit = new CreditWindow(settings.credit, settings.idleTimeoutMs, host.clock, () =>
      this.#phase === 'open' ? this.#producer : undefined,
    );
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
      this.#credit.consumed(this.#handed);
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
          createError(
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
        this.#credit.flush();
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
      this.#endWith(createError('TROUPE_ERR_NO_ACTOR', `no actor at ${address}`));
      return;
    }
    const code: ErrorCode =
      reason === 'noconnection' ? 'TROUPE_ERR_NODE_DOWN' : isCrash(reason) ? 'TROUPE_ERR_ACTOR_FAILED' : 'TROUPE_ERR_ACTOR_STOPPED';
    this.#endWith(
      createError(
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
  _fail(error: TroupeError, fromHost = false): void {
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

  #aborted(signal: AbortSignal): TroupeError {
    return createError('TROUPE_ERR_ABORTED', `stream from ${this.#target.address} was aborted`, { cause: signal.reason });
  }

  #chunk(value: T): void {
    if (this.#producer !== undefined) this.#credit.received();
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
        createError(
          'TROUPE_ERR_STREAM_OVERFLOW',
          `stream from ${this.#target.address} overflowed: more than ${this.#settings.maxBuffered} chunks buffered (a producer that ignores credit?)`,
        ),
      );
    }
  }

  /** The producer is done: stop accepting, keep what is buffered, report `error` (or the end) after it. */
  #endWith(error: TroupeError | undefined): void {
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
  #settleWaiters(error: TroupeError | undefined): void {
    const waiters = this.#waiters;
    this.#waiters = new Queue<Waiter<T>>();
    let first = true;
    for (let w = waiters.shift(); w !== undefined; w = waiters.shift()) {
      if (first && error !== undefined) w.reject(error);
      else w.resolve(DONE);
      first = false;
    }
  }

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
    this._fail(createError('TROUPE_ERR_TIMEOUT', `no chunk from ${this.#target.address} for ${idle} ms`));
  };

  /** Frees what the open stream holds: the registered consumer (its watchers learn `reason`), the watch, the timers, the abort listener. */
  #release(reason: ExitReason): void {
    if (this.#timer !== undefined) {
      this.#host.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#credit.stop();
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
