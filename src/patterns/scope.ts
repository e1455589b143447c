/**
 * The scope every pattern runs in: one actor that parents the workers the pattern spawns (here or on
 * other nodes), stopped when the pattern ends, is aborted, or the caller's actor exits — so a
 * pattern never leaves an orphan behind. Also the pattern's inspection events.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { nanoid } from 'nanoid';
import { fromCallback } from 'xstate';
import { isNativeLogic, type SpawnableLogic } from '../actors/body.js';
import type { PatternInspectionEvent } from '../actors/inspection.js';
import type { ActorRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import { createError, TroupeError } from '../errors.js';
import type { Fence, Store } from '../store/store.js';

/**
 * A worker to spawn on another node: logic registered there as `logic` (its `logic` allowlist).
 *
 * @example
 * ```ts
 * const worker: RemoteWorker = { node: 'gpu-1', logic: 'summarizer', input: { model: 'gpt-4.1-mini' } };
 * await fanOut(system, { worker, items });
 * ```
 */
export interface RemoteWorker {
  node: string;
  logic: string;
  input?: unknown;
}

/**
 * A worker as a pattern takes it: a ref (local or remote) that is asked as is, logic that the pattern
 * spawns under its scope, or a {@link RemoteWorker} it spawns on another node under its scope.
 *
 * @example
 * ```ts
 * const sources: WorkerSource[] = [summarizerLogic, existingRef, { node: 'gpu-1', logic: 'summarizer' }];
 * ```
 */
export type WorkerSource = ActorRef | SpawnableLogic | RemoteWorker;

/**
 * Options every pattern accepts for its scope.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await fanOut(system, { worker, items, signal: controller.signal, parent: self });
 * ```
 */
export interface ScopeOptions {
  /** Aborting stops the pattern: in-flight tasks are cancelled, spawned workers stopped. */
  signal?: AbortSignal;
  /**
   * The caller's actor (local): the pattern's scope is spawned under it, so its exit stops the
   * pattern and every worker the pattern spawned, here and on other nodes.
   */
  parent?: ActorRef;
}

/** One worker a pattern holds for one or more tasks; `release` stops it if the pattern spawned it. */
export interface HeldWorker {
  ref: ActorRef;
  release(): Promise<void>;
}

type Step = PatternInspectionEvent['step'];

/** @internal */
export function isRef(source: unknown): source is ActorRef {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as ActorRef).ask === 'function' &&
    typeof (source as ActorRef).address === 'string'
  );
}

