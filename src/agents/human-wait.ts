/** Waiting on a person (an `approve` or `escalate` hook): bounded by a timeout, ended by the run's cancel. @internal */
import type { Clock, TimerHandle } from '../util/clock.js';

/** How a wait ended: the hook's answer, or why there is none. */
export type HumanAnswer<T> = { kind: 'answer'; value: T } | { kind: 'timeout' } | { kind: 'cancelled' };

/**
 * Calls `hook` with a signal of its own, and settles with its answer, a timeout after `timeoutMs`,
 * or a cancel when `signal` aborts. A hook that throws rejects. On a timeout the hook's signal is
 * aborted with `timeoutReason`, so a hook that waits on a person can stop waiting. Nothing of the
 * wait (timer, listener) outlives it.
 */
export async function waitForHuman<T>(
  hook: (signal: AbortSignal) => T | Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
  clock: Clock,
  timeoutReason: string,
): Promise<HumanAnswer<T>> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let timer: TimerHandle | undefined;
  try {
    const timeout = new Promise<HumanAnswer<T>>((resolve) => {
      timer = clock.setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    });
    const cancelled = new Promise<HumanAnswer<T>>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve({ kind: 'cancelled' }), { once: true }),
    );
    const answered = Promise.resolve()
      .then(() => hook(controller.signal))
      .then((value): HumanAnswer<T> => ({ kind: 'answer', value }));
    const outcome = await Promise.race([answered, timeout, cancelled]);
    if (outcome.kind === 'timeout') controller.abort(new Error(timeoutReason));
    return outcome;
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
