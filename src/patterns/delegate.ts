/**
 * Recursive delegation: a task is either atomic (a worker executes it) or decomposed into subtasks
 * that are delegated in turn, concurrently, and combined. Task ids are hierarchical (`1.2.3`);
 * `maxDepth` bounds the recursion (`TROUPE_ERR_MAX_DEPTH` past it).
 * @module
 */
import type { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';
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
import { addUsage, emptyUsage, runTask, type Usage } from './worker-protocol.js';

/**
 * Where a task sits in the tree: its hierarchical id (`1`, `1.2`, `1.2.3`) and depth (root 0).
 *
 * @example
 * ```ts
 * isAtomic: (task, info: TaskInfo) => info.depth >= 2 || task.files.length <= 10, // info.id is e.g. '1.2.3'
 * ```
 */
export interface TaskInfo {
  id: string;
  depth: number;
}

/**
 * Options of {@link delegate}.
 *
 * @example
 * ```ts
 * const options: DelegateOptions<Job, Report> = { task, isAtomic, decompose, execute: reviewer, combine, maxDepth: 3, concurrency: 8 };
 * ```
 */
export interface DelegateOptions<TTask, TResult> extends ScopeOptions {
  /** The root task (depth 0, id `1`). */
  task: TTask;
  /** True when `execute` should run the task as is. */
  isAtomic: (task: TTask, info: TaskInfo) => boolean | Promise<boolean>;
  /** Splits a task into subtasks (each one level deeper). */
  decompose: (task: TTask, info: TaskInfo) => readonly TTask[] | Promise<readonly TTask[]>;
  /** Runs atomic tasks: logic (spawned per task under the delegation's scope), `{ node, logic }`, or a ref. */
  execute: WorkerSource;
  /** Combines the subtasks' results, in subtask order, into the task's result. */
  combine: (results: TResult[], task: TTask, info: TaskInfo) => TResult | Promise<TResult>;
  /** Deepest depth a subtask may have; a subtask deeper than this fails the whole call with `TROUPE_ERR_MAX_DEPTH`. */
  maxDepth: number;
  /** Atomic tasks executing at once. Default 4. */
  concurrency?: number;
  /** How long each atomic task may take, ms. Default: the system's ask timeout. */
  timeoutMs?: number;
}

/**
 * What a {@link delegate} resolves to.
 *
 * @example
 * ```ts
 * const { output, executed, depth, usage }: DelegateResult<Report> = await delegate(system, options);
 * ```
 */
export interface DelegateResult<TResult> {
  output: TResult;
  /** Usage summed over every atomic task. */
  usage: Usage;
  /** Atomic tasks executed. */
  executed: number;
  /** Deepest depth reached. */
  depth: number;
}

/**
 * Delegates `task` recursively: atomic tasks go to `execute` (at most `concurrency` at once,
 * with their hierarchical id as the worker protocol's `taskId` and their depth as `depth`), other
 * tasks are decomposed and their subtasks delegated concurrently, then combined. The first failure
 * (a worker's, a function's, or `TROUPE_ERR_MAX_DEPTH`) cancels everything in flight and rejects.
 *
 * @example
 * ```ts
 * const { output } = await delegate(system, {
 *   task: { files: allFiles },
 *   isAtomic: (t) => t.files.length <= 10,
 *   decompose: (t) => chunk(t.files, 10).map((files) => ({ files })),
 *   execute: reviewer,
 *   combine: (results) => results.flat(),
 *   maxDepth: 3,
 * });
 * ```
 */
export async function delegate<TTask = unknown, TResult = unknown>(
  system: ActorSystem,
  options: DelegateOptions<TTask, TResult>,
): Promise<DelegateResult<TResult>> {
  validateOptions(options, 'delegate');
  const { isAtomic, decompose, execute, combine, maxDepth, timeoutMs } = options;
  for (const [name, fn] of [
    ['isAtomic', isAtomic],
    ['decompose', decompose],
    ['combine', combine],
  ] as const) {
    if (typeof fn !== 'function') throw createError('TROUPE_ERR_INVALID_OPTION', `delegate ${name} must be a function`);
  }
  validateSource(execute, 'delegate execute');
  validateCount(maxDepth, 'delegate maxDepth', 0);
  const concurrency = options.concurrency ?? 4;
  validateCount(concurrency, 'delegate concurrency');
  validateTimeout(timeoutMs, 'delegate timeoutMs');

  const scope = new PatternScope(system, 'delegate', options);
  const limiter = new Limiter(concurrency);
  const usage = emptyUsage();
  let executed = 0;
  let deepest = 0;

  const run = async (task: TTask, info: TaskInfo): Promise<TResult> => {
    scope.throwIfAborted();
    deepest = Math.max(deepest, info.depth);
    if (await isAtomic(task, info)) return limiter.run(() => executeOne(task, info));
    const subtasks = await decompose(task, info);
    if (!Array.isArray(subtasks)) throw createError('TROUPE_ERR_INVALID_OUTPUT', `decompose of task ${info.id} did not return an array`);
    const depth = info.depth + 1;
    if (subtasks.length > 0 && depth > maxDepth) {
      throw createError(
        'TROUPE_ERR_MAX_DEPTH',
        `task ${info.id} at depth ${info.depth} would delegate to depth ${depth}, past maxDepth ${maxDepth}`,
      );
    }
    const results = await Promise.all(subtasks.map((sub, i) => run(sub, { id: `${info.id}.${i + 1}`, depth })));
    scope.throwIfAborted();
    return combine(results, task, info);
  };

  const executeOne = async (task: TTask, info: TaskInfo): Promise<TResult> => {
    scope.throwIfAborted();
    const held = await scope.hold(execute);
    scope.emit('task-start', { taskId: info.id, worker: held.ref.address });
    try {
      const result = await runTask<TResult>(held.ref, task, {
        timeoutMs,
        signal: scope.signal,
        taskId: info.id,
        depth: info.depth,
        maxDepth,
      });
      addUsage(usage, result.usage);
      executed++;
      scope.emit('task-done', { taskId: info.id, worker: held.ref.address });
      return result.output;
    } catch (err) {
      scope.throwIfAborted();
      const error = asTroupeError(err, `task ${info.id}`);
      scope.emit('task-failed', { taskId: info.id, worker: held.ref.address, detail: describeError(error) });
      throw error;
    } finally {
      await held.release();
    }
  };

  scope.emit('start');
  let output: TResult;
  try {
    output = await run(options.task, { id: '1', depth: 0 });
  } catch (err) {
    // Fail fast: the first failure cancels every task still in flight.
    scope.abort(err);
    await scope.close(outcomeOf(err), describeError(err));
    throw err;
  }
  await scope.close('done');
  return { output, usage, executed, depth: deepest };
}
