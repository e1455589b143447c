import { createError } from '../errors.js';
import { Queue } from './queue.js';

/** What happens to a user message that arrives at a full mailbox. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest' | 'reject';

/** Per-actor mailbox settings. */
export interface MailboxOptions {
  /** Most user messages held at once. Default `Infinity`. */
  capacity?: number;
  /** Policy at capacity. Default `'drop-newest'`. */
  overflow?: OverflowPolicy;
}

/**
 * The outcome of {@link Mailbox.enqueue}: `'accepted'`, or why the message was not kept.
 * With `'dropped-oldest'` the new message was kept and the evicted one is in {@link Mailbox.evicted}.
 */
export type Admission = 'accepted' | 'dropped-newest' | 'dropped-oldest' | 'rejected';

/**
 * Two lanes: system messages (stop, watch, down, suspend/resume) are always taken before user
 * messages, and are never bounded — dropping a stop would leak an actor. While suspended, only the
 * system lane drains; user messages wait, up to capacity.
 */
export class Mailbox<U, S = unknown> {
  readonly #user = new Queue<U>();
  /** Created on the first system message: most actors never get one. */
  #system: Queue<S> | undefined;
  readonly #capacity: number;
  readonly #overflow: OverflowPolicy;
  /** The message pushed out by the last `'dropped-oldest'` admission. */
  evicted: U | undefined = undefined;
  suspended = false;

  constructor(options: MailboxOptions = {}) {
    const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    const overflow = options.overflow ?? 'drop-newest';
    if (!(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity >= 1))) {
      throw createError('TROUPE_ERR_INVALID_OPTION', `mailbox.capacity must be a whole number >= 1 or Infinity, got ${capacity}`);
    }
    if (overflow !== 'drop-newest' && overflow !== 'drop-oldest' && overflow !== 'reject') {
      throw createError(
        'TROUPE_ERR_INVALID_OPTION',
        `mailbox.overflow must be 'drop-newest', 'drop-oldest' or 'reject', got ${String(overflow)}`,
      );
    }
    this.#capacity = capacity;
    this.#overflow = overflow;
  }

  get capacity(): number {
    return this.#capacity;
  }

  get overflow(): OverflowPolicy {
    return this.#overflow;
  }

  /** User messages waiting. */
  get size(): number {
    return this.#user.length;
  }

  /** System messages waiting. */
  get systemSize(): number {
    return this.#system === undefined ? 0 : this.#system.length;
  }

  /** True when a drain would find something to do. */
  get runnable(): boolean {
    return (this.#system !== undefined && this.#system.length > 0) || (!this.suspended && this.#user.length > 0);
  }

  enqueue(message: U): Admission {
    if (this.#user.length < this.#capacity) {
      this.#user.push(message);
      return 'accepted';
    }
    switch (this.#overflow) {
      case 'drop-newest':
        return 'dropped-newest';
      case 'reject':
        return 'rejected';
      case 'drop-oldest':
        this.evicted = this.#user.shift();
        this.#user.push(message);
        return 'dropped-oldest';
    }
  }

  enqueueSystem(message: S): void {
    if (this.#system === undefined) this.#system = new Queue<S>();
    this.#system.push(message);
  }

  shiftSystem(): S | undefined {
    return this.#system?.shift();
  }

  /** The next user message, or undefined when empty or suspended. */
  shift(): U | undefined {
    return this.suspended ? undefined : this.#user.shift();
  }

  /** Calls `fn` with every waiting user message, oldest first, without removing them. */
  forEach(fn: (message: U) => void): void {
    this.#user.forEach(fn);
  }

  /** Removes and returns every waiting user message, oldest first. */
  clear(): U[] {
    return this.#user.drain();
  }
}
