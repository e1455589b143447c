/**
 * Coordinator checkpoints: the run's state is saved to a {@link Store} after every finished call
 * and every decision, under the run's id; a coordinator restarted with the same `runId` (by its
 * supervisor, or on another node) resumes from it and does not repeat finished worker calls.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import type { JsonValue, Store } from '../store/store.js';
import { newRunState, type RunState } from './run-state.js';

/**
 * Where a coordinator keeps its checkpoints.
 *
 * @example
 * ```ts
 * const checkpoint: CheckpointOptions = { store: sqliteStore({ path: 'runs.db' }), runId: 'release-42' };
 * const lead = defineCoordinator({ name: 'lead', description: 'Leads.', llm, instructions: '…', workers, checkpoint });
 * ```
 */
export interface CheckpointOptions {
  store: Store;
  /** Names the run; a task with the same run id resumes it. Default: the spawn input's `runId`, else the actor's address. */
  runId?: string;
}

const stateShape = z.looseObject({
  task: z.string(),
  messages: z.array(z.looseObject({ role: z.enum(['system', 'user', 'assistant', 'tool']) })),
  decisions: z.array(z.looseObject({ iteration: z.number() })),
  usage: z.looseObject({
    inputTokens: z.number(),
    outputTokens: z.number(),
    calls: z.number(),
    byModel: z.record(z.string(), z.unknown()),
  }),
  iterations: z.number().int().min(0),
  workerCalls: z.number().int().min(0),
  scratchpad: z.record(z.string(), z.string()),
  finished: z.record(z.string(), z.looseObject({ ok: z.boolean(), content: z.string() })),
});

/** Checks checkpoint options (throws `TROUPE_ERR_INVALID_OPTION`). @internal */
export function checkCheckpoint(options: CheckpointOptions | undefined, owner: string): CheckpointOptions | undefined {
  if (options === undefined) return undefined;
  const store = options.store as Partial<Store> | undefined;
  if (typeof store?.get !== 'function' || typeof store.put !== 'function') {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: checkpoint.store must be a Store (memoryStore(), sqliteStore(…), …)`);
  }
  if (options.runId !== undefined && (typeof options.runId !== 'string' || options.runId === '')) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: checkpoint.runId must be a non-empty string`);
  }
  return options;
}

/** The store key of a coordinator's run. @internal */
export function checkpointKey(coordinator: string, runId: string): string {
  return `troupe/coordinator/${coordinator}/${runId}`;
}

/**
 * The run to continue: the stored state when it exists and is the same task, else a fresh one.
 * A stored state that is not a run state fails with `TROUPE_ERR_STORE_FAILED`.
 * @internal
 */
export async function loadRun(store: Store, key: string, task: string): Promise<RunState> {
  const stored = await store.get(key);
  if (stored === undefined) return newRunState(task);
  const parsed = stateShape.safeParse(stored.value);
  if (!parsed.success) throw createError('TROUPE_ERR_STORE_FAILED', `the checkpoint at ${key} is not a coordinator run`);
  // the stored value, not zod's copy: a record rebuilt by zod turns a `__proto__` key (a tool call id
  // from the model) into a prototype. A fresh copy, since the run mutates its state.
  const state = JSON.parse(JSON.stringify(stored.value)) as RunState;
  return state.task === task ? state : newRunState(task);
}

/** Saves the run. @internal */
export async function saveRun(store: Store, key: string, state: RunState): Promise<void> {
  const value = JSON.parse(JSON.stringify(state)) as JsonValue;
  await store.put(key, value);
}
