import { type ExitReason, isCrash } from '../util/exit-reason.js';

/** Why a message could not be delivered. */
export type DeadLetterReason =
  | 'no-actor'
  | 'stopped'
  | 'mailbox-full'
  | 'dropped-oldest'
  | 'invalid-event'
  | 'node-down'
  | 'shutdown'
  | 'crashed'
  | 'escalated';

/** Why what was queued for an actor that ended is undeliverable: it crashed, was shut down, or stopped otherwise. @internal */
export function deadLetterReasonFor(reason: ExitReason): DeadLetterReason {
  if (isCrash(reason)) return 'crashed';
  return reason === 'shutdown' || reason === 'killed' ? 'shutdown' : 'stopped';
}

/** A message troupe could not deliver, with the reason. */
export interface DeadLetter {
  /** Address the message was for. */
  recipient: string;
  event: unknown;
  reason: DeadLetterReason;
  /** Sender address, when known. */
  sender?: string;
}

/**
 * Where undeliverable messages go, observably. Dead letters are counted even when nobody listens.
 *
 * @example
 * ```ts
 * const off = system.deadLetters.subscribe((d) => console.warn(d.recipient, d.reason));
 * off();
 * ```
 */
export class DeadLetters {
  #listeners = new Set<(letter: DeadLetter) => void>();
  #count = 0;

  /** Dead letters seen since the system started. */
  get count(): number {
    return this.#count;
  }

  /** Calls `listener` for every dead letter; returns the function that stops it. */
  subscribe(listener: (letter: DeadLetter) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal */
  publish(letter: DeadLetter): void {
    this.#count++;
    for (const l of this.#listeners) {
      try {
        l(letter);
      } catch {
        // a listener's failure must not disturb delivery to the others
      }
    }
  }
}
