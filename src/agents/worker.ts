/** `defineWorker`: a user's `run` function as an actor speaking the worker protocol. */
import type { z } from 'zod';
import { createError } from '../errors.js';
import type { Usage, WorkerDescriptor } from '../patterns/worker-protocol.js';
import { type AgentLogic, kAgentLogic } from './agent-logic.js';
import { agentLogic, WORKER_PHASES } from './agent-machine.js';
import { checkToolName, describeZodError, isZodType, jsonSchemaOf, taskInput } from './describe.js';
import type { TaskContext, TaskOutcome, TaskSpec } from './task-host.js';

/**
 * What a worker's `run` is given, once per task.
 *
 * @example
 * ```ts
 * const indexer = defineWorker({
 *   name: 'indexer',
 *   description: 'Indexes a folder.',
 *   async run({ input, signal, progress, taskId }: WorkerRunContext<{ task: string }>) {
 *     progress({ step: 'scanning', taskId });
 *     return { answer: await indexFolder(input.task, signal) };
 *   },
 * });
 * ```
 */
export interface WorkerRunContext<TInput> {
  /** The task's input, already validated against the worker's `input` schema. */
  input: TInput;
  /** Aborted when the caller cancels (abort, timeout, `cancel`), the stream's consumer leaves, or the worker stops. */
  signal: AbortSignal;
  /** Sends a progress report to a streaming caller (`ref.stream({ type: 'task', … })`); dropped for an ask. */
  progress(update: Record<string, unknown>): void;
  taskId: string;
  /** Hierarchy depth of this task: 0 when nobody delegated it. */
  depth: number;
  /** Adds tokens this task used (a worker that calls a model itself) to its result's `usage`. */
  reportUsage(usage: Usage): void;
}

/**
 * A worker's `run`: async, or an async generator that yields progress and returns the output.
 *
 * @example
 * ```ts
 * const run: WorkerRun<{ task: string }, { answer: string }> = async function* ({ input }) {
 *   yield { step: 'reading' };
 *   return { answer: `read ${input.task}` };
 * };
 * const reader = defineWorker({ name: 'reader', description: 'Reads.', run });
 * ```
 */
export type WorkerRun<TInput, TOutput> = (
  context: WorkerRunContext<TInput>,
) => Promise<TOutput> | AsyncGenerator<Record<string, unknown>, TOutput, undefined>;

/**
 * Options of {@link defineWorker}.
 *
 * @example
 * ```ts
 * const options: WorkerOptions<{ path: string }, { lines: number }> = {
 *   name: 'count_lines',
 *   description: 'Counts the lines of a file.',
 *   input: z.object({ path: z.string() }),
 *   output: z.object({ lines: z.number() }),
 *   run: async ({ input }) => ({ lines: (await fs.readFile(input.path, 'utf8')).split('\n').length }),
 *   concurrency: 4,
 * };
 * const counter = defineWorker(options);
 * ```
 */
export interface WorkerOptions<TInput, TOutput> {
  /** The tool name a coordinator's model sees: 1-64 letters, digits, `_` or `-`. */
  name: string;
  /** What the worker does, and what it cannot do: the model picks workers by it. */
  description: string;
  /** Default `z.object({ task: z.string() })`. Must be a `z.object`. */
  input?: z.ZodType<TInput>;
  /** Validated before the output leaves the worker (`TROUPE_ERR_INVALID_OUTPUT` when it fails). */
  output?: z.ZodType<TOutput>;
  run: WorkerRun<TInput, TOutput>;
  /** Tasks run at once; more wait in order. Default 1. */
  concurrency?: number;
}

/**
 * Defines a worker: spawnable logic whose actor runs `run` once per task, speaking the worker
 * protocol — ask `{ type: 'task', input }` → `{ type: 'result', output, usage }`; a stream of the
 * same event yields `{ type: 'progress', … }` chunks, then the result; `describe` returns its JSON
 * Schemas; `{ type: 'cancel', taskId }` aborts `run`'s signal. Invalid input rejects the ask with
 * `TROUPE_ERR_INVALID_INPUT`, a throwing `run` with `TROUPE_ERR_WORKER_FAILED`, an output that
 * fails `output` with `TROUPE_ERR_INVALID_OUTPUT`. Its machine is `idle → working → idle`.
 *
 * @example
 * ```ts
 * const search = defineWorker({
 *   name: 'search',
 *   description: 'Finds facts in the docs. Cannot modify anything.',
 *   output: z.object({ answer: z.string() }),
 *   async run({ input, signal }) {
 *     return { answer: await lookUp(input.task, signal) };
 *   },
 * });
 * const ref = system.spawn(search, { name: 'search' });
 * const { output } = await ref.ask({ type: 'task', input: { task: 'where is auth?' } }, { timeoutMs: 10_000 });
 * ```
 */
