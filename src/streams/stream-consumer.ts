/** A stream's consumer address: the registered temporary its producer sends chunks to. */
import type { AnyEventObject } from 'xstate';
import type { AskHost, Temporary } from '../actors/ask.js';
import type { DownEvent } from '../actors/ref.js';
import { WatchableEnd } from '../actors/watchers.js';
import { createError, type ErrorCode, type TroupeError } from '../errors.js';
import type { ExitReason } from '../util/exit-reason.js';

/** What a consumer ref hands its events to. @internal */
export interface ConsumerSink {
  _receive(event: AnyEventObject): boolean;
  _down(event: DownEvent): void;
  _fail(error: TroupeError, fromHost: boolean): void;
}

/**
 * The address a stream's producer sends chunks to: a registered temporary, so chunks from other
 * nodes find it and it fails with `TROUPE_ERR_NODE_DOWN` when the producer's node goes down.
 * @internal
 */
export class ConsumerRef extends WatchableEnd implements Temporary {
  readonly address: string;
  readonly target: string;
  readonly #host: AskHost;
  readonly #stream: ConsumerSink;
  #closed = false;
  /** Who watches this consumer; told when the stream ends. */

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
    return Promise.reject(createError('TROUPE_ERR_INVALID_EVENT', `${this.address} is a stream consumer; it cannot be asked`));
  }

  _down(event: DownEvent): void {
    this.#stream._down(event);
  }

  /** Watched until its stream ends ('normal', or `{ error }` when it failed). */
  protected get _ended(): boolean {
    return this.#closed;
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
    this.#stream._fail(createError(code, message, cause === undefined ? undefined : { cause }), fromHost);
  }

  /** @internal */
  _close(reason: ExitReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#host._unregisterTemp(this);
    this._notifyEnded(reason);
  }
}
