/**
 * The work queue's checkpoints: one record per task under `work-queue/<runId>/`, written in the
 * background (the latest state of each task wins; writes never overlap), read back to resume.
 * @module
 */
import { TroupeError } from '../errors.js';
import type { JsonValue, Store } from '../store/store.js';

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

/** @internal */
export class QueueCheckpoints {
  readonly #store: Store;
  readonly #prefix: string;
  readonly #onError: (error: TroupeError) => void;
  /** Latest unwritten state per key. */
  readonly #pending = new Map<string, StoredTask>();
  #writing: Promise<void> | undefined;

  constructor(store: Store, runId: string, onError: (error: TroupeError) => void) {
    this.#store = store;
    this.#prefix = `work-queue/${runId}/`;
    this.#onError = onError;
  }

  /** Every task of the run, as last written. Malformed records fail with `TROUPE_ERR_STORE_FAILED`. */
  async load(): Promise<StoredTask[]> {
    const entries = await this.#store.list<JsonValue>(this.#prefix);
    return entries.map((e) => readTask(e.value, e.key)).sort((a, b) => a.seq - b.seq);
  }

  save(task: StoredTask): void {
    const key = this.#prefix + task.id;
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
        await this.#store.put(key, task as unknown as JsonValue);
      }
    } catch (err) {
      this.#pending.clear();
      this.#onError(
        TroupeError.is(err)
          ? err
          : new TroupeError(
              'TROUPE_ERR_STORE_FAILED',
              `work queue checkpoint failed: ${err instanceof Error ? err.message : String(err)}`,
              { cause: err },
            ),
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
  if (!ok) throw new TroupeError('TROUPE_ERR_STORE_FAILED', `malformed work queue checkpoint at ${key}`);
  return t as StoredTask;
}
