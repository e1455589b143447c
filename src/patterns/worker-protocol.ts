/**
 * The worker protocol every agent and every pattern speaks, so a coordinator is a worker of another
 * coordinator and a worker on another node is a tool like a local one. It lives in `patterns/`
 * (not `agents/`) because the patterns, one layer below the agents, are its first clients.
 *
 * - ask `{ type: 'task', input, taskId?, depth? }` → `{ type: 'result', output, usage? }`; a failure
 *   rejects the ask with a `TroupeError`.
 * - `stream({ type: 'task', … })` yields `{ type: 'progress', … }` chunks, then the result.
 * - ask `{ type: 'describe' }` → `{ type: 'descriptor', name, description, inputSchema, outputSchema? }`.
 * - tell `{ type: 'cancel', taskId }` aborts that task's `signal` wherever the worker runs.
 * @module
 */
import { nanoid } from 'nanoid';
import type { AnyEventObject } from 'xstate';
import type { ActorRef } from '../actors/ref.js';
import { createError, TroupeError } from '../errors.js';

/** Token use of one model. */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

/** Token use of a task and everything below it (nested coordinators and LLM workers included). */
export interface Usage extends ModelUsage {
  byModel: Record<string, ModelUsage>;
}

/** Asks a worker to run one task. `depth` is the hierarchy depth of the caller's task plus one. */
export interface TaskEvent<TInput = unknown> {
  type: 'task';
  input: TInput;
  taskId?: string;
  depth?: number;
  /** The deepest `depth` the caller's hierarchy allows; a coordinator deeper than this refuses with `TROUPE_ERR_MAX_DEPTH`. */
  maxDepth?: number;
  /** The actor the task is for (a coordinator): a worker may watch it and cancel the task when it exits or its node goes down. */
  caller?: ActorRef;
}

/** A worker's answer to a task. */
export interface ResultEvent<TOutput = unknown> {
  type: 'result';
  output: TOutput;
  usage?: Usage;
  taskId?: string;
}

/** One progress report of a streamed task. */
export interface ProgressEvent {
  type: 'progress';
  taskId?: string;
  [key: string]: unknown;
}

/** Asks a worker what it is. */
export interface DescribeEvent {
  type: 'describe';
}

/** What a worker says it is: enough for a coordinator to offer it as a tool without its code. */
export interface WorkerDescriptor {
  type: 'descriptor';
  name: string;
  description: string;
  /** A plain JSON Schema object with top-level `properties` (no `$ref` root). */
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

/** Aborts a running task. */
export interface CancelTaskEvent {
  type: 'cancel';
  taskId: string;
}

/** Every event a worker accepts. */
export type WorkerEvent = TaskEvent | DescribeEvent | CancelTaskEvent;

/**
 * A fresh, all-zero usage record.
 *
 * @example
 * ```ts
 * const total = emptyUsage();
 * for (const r of results) addUsage(total, r.usage);
 * ```
 */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, calls: 0, byModel: {} };
}

/**
 * Adds `more` into `into` (mutating it) and returns `into`; `byModel` entries are summed per model.
 *
 * @example
 * ```ts
 * const total = addUsage(emptyUsage(), usageOf('gpt-4.1', 120, 30));
 * ```
 */
export function addUsage(into: Usage, more: Usage | undefined): Usage {
  if (more === undefined) return into;
  into.inputTokens += more.inputTokens;
  into.outputTokens += more.outputTokens;
  into.calls += more.calls;
  for (const [model, u] of Object.entries(more.byModel)) {
    const slot = Object.hasOwn(into.byModel, model) ? into.byModel[model]! : { inputTokens: 0, outputTokens: 0, calls: 0 };
    slot.inputTokens += u.inputTokens;
    slot.outputTokens += u.outputTokens;
    slot.calls += u.calls;
    setOwn(into.byModel, model, slot);
  }
  return into;
}

/**
 * Model names are untrusted (a server or a remote worker reports them): `byModel['__proto__'] = …`
 * would replace the record's prototype and lose the tokens, so keys are defined, never assigned.
 */
