import type { AnyEventObject } from 'xstate';
import { isEvent } from '../actors/ask.js';
import type { ActorRef } from '../actors/ref.js';
import { validateTimeout } from '../actors/validate.js';
import { createError, QuorumError, TroupeError } from '../errors.js';

/** Options of {@link gather}. */
export interface GatherOptions {
  /** How long each ref has to answer, ms. Default: the ask timeout of each ref's system (5000). */
  timeoutMs?: number;
  /**
   * A quorum: gather resolves as soon as `min` refs answered ok (the others are cancelled), and
   * rejects with a `QuorumError` (`TROUPE_ERR_QUORUM_NOT_MET`) as soon as `min` can no longer be
   * reached. Default 0: wait for every ref (or its timeout) and never reject for failures.
   */
  min?: number;
  /** Aborting rejects with `TROUPE_ERR_ABORTED` and cancels every pending ask. */
  signal?: AbortSignal;
}

/** What one ref gave a {@link gather}, in the order the refs were given. */
export type GatherResult<TReply = AnyEventObject> =
  /** It answered. */
  | { status: 'ok'; ref: ActorRef; value: TReply }
  /** Its ask failed: no actor, it exited, its mailbox was full, its node went down… */
  | { status: 'error'; ref: ActorRef; error: TroupeError }
  /** It did not answer within `timeoutMs`. */
  | { status: 'timeout'; ref: ActorRef }
  /** It had not answered when the gather ended early (quorum reached or lost, or aborted). */
  | { status: 'cancelled'; ref: ActorRef };

/**
 * Fire-and-gather: asks every ref the same `event` at once and collects one {@link GatherResult}
 * per ref, in order. Resolves once every ref answered or timed out — or, with `min`, as soon as
 * `min` answered ok. Never hangs: every ask has a timeout.
 *
 * @example
 * ```ts
 * const results = await gather([w1, w2, w3], { type: 'task', text }, { timeoutMs: 5000, min: 2 });
 * const answers = results.flatMap((r) => (r.status === 'ok' ? [r.value] : []));
 * ```
 */
export function gather<TReply = AnyEventObject>(
  refs: readonly ActorRef[],
  event: AnyEventObject,
  options: GatherOptions = {},
): Promise<GatherResult<TReply>[]> {
  const invalid = validate(refs, event, options);
  if (invalid !== undefined) return Promise.reject(invalid);
  const { timeoutMs, signal } = options;
  const min = options.min ?? 0;
  if (signal?.aborted) return Promise.reject(createError('TROUPE_ERR_ABORTED', 'gather was aborted', { cause: signal.reason }));
  const n = refs.length;
  if (n === 0) return Promise.resolve([]);

  return new Promise((resolve, reject) => {
    const results: GatherResult<TReply>[] = new Array(n);
    // One cancel signal for every ask: an ask's signal costs one listener per signal, not per ask.
    const cancel = new AbortController();
    let answered = 0;
    let oks = 0;
    let failures = 0;
    let done = false;

    const finish = (error?: TroupeError) => {
      done = true;
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
      for (let i = 0; i < n; i++) results[i] ??= { status: 'cancelled', ref: refs[i] };
      cancel.abort();
      if (error === undefined) resolve(results);
      else reject(error);
    };
    const onAbort =
      signal && (() => finish(createError('TROUPE_ERR_ABORTED', `gather of ${n} refs was aborted`, { cause: signal.reason })));
    if (onAbort !== undefined) signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (i: number, result: GatherResult<TReply>) => {
      if (done) return;
      results[i] = result;
      answered++;
      if (result.status === 'ok') oks++;
      else failures++;
      if (min > 0 && oks >= min) finish();
      else if (min > 0 && n - failures < min) {
        finish(new QuorumError(`gather needed ${min} ok replies from ${n} refs, but ${failures} failed or timed out`, results));
      } else if (answered === n) finish();
    };

    for (let i = 0; i < n; i++) {
      const ref = refs[i];
      let reply: Promise<TReply>;
      try {
        reply = ref.ask<TReply>(event, { timeoutMs, signal: cancel.signal });
      } catch (err) {
        reply = Promise.reject(err);
      }
      reply.then(
        (value) => settle(i, { status: 'ok', ref, value }),
        (error: unknown) =>
          settle(
            i,
            TroupeError.is(error, 'TROUPE_ERR_TIMEOUT')
              ? { status: 'timeout', ref }
              : { status: 'error', ref, error: asTroupeError(error) },
          ),
      );
    }
  });
}

function validate(refs: readonly ActorRef[], event: unknown, options: GatherOptions): TroupeError | undefined {
  if (!Array.isArray(refs)) return createError('TROUPE_ERR_INVALID_OPTION', 'gather needs an array of refs');
  for (const ref of refs) {
    if (typeof (ref as Partial<ActorRef> | undefined)?.ask !== 'function') {
      return createError('TROUPE_ERR_INVALID_OPTION', `gather needs troupe refs, got ${String(ref)}`);
    }
  }
  if (!isEvent(event)) return createError('TROUPE_ERR_INVALID_EVENT', 'gather needs an event object with a string type');
  const { timeoutMs, min, signal } = options;
  if (timeoutMs !== undefined) {
    try {
      validateTimeout('gather timeoutMs', timeoutMs);
    } catch (error) {
      return error as TroupeError;
    }
  }
  if (min !== undefined && !(Number.isInteger(min) && min >= 0 && min <= refs.length)) {
    return createError(
      'TROUPE_ERR_INVALID_OPTION',
      `gather min must be a whole number in 0..${refs.length} (the number of refs), got ${String(min)}`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return createError('TROUPE_ERR_INVALID_OPTION', 'gather signal must be an AbortSignal');
  }
  return undefined;
}

function asTroupeError(error: unknown): TroupeError {
  if (error instanceof TroupeError) return error;
  return createError('TROUPE_ERR_ACTOR_FAILED', `ask failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
