/**
 * The work queue's options, tasks, stats and handle, and the checks on them.
 * @module
 */
import { createError, type InvalidArgumentError, type TroupeError } from '../errors.js';
import { checkKey } from '../store/args.js';
import { checkJson } from '../store/json.js';
import type { Fence, Store } from '../store/store.js';
import { type BackoffOptions, validateBackoff } from '../util/backoff.js';
import {
  isRef,
  type ScopeOptions,
  validateCount,
  validateFence,
  validateOptions,
  validateSource,
  validateStore,
  validateTimeout,
  type WorkerSource,
} from './scope.js';
import { checkpointPrefix } from './work-queue-store.js';

/**
 * One task of a {@link WorkQueue}: its id, its input (the worker's task input) and its priority.
 *
 * @example
 * ```ts
 * q.add({ id: 'README.md', input: { file: 'README.md' }, priority: 10 } satisfies WorkTask);
 * ```
 */
export interface WorkTask<TInput = unknown> {
  /** Unique within the queue: a second task with a known id is ignored, and results are kept once per id. */
  id: string;
  input: TInput;
  /** Higher runs first; FIFO within one priority. Default 0. */
  priority?: number;
}

/**
 * Several slots on one worker source: `count` workers (or `count` slots on one ref).
 *
 * @example
 * ```ts
 * workQueue(system, { workers: [{ worker: auditor, count: 8 }, { worker: { node: 'b', logic: 'auditor' }, count: 4 }] satisfies WorkerPool[], tasks });
 * ```
 */
export interface WorkerPool {
  worker: WorkerSource;
  /** Slots (spawned workers for logic). Default 1. */
  count?: number;
}

/**
 * Options of {@link workQueue}.
 *
 * @example
 * ```ts
 * const options: WorkQueueOptions = { workers: [{ worker: auditor, count: 8 }], tasks, maxAttempts: 3, taskTimeoutMs: 30_000, store, runId: 'audit-1' };
 * ```
 */
export interface WorkQueueOptions<TInput = unknown> extends ScopeOptions {
  /** Refs (each one slot; e.g. on two nodes), logic, `{ node, logic }`, or `{ worker, count }`. */
  workers: readonly (WorkerSource | WorkerPool)[];
  tasks?: readonly WorkTask<TInput>[];
  /** Attempts per task before it fails for good. Default 3. */
  maxAttempts?: number;
  /** Delay before a failed task is retried. Default `{ minMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 }`. */
  backoff?: BackoffOptions;
  /** How long one attempt may take, ms. Default: the system's ask timeout. */
  taskTimeoutMs?: number;
  /** Tasks one slot may have in flight. Default 1 (pure pull: a free worker takes the next task). */
  prefetch?: number;
  /** Checkpoints every task state change (key `work-queue/<runId>/<id>`); with `runId`, a new queue resumes the run. */
  store?: Store;
  /** Names the run in the store. Required with `store`. */
  runId?: string;
  /**
   * Fences every checkpoint with a lease grant (e.g. a `singleton`'s `fence`): once another holder
   * took the lease, the next checkpoint is refused and `done` rejects with `TROUPE_ERR_FENCED`.
   */
  fence?: Fence;
}

/**
 * Counters of a {@link WorkQueue}.
 *
 * @example
 * ```ts
 * const { queued, running, done, failed, retries }: WorkQueueStats = q.stats();
 * ```
 */
export interface WorkQueueStats {
  /** Waiting to run, including tasks waiting out a retry backoff. */
  queued: number;
  running: number;
  done: number;
  failed: number;
  /** Attempts that were re-queued (failures, timeouts, lost workers). */
  retries: number;
}

/**
 * A running {@link workQueue}.
 *
 * @example
 * ```ts
 * const q: WorkQueue<Input, Finding[]> = workQueue(system, options);
 * q.add({ id: 'late', input });
 * const results = await q.done; // Map<id, output>
 * ```
 */
export interface WorkQueue<TInput = unknown, TOutput = unknown> {
  /**
   * Resolves with every finished task's output, by id, once no task is queued or running; rejects
   * with `TROUPE_ERR_ABORTED` (signal), `TROUPE_ERR_CANCELLED` (the parent exited),
   * `TROUPE_ERR_NO_ACTOR` (every worker is gone; the unfinished tasks stay queued in the store) or
   * `TROUPE_ERR_STORE_FAILED`.
   */
  readonly done: Promise<Map<string, TOutput>>;
  /** Adds a task while the queue runs (ignored when its id is known). Throws once `done` settled. */
  add(task: WorkTask<TInput>): void;
  stats(): WorkQueueStats;
  /** Tasks that failed for good (after `maxAttempts`), with their last error. */
  failures(): Map<string, TroupeError>;
}

