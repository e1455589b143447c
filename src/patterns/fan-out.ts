/**
 * Fan-out/fan-in: one task per item, run concurrently under a limit (and optionally in batches),
 * results in item order. One failure never sinks the rest; the workers it spawned never outlive it.
 * @module
 */
import type { ActorSystem } from '../actors/system.js';
import { createError, type TroupeError } from '../errors.js';
import { Limiter } from './limiter.js';
import {
  asTroupeError,
  describeError,
  outcomeOf,
  PatternScope,
  type ScopeOptions,
  validateCount,
  validateOptions,
  validateSource,
  validateTimeout,
  type WorkerSource,
} from './scope.js';
import { runTask, type Usage } from './worker-protocol.js';

/**
 * What one item gave a {@link fanOut}.
 *
 * @example
 * ```ts
 * for (const r of await fanOut(system, { worker, items })) {
 *   if (r.status === 'ok') use(r.value);
 *   else console.warn(r.error.code);
 * }
 * ```
 */
export type FanOutResult<TOutput = unknown> = { status: 'ok'; value: TOutput; usage?: Usage } | { status: 'error'; error: TroupeError };

/**
 * One finished item, as {@link FanOutOptions.onProgress} sees it.
 *
 * @example
 * ```ts
 * onProgress: ({ done, total }: FanOutProgress) => bar.update(done / total),
 * ```
 */
export interface FanOutProgress<TOutput = unknown> {
  index: number;
  result: FanOutResult<TOutput>;
  /** Items finished so far, this one included. */
  done: number;
  total: number;
}

/**
 * Options of {@link fanOut}.
 *
 * @example
 * ```ts
 * const options: FanOutOptions<string, Summary> = { worker: summarize, items: files, concurrency: 8, batchSize: 100, timeoutMs: 30_000 };
 * ```
 */
export interface FanOutOptions<TItem, TOutput> extends ScopeOptions {
  /**
   * Who runs each item: logic (a fresh worker is spawned for each item under the fan-out's scope and
   * stopped when its item is done), a `{ node, logic }` spawned likewise on another node, or a ref
   * that gets every item.
   */
  worker: WorkerSource;
  items: readonly TItem[];
  /** Items in flight at once. Default 10. */
  concurrency?: number;
  /** When set, items run in batches of this size: a batch starts once the previous one finished. */
  batchSize?: number;
  /** How long each item may take, ms. Default: the system's ask timeout. */
  timeoutMs?: number;
  /** Called once per finished item, in completion order. A throw ends the fan-out: it rejects with that error. */
  onProgress?: (progress: FanOutProgress<TOutput>) => void;
  /** Hierarchy depth sent with each task (the worker protocol's `depth`). */
  depth?: number;
}

/**
 * Sends each item as a task to a worker and collects one {@link FanOutResult} per item, in item
 * order. At most `concurrency` items run at once (and at most `batchSize` between two waits);
 * workers spawned for it are stopped when each item ends and, whatever happens, when the fan-out
 * ends, is aborted (rejects with `TROUPE_ERR_ABORTED`) or its `parent` actor exits (rejects with
 * `TROUPE_ERR_CANCELLED`).
 *
 * @example
 * ```ts
 * const results = await fanOut(system, { worker: summarize, items: files, concurrency: 8, timeoutMs: 30_000 });
 * const summaries = results.flatMap((r) => (r.status === 'ok' ? [r.value] : []));
 * ```
 */
export async function fanOut<TItem = unknown, TOutput = unknown>(
  system: ActorSystem,
  options: FanOutOptions<TItem, TOutput>,
): Promise<FanOutResult<TOutput>[]> {
  validateOptions(options, 'fanOut');
  const { worker, items, timeoutMs, onProgress, depth } = options;
  validateSource(worker, 'fanOut worker');
  if (!Array.isArray(items)) throw invalid('fanOut items must be an array');
  const concurrency = options.concurrency ?? 10;
  validateCount(concurrency, 'fanOut concurrency');
  const n = items.length;
  const batchSize = options.batchSize ?? Math.max(n, 1);
  validateCount(batchSize, 'fanOut batchSize');
  validateTimeout(timeoutMs, 'fanOut timeoutMs');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('fanOut onProgress must be a function');
  if (depth !== undefined) validateCount(depth, 'fanOut depth', 0);

  const scope = new PatternScope(system, 'fan-out', options);
  scope.emit('start', { detail: `${n} items` });
  const results: FanOutResult<TOutput>[] = new Array(n);
  const limiter = new Limiter(concurrency);
  let done = 0;

  const runOne = async (index: number): Promise<void> => {
    const taskId = `${scope.run}.${index}`;
    let result: FanOutResult<TOutput>;
    let address: string | undefined;
    try {
      const held = await scope.hold(worker);
      address = held.ref.address;
      scope.emit('task-start', { taskId, worker: address });
      try {
        const { output, usage } = await runTask<TOutput>(held.ref, items[index], { timeoutMs, signal: scope.signal, taskId, depth });
        result = usage === undefined ? { status: 'ok', value: output } : { status: 'ok', value: output, usage };
      } finally {
        await held.release();
      }
    } catch (err) {
      if (scope.signal.aborted) return;
      result = { status: 'error', error: asTroupeError(err, `item ${index}`) };
    }
    if (scope.signal.aborted) return;
    results[index] = result;
    done++;
    if (result.status === 'ok') scope.emit('task-done', { taskId, worker: address });
    else scope.emit('task-failed', { taskId, worker: address, detail: describeError(result.error) });
    onProgress?.({ index, result, done, total: n });
  };

  try {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const batch: Promise<void>[] = [];
      for (let i = start; i < end; i++) {
        await limiter.acquire();
        scope.throwIfAborted();
        // A throw of onProgress ends the fan-out with that error (never an unhandled rejection).
        batch.push(
          runOne(i)
            .catch((err: unknown) => scope.abort(err))
            .finally(() => limiter.release()),
        );
      }
      await Promise.all(batch);
      scope.throwIfAborted();
    }
  } catch (err) {
    await scope.close(outcomeOf(err), describeError(err));
    throw err;
  }
  await scope.close('done');
  return results;
}

function invalid(message: string): TroupeError {
  return createError('TROUPE_ERR_INVALID_OPTION', message);
}
