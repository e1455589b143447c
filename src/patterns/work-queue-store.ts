/**
 * The work queue's checkpoints: one record per task under `work-queue/<runId>/`, written in the
 * background (the latest state of each task wins; writes never overlap), read back to resume.
 * @module
 */
import { createError, TroupeError } from '../errors.js';
import type { Fence, JsonValue, PutOptions, Store } from '../store/store.js';

/** A task's state in a running queue. @internal */
export type TaskState = 'queued' | 'waiting' | 'running' | 'done' | 'failed';

/** One task as a running queue keeps it. @internal */
export interface TaskRecord {
  id: string;
  input: unknown;
  priority: number;
  seq: number;
  attempts: number;
  state: TaskState;
}

/** One task as stored. @internal */
export interface StoredTask {
  id: string;
  input: JsonValue;
  priority: number;
  seq: number;
  attempts: number;
  state: 'queued' | 'done' | 'failed';
  output?: JsonValue;
  error?: string;
}

/** The store prefix of a run's checkpoints. @internal */
export function checkpointPrefix(runId: string): string {
  return `work-queue/${runId}/`;
}

/** @internal */
export class QueueCheckpoints {
  readonly #store: Store;
  /** Where the run's tasks are kept: `work-queue/<runId>/`. */
  readonly prefix: string;
  readonly #onError: (error: TroupeError) => void;
  readonly #options: PutOptions | undefined;
  /** Latest unwritten state per key. */
  readonly #pending = new Map<string, StoredTask>();
  #writing: Promise<void> | undefined;

  constructor(store: Store, runId: string, fence: Fence | undefined, onError: (error: TroupeError) => void) {
    this.#options = fence === undefined ? undefined : { fence };
    this.#store = store;
    this.prefix = checkpointPrefix(runId);
    this.#onError = onError;
  }

  /** Every task of the run, as last written. Malformed records fail with `TROUPE_ERR_STORE_FAILED`. */
  async load(): Promise<StoredTask[]> {
    const entries = await this.#store.list<JsonValue>(this.prefix);
    return entries.map((e) => readTask(e.value, e.key)).sort((a, b) => a.seq - b.seq);
  }

  /** Saves a task's state: running and waiting ones as queued (a resumed run starts them again). */
  record(task: TaskRecord, output?: unknown, error?: TroupeError): void {
    const state = task.state === 'running' || task.state === 'waiting' ? 'queued' : task.state;
    const stored: StoredTask = {
      id: task.id,
      input: task.input as JsonValue,
      priority: task.priority,
      seq: task.seq,
      attempts: task.attempts,
      state,
    };
    if (output !== undefined) stored.output = output as JsonValue;
    if (error !== undefined) stored.error = error.message;
    this.save(stored);
  }

  save(task: StoredTask): void {
    const key = this.prefix + task.id;
    this.#pending.delete(key);
    this.#pending.set(key, task);
    this.#writing ??= this.#drain();
  }

  /** Resolves once every state saved so far is written. */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const [key, task] = this.#pending.entries().next().value as [string, StoredTask];
        this.#pending.delete(key);
        await this.#store.put(key, task as unknown as JsonValue, this.#options);
      }
    } catch (err) {
      this.#pending.clear();
      this.#onError(
        TroupeError.is(err)
          ? err
          : createError('TROUPE_ERR_STORE_FAILED', `work queue checkpoint failed: ${err instanceof Error ? err.message : String(err)}`, {
              cause: err,
            }),
      );
    } finally {
      this.#writing = undefined;
    }
  }
}

function readTask(value: JsonValue, key: string): StoredTask {
  const t = value as Partial<StoredTask> | null;
  const ok =
    typeof t === 'object' &&
    t !== null &&
    typeof t.id === 'string' &&
    typeof t.priority === 'number' &&
    typeof t.seq === 'number' &&
    typeof t.attempts === 'number' &&
    (t.state === 'queued' || t.state === 'done' || t.state === 'failed');
  if (!ok) throw createError('TROUPE_ERR_STORE_FAILED', `malformed work queue checkpoint at ${key}`);
  return t as StoredTask;
}