/** A work queue's options, checked, with their defaults. @internal */
export interface QueueSettings<TInput> {
  pools: { worker: WorkerSource; count: number }[];
  tasks: readonly WorkTask<TInput>[];
  maxAttempts: number;
  backoff: BackoffOptions;
  prefetch: number;
}

/** Checks every option of a work queue at once (`TROUPE_ERR_INVALID_OPTION`) and fills in defaults. @internal */
export function readOptions<TInput>(options: WorkQueueOptions<TInput>): QueueSettings<TInput> {
  validateOptions(options, 'workQueue');
  const { workers, tasks = [], store, runId } = options;
  if (!Array.isArray(workers) || workers.length === 0) throw invalid('workQueue workers must be a non-empty array');
  const pools = workers.map((w) => toPool(w));
  const maxAttempts = options.maxAttempts ?? 3;
  validateCount(maxAttempts, 'workQueue maxAttempts');
  if (options.backoff !== undefined && (typeof options.backoff !== 'object' || options.backoff === null)) {
    throw invalid('workQueue backoff must be { minMs, maxMs, factor, jitter }');
  }
  const backoff = validateBackoff(options.backoff ?? { minMs: 100 }, (m) => {
    throw invalid(`workQueue ${m}`);
  });
  validateTimeout(options.taskTimeoutMs, 'workQueue taskTimeoutMs');
  const prefetch = options.prefetch ?? 1;
  validateCount(prefetch, 'workQueue prefetch');
  if (!Array.isArray(tasks)) throw invalid('workQueue tasks must be an array');
  let keyPrefix: string | undefined;
  if (store !== undefined) {
    validateStore(store, 'workQueue store');
    if (typeof runId !== 'string' || runId.length === 0) throw invalid('workQueue needs a runId with a store');
    validateFence(options.fence, 'workQueue fence');
    keyPrefix = checkpointPrefix(runId);
    validateRunId(keyPrefix);
  }
  for (const task of tasks) validateTask(task, keyPrefix);
  return { pools, tasks, maxAttempts, backoff, prefetch };
}

/** @internal */
export function toPool(w: WorkerSource | WorkerPool): { worker: WorkerSource; count: number } {
  if (typeof w === 'object' && w !== null && 'worker' in w && !isRef(w)) {
    const pool = w as WorkerPool;
    validateSource(pool.worker, 'workQueue worker');
    const count = pool.count ?? 1;
    validateCount(count, 'workQueue worker count');
    return { worker: pool.worker, count };
  }
  validateSource(w, 'workQueue worker');
  return { worker: w, count: 1 };
}

/** Checks that a run's checkpoint prefix leaves room for task ids in a store key. @internal */
export function validateRunId(keyPrefix: string): void {
  try {
    checkKey(`${keyPrefix}_`);
  } catch (err) {
    throw invalid(`workQueue runId cannot name checkpoints: ${(err as Error).message}`);
  }
}

/**
 * Checks a task; with `keyPrefix` (a store checkpoints the queue under it) its id must make a valid
 * store key and its input must be JSON too.
 * @internal
 */
export function validateTask(task: WorkTask<unknown>, keyPrefix: string | undefined): void {
  if (typeof task !== 'object' || task === null || typeof task.id !== 'string' || task.id.length === 0) {
    throw invalid(`a work queue task needs a non-empty string id, got ${describe(task)}`);
  }
  if (task.priority !== undefined && !Number.isFinite(task.priority)) throw invalid(`task ${task.id}: priority must be a finite number`);
  if (keyPrefix !== undefined) {
    try {
      checkKey(keyPrefix + task.id);
    } catch (err) {
      throw invalid(`task ${task.id.slice(0, 100)}: its id cannot name a checkpoint: ${(err as Error).message}`);
    }
    try {
      checkJson(task.input);
    } catch (err) {
      throw invalid(`task ${task.id}: a work queue with a store checkpoints its input, which must be JSON: ${(err as Error).message}`);
    }
  }
}

/** Checks a worker's output before it is checkpointed: not JSON fails the attempt, not the queue. @internal */
export function checkDurableOutput(taskId: string, output: unknown): TroupeError | undefined {
  try {
    checkJson(output === undefined ? null : output);
    return undefined;
  } catch (err) {
    return createError('TROUPE_ERR_INVALID_OUTPUT', `task ${taskId}: its output cannot be checkpointed: ${(err as Error).message}`);
  }
}

function describe(task: unknown): string {
  try {
    return String(JSON.stringify(task)).slice(0, 100);
  } catch {
    return String(task);
  }
}

/** @internal */
export function invalid(message: string): InvalidArgumentError {
  return createError('TROUPE_ERR_INVALID_OPTION', message);
}