/** @internal */
export function isRemoteWorker(source: unknown): source is RemoteWorker {
  return (
    typeof source === 'object' &&
    source !== null &&
    !isRef(source) &&
    typeof (source as RemoteWorker).node === 'string' &&
    typeof (source as RemoteWorker).logic === 'string'
  );
}

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `options` is an object (not `null`, not an array). */
export function validateOptions(options: unknown, what: string): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${what} needs an options object, got ${String(options)}`);
  }
}

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `source` is a ref, logic or a remote worker. */
export function validateSource(source: unknown, what: string): asserts source is WorkerSource {
  if (isRef(source) || isRemoteWorker(source)) return;
  const logicLike =
    isNativeLogic(source) ||
    (typeof source === 'object' && source !== null && typeof (source as { transition?: unknown }).transition === 'function');
  if (!logicLike) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be a ref, actor logic or { node, logic }, got ${String(source)}`);
  }
}

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `n` is a whole number ≥ `min` (or `undefined` when optional). */
export function validateCount(n: unknown, what: string, min = 1): asserts n is number {
  if (!(typeof n === 'number' && Number.isInteger(n) && n >= min)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be a whole number >= ${min}, got ${String(n)}`);
  }
}

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `store` looks like a {@link Store} (its methods are functions). */
export function validateStore(store: unknown, what: string): asserts store is Store {
  const s = store as Partial<Record<keyof Store, unknown>> | null;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    (['get', 'put', 'delete', 'cas', 'list'] as const).every((method) => typeof s[method] === 'function');
  if (!ok) throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be a Store (memoryStore(), sqliteStore(…), …)`);
}

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `fence` is `undefined` or `{ lease: string, token: number }`. */
export function validateFence(fence: unknown, what: string): asserts fence is Fence | undefined {
  if (fence === undefined) return;
  const f = fence as Partial<Fence> | null;
  if (typeof f !== 'object' || f === null || typeof f.lease !== 'string' || !Number.isSafeInteger(f.token)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be { lease, token } (a lease's fence)`);
  }
}

/** Throws `TROUPE_ERR_INVALID_OPTION` unless `ms` is `undefined` or a finite number > 0. */
export function validateTimeout(ms: unknown, what: string): void {
  if (ms !== undefined && !(typeof ms === 'number' && ms > 0 && Number.isFinite(ms))) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${what} must be a finite number > 0, got ${String(ms)}`);
  }
}

/**
 * A pattern's run: its scope actor, a signal aborted when the caller aborts or the scope stops, and
 * the pattern's inspection events.
 * @internal
 */
export class PatternScope {
  readonly system: ActorSystem;
  readonly pattern: string;
  readonly run: string;
  readonly ref: ActorRef;
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  readonly #onOuterAbort: () => void;
  #closed = false;

  constructor(system: ActorSystem, pattern: string, options: ScopeOptions & { run?: string }) {
    const { signal, parent } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw createError('TROUPE_ERR_INVALID_OPTION', `${pattern} signal must be an AbortSignal`);
    }
    this.system = system;
    this.pattern = pattern;
    const id = nanoid(10);
    this.run = options.run ?? id;
    setMaxListeners(0, this.#controller.signal);
    this.#outer = signal;
    this.#onOuterAbort = () =>
      this.#abort(createError('TROUPE_ERR_ABORTED', `${pattern} ${this.run} was aborted`, { cause: signal?.reason }));
    // The scope actor does nothing but parent the workers; its cleanup runs however it stops.
    const scopeLogic = fromCallback(() => () => {
      if (!this.#closed) this.#abort(createError('TROUPE_ERR_CANCELLED', `${pattern} ${this.run} stopped: its scope actor exited`));
    });
    this.ref = system.spawn(scopeLogic, { name: `${pattern}-${id}`, parent });
    if (signal?.aborted) this.#onOuterAbort();
    else signal?.addEventListener('abort', this.#onOuterAbort, { once: true });
  }

  /** Aborted when the caller aborts, the caller's actor exits, or the pattern fails fast. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Throws the reason the scope was aborted, if it was. */
  throwIfAborted(): void {
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
  }

  /** Aborts the pattern's signal with `error` (the first reason wins). */
  abort(error: unknown): void {
    this.#abort(error);
  }

  #abort(error: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(error);
  }

  /**
   * A worker for one or more tasks: a ref as is; logic spawned under the scope; a remote worker
   * spawned on its node with the scope as its parent.
   */
  async hold(source: WorkerSource, name?: string): Promise<HeldWorker> {
    this.throwIfAborted();
    if (isRef(source)) return { ref: source, release: async () => {} };
    let ref: ActorRef;
    if (isRemoteWorker(source)) {
      ref = await this.system.spawnOn(source.node, source.logic, { parent: this.ref, input: source.input, name });
    } else {
      ref = this.system.spawn(source, { parent: this.ref, name });
    }
    return { ref, release: () => this.#release(ref) };
  }

  async #release(ref: ActorRef): Promise<void> {
    try {
      await this.system.stop(ref);
    } catch {
      // Already gone (crashed, its node went down): nothing left to stop.
    }
  }

  /** Emits one `@troupe.pattern` event when someone observes. */
  emit(step: Step, fields: { taskId?: string; worker?: string; detail?: string } = {}): void {
    const inspection = this.system.inspection;
    if (inspection.active)
      inspection.emit({ type: '@troupe.pattern', node: this.system.node, pattern: this.pattern, run: this.run, step, ...fields });
  }

  /** Stops the scope actor and everything under it; emits `done`, `failed` or `cancelled`. Idempotent. */
  async close(outcome: 'done' | 'failed' | 'cancelled', detail?: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
    this.#abort(createError('TROUPE_ERR_CANCELLED', `${this.pattern} ${this.run} ended`));
    this.emit(outcome, detail === undefined ? {} : { detail });
    try {
      await this.system.stop(this.ref);
    } catch {
      // The scope was already stopped with its parent.
    }
  }
}

/** The outcome to report for an error that ended a pattern. */
export function outcomeOf(error: unknown): 'failed' | 'cancelled' {
  return TroupeError.is(error, 'TROUPE_ERR_ABORTED') || TroupeError.is(error, 'TROUPE_ERR_CANCELLED') ? 'cancelled' : 'failed';
}

/** Describes an error in one line for an inspection event. */
export function describeError(error: unknown): string {
  if (error instanceof TroupeError) return `${error.code}: ${error.message}`.slice(0, 300);
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/** Wraps anything thrown into a `TroupeError` (a worker's failure keeps its own code). */
export function asTroupeError(error: unknown, what: string): TroupeError {
  if (error instanceof TroupeError) return error;
  return createError('TROUPE_ERR_WORKER_FAILED', `${what}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