function setOwn(record: Record<string, ModelUsage>, key: string, value: ModelUsage): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Usage of one model call. */
export function usageOf(model: string, inputTokens: number, outputTokens: number): Usage {
  return { inputTokens, outputTokens, calls: 1, byModel: { [model]: { inputTokens, outputTokens, calls: 1 } } };
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isModelUsage = (u: unknown): u is ModelUsage =>
  typeof u === 'object' &&
  u !== null &&
  isCount((u as ModelUsage).inputTokens) &&
  isCount((u as ModelUsage).outputTokens) &&
  isCount((u as ModelUsage).calls);

/**
 * Reads a usage record from untrusted input (a worker's reply): `undefined` when absent, a
 * `TROUPE_ERR_INVALID_OUTPUT` error when malformed.
 */
export function readUsage(value: unknown): Usage | undefined {
  if (value === undefined) return undefined;
  if (!isModelUsage(value)) throw createError('TROUPE_ERR_INVALID_OUTPUT', 'usage must hold non-negative integer token counts');
  const byModel = (value as Usage).byModel;
  if (typeof byModel !== 'object' || byModel === null || Array.isArray(byModel)) {
    throw createError('TROUPE_ERR_INVALID_OUTPUT', 'usage.byModel must be an object');
  }
  const clean: Record<string, ModelUsage> = {};
  for (const [model, u] of Object.entries(byModel)) {
    if (!isModelUsage(u)) throw createError('TROUPE_ERR_INVALID_OUTPUT', `usage.byModel[${JSON.stringify(model)}] is malformed`);
    setOwn(clean, model, { inputTokens: u.inputTokens, outputTokens: u.outputTokens, calls: u.calls });
  }
  return { inputTokens: value.inputTokens, outputTokens: value.outputTokens, calls: value.calls, byModel: clean };
}

/** Options of {@link runTask}. */
export interface RunTaskOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Default: a fresh nanoid. Cancellation names the task by it. */
  taskId?: string;
  depth?: number;
  /** Travels in the task event: the deepest depth the caller's hierarchy allows. */
  maxDepth?: number;
  /** Travels in the task event: the actor the task is for, whose exit (or its node's loss) cancels the task. */
  caller?: ActorRef;
}

/** What {@link runTask} resolves to. */
export interface TaskResult<TOutput = unknown> {
  output: TOutput;
  usage: Usage | undefined;
  taskId: string;
}

/**
 * Runs one task on a worker (local or remote) through the worker protocol. On abort or timeout it
 * also tells the worker `{ type: 'cancel', taskId }`, so `run`'s signal fires wherever the worker
 * runs. The reply is untrusted: anything but `{ type: 'result', output, usage? }` rejects with
 * `TROUPE_ERR_INVALID_OUTPUT`.
 *
 * @example
 * ```ts
 * const { output, usage } = await runTask(searchRef, { task: 'find the auth module' }, { timeoutMs: 60_000 });
 * ```
 */
export async function runTask<TOutput = unknown>(
  worker: ActorRef,
  input: unknown,
  options: RunTaskOptions = {},
): Promise<TaskResult<TOutput>> {
  const taskId = options.taskId ?? nanoid();
  const event: AnyEventObject = { type: 'task', input, taskId };
  if (options.depth !== undefined) event.depth = options.depth;
  if (options.maxDepth !== undefined) event.maxDepth = options.maxDepth;
  if (options.caller !== undefined) event.caller = options.caller;
  let reply: AnyEventObject;
  try {
    reply = await worker.ask<AnyEventObject>(event, { timeoutMs: options.timeoutMs, signal: options.signal });
  } catch (err) {
    if (TroupeError.is(err, 'TROUPE_ERR_ABORTED') || TroupeError.is(err, 'TROUPE_ERR_TIMEOUT')) worker.send({ type: 'cancel', taskId });
    throw err;
  }
  if (typeof reply !== 'object' || reply === null || reply.type !== 'result' || !('output' in reply)) {
    throw createError('TROUPE_ERR_INVALID_OUTPUT', `${worker.address} answered a task with ${describeReply(reply)}, not a result`);
  }
  return { output: reply.output as TOutput, usage: readUsage(reply.usage), taskId };
}

function describeReply(reply: unknown): string {
  if (typeof reply !== 'object' || reply === null) return typeof reply;
  const type = (reply as { type?: unknown }).type;
  return typeof type === 'string' ? `'${type.slice(0, 60)}'` : 'an untyped event';
}
