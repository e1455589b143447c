/** A stream consumer's credit bookkeeping: what its producer may still send, and when consumed chunks are granted back. */

import type { BaseRef } from '../actors/ref.js';
import type { Clock, TimerHandle } from '../util/clock.js';

/**
 * The consumer's view of a credit-aware producer's window. Consumed chunks are granted back in
 * batches of half the window; once the window has been used up for `idleTimeoutMs / 2` they are
 * granted back at once (keep-alive), so a slow but steady consumer never lets the producer's idle
 * timeout fire.
 */
export class CreditWindow {
  readonly #clock: Clock;
  readonly #idleTimeoutMs: number;
  readonly #batch: number;
  /** The producer session to grant credit to, while the stream is open and one announced itself. */
  readonly #grantee: () => BaseRef | undefined;
  /** Credit the producer still holds, as seen here: granted minus received. */
  #window: number;
  /** Consumed chunks not yet granted back. */
  #unacked = 0;
  /** When the producer's window was last used up. */
  #exhaustedAt = 0;
  /** Fires `idleTimeoutMs / 2` after the window was used up; lazy, re-armed for the remainder. */
  #timer: TimerHandle | undefined;
  /** The window has been used up for long enough: grant back whatever is consumed, at once. */
  #overdue = false;

  constructor(credit: number, idleTimeoutMs: number, clock: Clock, grantee: () => BaseRef | undefined) {
    this.#clock = clock;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#batch = Math.max(1, credit >> 1);
    this.#window = credit;
    this.#grantee = grantee;
  }

  /** A chunk arrived from the credit-aware producer. */
  received(): void {
    if (--this.#window === 0) this.#exhausted();
  }

  /** `n` chunks were consumed. */
  consumed(n: number): void {
    this.#unacked += n;
    if (this.#unacked >= this.#batch || this.#overdue) this.flush();
  }

  /** Grants back every consumed chunk, if there is a producer to grant them to. */
  flush(): void {
    const producer = this.#grantee();
    if (producer === undefined || this.#unacked === 0) return;
    const n = this.#unacked;
    this.#unacked = 0;
    this.#window += n;
    this.#overdue = false;
    producer.send({ type: 'troupe.credit', n });
  }

  /** The stream is over: no more keep-alive grants. */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The producer has used up its window and waits for credit: keep it alive past `idleTimeoutMs / 2`. */
  #exhausted(): void {
    this.#exhaustedAt = this.#clock.now();
    this.#overdue = false;
    if (this.#timer === undefined) this.#timer = this.#clock.setTimeout(this.#onTimer, this.#idleTimeoutMs / 2);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#window > 0 || this.#grantee() === undefined) return;
    const half = this.#idleTimeoutMs / 2;
    const waited = this.#clock.now() - this.#exhaustedAt;
    if (waited < half) {
      this.#timer = this.#clock.setTimeout(this.#onTimer, half - waited);
      return;
    }
    // grant back what was consumed now; if nothing was, the next pull grants it at once
    this.#overdue = true;
    this.flush();
  };
}
