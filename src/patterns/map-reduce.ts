/**
 * Map-reduce: a map worker per item (typically a cheap model), then one reduce worker (a strong
 * model) over the map outputs in item order. Usage is summed over every call, by model.
 * @module
 */
import type { ActorSystem } from '../actors/system.js';
import { createError, TroupeError } from '../errors.js';
import { fanOut } from './fan-out.js';
import {
  asTroupeError,
  describeError,
  outcomeOf,
  PatternScope,
  type ScopeOptions,
  validateOptions,
  validateSource,
  validateTimeout,
  type WorkerSource,
} from './scope.js';
import { addUsage, emptyUsage, runTask, type Usage } from './worker-protocol.js';

/**
 * Options of {@link mapReduce}.
 *
 * @example
 * ```ts
 * const options: MapReduceOptions<string> = { items: files, map: cheapReviewer, reduce: strongSummarizer, concurrency: 8, onMapError: 'skip' };
 * ```
 */
export interface MapReduceOptions<TItem> extends ScopeOptions {
  items: readonly TItem[];
  /** Runs once per item, with the item as its input: logic (spawned per item), `{ node, logic }` or a ref. */
  map: WorkerSource;
  /** Runs once, with `{ items: [map outputs in item order] }` as its input. */
  reduce: WorkerSource;
  /** Map tasks at once. Default 10. */
  concurrency?: number;
  /** How long each map task may take, ms. Default: the system's ask timeout. */
  timeoutMs?: number;
  /** How long the reduce task may take, ms. Default: `timeoutMs`. */
  reduceTimeoutMs?: number;
  /** `'fail'` (default): a failed map item fails the call; `'skip'`: the reducer gets only the items that mapped. */
  onMapError?: 'fail' | 'skip';
}

/**
 * What a {@link mapReduce} resolves to.
 *
 * @example
 * ```ts
 * const { output, skipped, usage }: MapReduceResult<Note, Summary> = await mapReduce(system, options);
 * console.log(usage.byModel);
 * ```
 */
export interface MapReduceResult<TMapped, TOutput> {
  output: TOutput;
  /** The map outputs the reducer got, in item order. */
  mapped: TMapped[];
  /** Every map and the reduce call, summed (by model in `usage.byModel`). */
  usage: Usage;
  /** Indexes of the items whose map failed (with `onMapError: 'skip'`). */
  skipped: number[];
}

/**
 * Maps every item with `map` (at most `concurrency` at once), then reduces the outputs with
 * `reduce`. Workers it spawns are stopped at the end, on abort, or when `parent` exits.
 *
 * @example
 * ```ts
 * const { output, usage } = await mapReduce(system, { items: files, map: cheapReviewer, reduce: strongSummarizer, concurrency: 8 });
 * console.log(usage.byModel); // { 'gpt-4.1-mini': { calls: 100, … }, 'gpt-4.1': { calls: 1, … } }
 * ```
 */
export async function mapReduce<TItem = unknown, TMapped = unknown, TOutput = unknown>(
  system: ActorSystem,
  options: MapReduceOptions<TItem>,
): Promise<MapReduceResult<TMapped, TOutput>> {
  validateOptions(options, 'mapReduce');
  const { items, map, reduce, concurrency, timeoutMs } = options;
  const onMapError = options.onMapError ?? 'fail';
  validateSource(map, 'mapReduce map');
  validateSource(reduce, 'mapReduce reduce');
  validateTimeout(options.reduceTimeoutMs, 'mapReduce reduceTimeoutMs');
  if (onMapError !== 'fail' && onMapError !== 'skip') {
    throw createError('TROUPE_ERR_INVALID_OPTION', `mapReduce onMapError must be 'fail' or 'skip', got ${String(onMapError)}`);
  }
  const scope = new PatternScope(system, 'map-reduce', options);
  scope.emit('start', { detail: `${Array.isArray(items) ? items.length : 0} items` });
  try {
    const results = await fanOut<TItem, TMapped>(system, {
      worker: map,
      items,
      concurrency,
      timeoutMs,
      signal: scope.signal,
      parent: scope.ref,
    });
    const usage = emptyUsage();
    const mapped: TMapped[] = [];
    const skipped: number[] = [];
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (r.status === 'ok') {
        mapped.push(r.value);
        addUsage(usage, r.usage);
      } else if (onMapError === 'skip') skipped.push(i);
      else throw createError(r.error.code, `mapReduce: item ${i} failed to map: ${r.error.message}`, { cause: r.error });
    }
    const held = await scope.hold(reduce);
    scope.emit('task-start', { taskId: 'reduce', worker: held.ref.address });
    let output: TOutput;
    try {
      const reduced = await runTask<TOutput>(
        held.ref,
        { items: mapped },
        { timeoutMs: options.reduceTimeoutMs ?? timeoutMs, signal: scope.signal, taskId: `${scope.run}.reduce` },
      );
      output = reduced.output;
      addUsage(usage, reduced.usage);
    } catch (err) {
      scope.throwIfAborted();
      throw asTroupeError(err, 'mapReduce reduce');
    } finally {
      await held.release();
    }
    scope.emit('task-done', { taskId: 'reduce', worker: held.ref.address });
    await scope.close('done');
    return { output, mapped, usage, skipped };
  } catch (err) {
    const error = scope.signal.aborted && !TroupeError.is(err) ? scope.signal.reason : err;
    await scope.close(outcomeOf(error), describeError(error));
    throw error;
  }
}