export function defineWorker<TInput = { task: string }, TOutput = unknown>(
  options: WorkerOptions<TInput, TOutput>,
): AgentLogic<TInput, TOutput> {
  if (typeof options !== 'object' || options === null)
    throw createError('TROUPE_ERR_INVALID_OPTION', 'defineWorker needs an options object');
  if (typeof options.run !== 'function')
    throw createError('TROUPE_ERR_INVALID_OPTION', `worker ${String(options.name)} needs a run function`);
  const run = options.run;
  return defineAgentLogic({
    kind: 'worker',
    name: options.name,
    description: options.description,
    input: options.input,
    output: options.output,
    concurrency: options.concurrency,
    phases: WORKER_PHASES,
    busy: { busy: 'working', ok: 'idle', failed: 'idle' },
    keepCodes: false,
    run: () => async (ctx) => ({ output: await runUserFunction(run as WorkerRun<unknown, unknown>, ctx) }),
  }) as AgentLogic<TInput, TOutput>;
}

/** Runs a `run` that may be async or an async generator (whose yields are progress). */
async function runUserFunction(run: WorkerRun<unknown, unknown>, ctx: TaskContext): Promise<unknown> {
  const result = run({
    input: ctx.input,
    signal: ctx.signal,
    progress: ctx.progress,
    taskId: ctx.taskId,
    depth: ctx.depth,
    reportUsage: ctx.reportUsage,
  });
  if (isAsyncGenerator(result)) {
    for (;;) {
      const step = await result.next();
      if (step.done) return step.value;
      // a cancelled task is driven no further: a generator that ignores its signal would run forever
      if (ctx.signal.aborted) {
        await result.return(undefined);
        throw ctx.signal.reason;
      }
      if (typeof step.value === 'object' && step.value !== null) ctx.progress(step.value);
      else ctx.progress({ value: step.value });
    }
  }
  return await result;
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown, undefined> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncGenerator)[Symbol.asyncIterator] === 'function' &&
    typeof (value as AsyncGenerator).next === 'function'
  );
}

/** What every agent definition shares. @internal */
export interface AgentLogicOptions {
  kind: 'worker' | 'agent' | 'coordinator';
  name: unknown;
  description: unknown;
  input: unknown;
  output: unknown;
  concurrency: unknown;
  phases: readonly string[];
  /** The states while busy and after a task. */
  busy: TaskSpec['phases'];
  keepCodes: boolean;
  /** Builds the task function of one actor incarnation (its per-actor state lives in the closure). */
  run: (hosted: import('./hosted.js').HostedInput) => (context: TaskContext) => Promise<TaskOutcome>;
}

/** Validates the common options and builds the spawnable logic. @internal */
export function defineAgentLogic(options: AgentLogicOptions): AgentLogic {
  const name = checkToolName(options.name, options.kind);
  if (typeof options.description !== 'string' || options.description.trim() === '') {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${options.kind} ${name} needs a description: the model picks workers by it`);
  }
  const input = options.input ?? taskInput;
  if (!isZodType(input)) throw createError('TROUPE_ERR_INVALID_OPTION', `${options.kind} ${name}: input must be a zod schema`);
  const output = options.output;
  if (output !== undefined && !isZodType(output))
    throw createError('TROUPE_ERR_INVALID_OPTION', `${options.kind} ${name}: output must be a zod schema`);
  const concurrency = options.concurrency ?? 1;
  if (!(typeof concurrency === 'number' && Number.isInteger(concurrency) && concurrency >= 1)) {
    throw createError(
      'TROUPE_ERR_INVALID_OPTION',
      `${options.kind} ${name}: concurrency must be a whole number >= 1, got ${String(concurrency)}`,
    );
  }
  const descriptor: WorkerDescriptor = {
    type: 'descriptor',
    name,
    description: options.description,
    inputSchema: jsonSchemaOf(input, 'input'),
  };
  if (output !== undefined) descriptor.outputSchema = jsonSchemaOf(output, 'output');
  const spec = (hosted: import('./hosted.js').HostedInput): TaskSpec => ({
    name,
    descriptor,
    concurrency,
    keepCodes: options.keepCodes,
    phases: options.busy,
    parseInput: (raw) => {
      const parsed = input.safeParse(raw);
      return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: describeZodError(parsed.error) };
    },
    checkOutput: (value) => {
      if (output === undefined) return undefined;
      const parsed = output.safeParse(value);
      return parsed.success ? undefined : describeZodError(parsed.error);
    },
    run: options.run(hosted),
  });
  const logic = agentLogic(name, options.phases, spec);
  return Object.assign(logic, {
    [kAgentLogic]: options.kind,
    name,
    description: options.description,
    input: input as z.ZodType,
    output: output as z.ZodType | undefined,
    descriptor,
  });
}
