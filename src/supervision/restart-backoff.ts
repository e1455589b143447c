import { type BackoffOptions, backoffDelay } from '../util/backoff.js';

/**
 * The delay before one child's next restart: exponential in the number of its restarts since it
 * last ran quietly for a whole period, so a child that crashes again and again waits longer each
 * time, and one that crashes once in a while always waits `minMs`. "Ran quietly" is measured from
 * when the child actually started again ({@link RestartBackoff.started}): the wait before a
 * restart is not quiet time.
 *
 * @example
 * ```ts
 * const backoff = new RestartBackoff({ minMs: 10, maxMs: 1000, jitter: 0 }, 5000);
 * backoff.next(clock.now()); // 10, then 20, 40, … while the child fails within 5 s of each restart
 * backoff.started(clock.now()); // when the restart happened
 * ```
 */
export class RestartBackoff {
  readonly #options: BackoffOptions;
  readonly #quietMs: number;
  readonly #random: () => number;
  #attempt = 0;
  /** When the child last started; +Infinity while it waits for a restart. */
  #startedAt = Number.NEGATIVE_INFINITY;

  constructor(options: BackoffOptions, quietMs: number, random: () => number = Math.random) {
    this.#options = options;
    this.#quietMs = quietMs;
    this.#random = random;
  }

  /** The delay for a restart decided at `now`, in ms. Until {@link started} is called again, the child counts as not running. */
  next(now: number): number {
    if (now - this.#startedAt > this.#quietMs) this.#attempt = 0;
    this.#startedAt = Number.POSITIVE_INFINITY;
    return backoffDelay(this.#attempt++, this.#options, this.#random);
  }

  /** The child started (again) at `now`: its quiet time counts from here. */
  started(now: number): void {
    this.#startedAt = now;
  }
}
