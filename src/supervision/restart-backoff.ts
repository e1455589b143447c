import { type BackoffOptions, backoffDelay } from '../util/backoff.js';

/**
 * The delay before one child's next restart: exponential in the number of its restarts since it
 * last ran quietly for a whole period, so a child that crashes again and again waits longer each
 * time, and one that crashes once in a while always waits `minMs`.
 *
 * @example
 * ```ts
 * const backoff = new RestartBackoff({ minMs: 10, maxMs: 1000, jitter: 0 }, 5000);
 * backoff.next(clock.now()); // 10, then 20, 40, … while failures keep coming within 5 s
 * ```
 */
export class RestartBackoff {
  readonly #options: BackoffOptions;
  readonly #quietMs: number;
  readonly #random: () => number;
  #attempt = 0;
  #last = Number.NEGATIVE_INFINITY;

  constructor(options: BackoffOptions, quietMs: number, random: () => number = Math.random) {
    this.#options = options;
    this.#quietMs = quietMs;
    this.#random = random;
  }

  /** The delay for a restart decided at `now`, in ms. */
  next(now: number): number {
    if (now - this.#last > this.#quietMs) this.#attempt = 0;
    this.#last = now;
    return backoffDelay(this.#attempt++, this.#options, this.#random);
  }
}
