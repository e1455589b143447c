/**
 * A sequential pipeline with a checkpoint after every stage: the same `runId` resumes after the last
 * finished stage and never runs a finished stage again; an optional `prune` between stages keeps
 * the carried context from growing without bound.
 * @module
 */
import type { ActorSystem } from '../actors/system.js';
import { createError, TroupeError } from '../errors.js';
import { checkJson } from '../store/json.js';
import type { Fence, JsonValue, Store } from '../store/store.js';
import {
  asTroupeError,
  describeError,
  outcomeOf,
  PatternScope,
  type ScopeOptions,
  validateFence,
  validateOptions,
  validateSource,
  validateStore,
  validateTimeout,
  type WorkerSource,
} from './scope.js';
import { addUsage, emptyUsage, runTask, type Usage } from './worker-protocol.js';

/**
 * One stage: a worker that takes the previous stage's output (the first takes `input`) and returns the next.
 *
 * @example
 * ```ts
 * const stage: PipelineStage = { name: 'summarize', worker: summarizer, timeoutMs: 60_000 };
 * ```
 */
export interface PipelineStage {
  /** Unique within the pipeline; the checkpoint records stages by name. */
  name: string;
  worker: WorkerSource;
  /** How long this stage may take, ms. Default: the pipeline's `timeoutMs`. */
  timeoutMs?: number;
}

/**
 * What {@link PipelineOptions.prune} learns about the point between two stages.
 *
 * @example
 * ```ts
 * prune: (context, { after }: PruneInfo) => (after === 'fetch' ? { text: (context as Page).text } : context),
 * ```
 */
export interface PruneInfo {
  /** The stage that just finished. */
  after: string;
  /** The stage about to run. */
  next: string;
}

/**
 * Options of {@link pipeline}.
 *
 * @example
 * ```ts
 * const options: PipelineOptions = { runId: 'report-42', store, input: { url }, stages: [fetchStage, summarizeStage] };
 * ```
 */
export interface PipelineOptions<TInput extends JsonValue = JsonValue> extends ScopeOptions {
  /** Names the run in the store: the same id resumes where the last attempt stopped. */
  runId: string;
  stages: readonly PipelineStage[];
  input: TInput;
  /** Where checkpoints go (key `pipeline/<runId>`). */
  store: Store;
  /**
   * Fences every checkpoint with a lease grant (e.g. a `singleton`'s `fence`): once another holder
   * took the lease, this run's next checkpoint is refused with `TROUPE_ERR_FENCED` and it stops.
   */
  fence?: Fence;
  /** Called between stages with the carried context; what it returns is checkpointed and passed on. */
  prune?: (context: JsonValue, info: PruneInfo) => JsonValue | Promise<JsonValue>;
  /** Default per-stage timeout, ms. Default: the system's ask timeout. */
  timeoutMs?: number;
}

/**
 * What a {@link pipeline} resolves to.
 *
 * @example
 * ```ts
 * const { output, ran, resumed }: PipelineResult = await pipeline(system, options);
 * // after a crash in stage 2: resumed = ['fetch'], ran = ['summarize']
 * ```
 */
export interface PipelineResult<TOutput extends JsonValue = JsonValue> {
  /** The last stage's output. */
  output: TOutput;
  /** Usage of the stages run by this call. */
  usage: Usage;
  /** Names of the stages this call ran (finished stages of an earlier attempt are not run again). */
  ran: string[];
  /** Names of the stages an earlier attempt had finished. */
  resumed: string[];
}

/** The checkpoint of a run, as stored. */
interface Checkpoint {
  stages: string[];
  /** Index of the next stage to run (`stages.length` once done). */
  next: number;
  context: JsonValue;
}

/** The store key of a pipeline run's checkpoint. */
export function pipelineKey(runId: string): string {
  return `pipeline/${runId}`;
}

/**
 * Runs `stages` in order, each stage's worker getting the previous stage's output as its task
 * input, and checkpoints the output in `store` after every stage. Called again with the same
 * `runId` (after a crash, a failure or a restart of the process), it resumes after the last
 * finished stage; a finished run returns its output without running anything.
 *
 * @example
 * ```ts
 * const { output } = await pipeline(system, {
 *   runId: 'report-42', store, input: { url },
 *   stages: [{ name: 'fetch', worker: fetcher }, { name: 'summarize', worker: summarizer }],
 * });
 * ```
 */
