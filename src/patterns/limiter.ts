/**
 * A counting semaphore: at most `limit` holders at once, waiters served first come, first served.
 * @module
 */

/** @internal */
export class Limiter {
  readonly limit: number;
  #active = 0;
  #waiting: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  /** Resolves once a slot is free and takes it. */
  acquire(): Promise<void> {
    if (this.#active < this.limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Gives a slot back; the longest waiter takes it. */
  release(): void {
    if (this.#head < this.#waiting.length) {
      const next = this.#waiting[this.#head];
      this.#waiting[this.#head++] = noop;
      if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
        this.#waiting = this.#waiting.slice(this.#head);
        this.#head = 0;
      }
      next();
    } else this.#active--;
  }

  /** Runs `fn` holding a slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

function noop(): void {}