export async function pipeline<TOutput extends JsonValue = JsonValue, TInput extends JsonValue = JsonValue>(
  system: ActorSystem,
  options: PipelineOptions<TInput>,
): Promise<PipelineResult<TOutput>> {
  validateOptions(options, 'pipeline');
  const { runId, stages, store, prune, timeoutMs } = options;
  validate(options);
  const names = stages.map((s) => s.name);
  const key = pipelineKey(runId);
  const saved = await store.get<JsonValue>(key);
  let next = 0;
  let context: JsonValue = options.input;
  if (saved !== undefined) {
    const checkpoint = readCheckpoint(saved.value, runId);
    for (let i = 0; i < checkpoint.next; i++) {
      if (checkpoint.stages[i] !== names[i]) {
        throw createError(
          'TROUPE_ERR_INVALID_OPTION',
          `pipeline ${runId} was checkpointed with stages [${checkpoint.stages.join(', ')}]; it cannot resume with [${names.join(', ')}]`,
        );
      }
    }
    next = checkpoint.next;
    context = checkpoint.context;
  }
  const resumed = names.slice(0, next);
  const usage = emptyUsage();
  const ran: string[] = [];
  if (next >= stages.length) return { output: context as TOutput, usage, ran, resumed };

  const scope = new PatternScope(system, 'pipeline', { ...options, run: runId });
  scope.emit('start', { detail: next > 0 ? `resuming at stage ${names[next]}` : `${stages.length} stages` });
  try {
    for (let i = next; i < stages.length; i++) {
      const stage = stages[i];
      const taskId = `${runId}.${i + 1}`;
      const held = await scope.hold(stage.worker);
      scope.emit('task-start', { taskId, worker: held.ref.address, detail: stage.name });
      let output: JsonValue;
      try {
        const result = await runTask<JsonValue>(held.ref, context, {
          timeoutMs: stage.timeoutMs ?? timeoutMs,
          signal: scope.signal,
          taskId,
        });
        output = result.output;
        checkJson(output);
        addUsage(usage, result.usage);
      } catch (err) {
        scope.throwIfAborted();
        // A worker's output that cannot be checkpointed is its fault: TROUPE_ERR_INVALID_OUTPUT.
        const cause = TroupeError.is(err, 'TROUPE_ERR_INVALID_VALUE')
          ? createError('TROUPE_ERR_INVALID_OUTPUT', `its output is not JSON: ${err.message}`, { cause: err })
          : asTroupeError(err, `stage ${stage.name}`);
        scope.emit('task-failed', { taskId, worker: held.ref.address, detail: describeError(cause) });
        throw createError(cause.code, `pipeline ${runId}, stage ${stage.name}: ${cause.message}`, { cause });
      } finally {
        await held.release();
      }
      scope.throwIfAborted();
      ran.push(stage.name);
      scope.emit('task-done', { taskId, worker: held.ref.address, detail: stage.name });
      context =
        i + 1 < stages.length && prune !== undefined ? await prune(output, { after: stage.name, next: stages[i + 1].name }) : output;
      scope.throwIfAborted();
      const checkpoint: Checkpoint = { stages: names, next: i + 1, context };
      await store.put(key, checkpoint as unknown as JsonValue, options.fence === undefined ? undefined : { fence: options.fence });
    }
  } catch (err) {
    await scope.close(outcomeOf(err), describeError(err));
    throw err;
  }
  await scope.close('done');
  return { output: context as TOutput, usage, ran, resumed };
}

function validate(options: PipelineOptions<JsonValue>): void {
  const { runId, stages, store, prune, timeoutMs } = options;
  const fail = (message: string): never => {
    throw createError('TROUPE_ERR_INVALID_OPTION', message);
  };
  if (typeof runId !== 'string' || runId.length === 0) fail('pipeline runId must be a non-empty string');
  if (!Array.isArray(stages) || stages.length === 0) fail('pipeline stages must be a non-empty array');
  const seen = new Set<string>();
  for (const stage of stages) {
    if (typeof stage?.name !== 'string' || stage.name.length === 0) fail('every pipeline stage needs a non-empty name');
    if (seen.has(stage.name)) fail(`pipeline stage names must be unique; ${JSON.stringify(stage.name)} repeats`);
    seen.add(stage.name);
    validateSource(stage.worker, `pipeline stage ${stage.name} worker`);
    validateTimeout(stage.timeoutMs, `pipeline stage ${stage.name} timeoutMs`);
  }
  validateStore(store, 'pipeline store');
  validateFence(options.fence, 'pipeline fence');
  if (prune !== undefined && typeof prune !== 'function') fail('pipeline prune must be a function');
  try {
    checkJson(options.input);
  } catch (err) {
    fail(`pipeline input must be JSON (it is checkpointed between stages): ${(err as Error).message}`);
  }
  validateTimeout(timeoutMs, 'pipeline timeoutMs');
}

function readCheckpoint(value: JsonValue, runId: string): Checkpoint {
  const c = value as Partial<Checkpoint> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    !Array.isArray(c.stages) ||
    !c.stages.every((s) => typeof s === 'string') ||
    !(Number.isInteger(c.next) && (c.next as number) >= 0 && (c.next as number) <= c.stages.length) ||
    !('context' in c)
  ) {
    throw createError('TROUPE_ERR_STORE_FAILED', `the checkpoint of pipeline ${runId} is malformed`);
  }
  return c as Checkpoint;
}
