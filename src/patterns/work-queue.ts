/**
 * A pull-based work-stealing queue: each worker slot takes the next task when it is free (at most
 * `prefetch` in flight), so a slow worker never holds a backlog. Priorities, retries with backoff,
 * per-task timeouts; a task whose worker crashes, times out or whose node goes down is re-queued
 * (at-least-once delivery, one result per task id); checkpoints to a store and resumes by `runId`.
 * @module
 */
import { isOnNode } from '../actors/address.js';
import type { ActorRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import { createError, type TroupeError } from '../errors.js';
import { type BackoffOptions, backoffDelay } from '../util/backoff.js';
import type { TimerHandle } from '../util/clock.js';
import { asTroupeError, describeError, isRef, outcomeOf, PatternScope, type WorkerSource } from './scope.js';
import { TaskHeap } from './task-heap.js';
import {
  checkDurableOutput,
  readOptions,
  validateTask,
  type WorkQueue,
  type WorkQueueOptions,
  type WorkQueueStats,
  type WorkTask,
} from './work-queue-options.js';
import { QueueCheckpoints, type StoredTask, type TaskRecord } from './work-queue-store.js';
import { runTask } from './worker-protocol.js';

export type { WorkerPool, WorkQueue, WorkQueueOptions, WorkQueueStats, WorkTask } from './work-queue-options.js';

interface Slot {
  source: WorkerSource;
  ref: ActorRef | undefined;
  release: () => Promise<void>;
  retired: boolean;
  /**
   * Workers lost in a row without a success, not counting those a task crashed or timed out (the
   * task's attempts bound those); a slot that keeps losing them retires.
   */
  losses: number;
}

const WORKER_GONE = new Set(['TROUPE_ERR_NO_ACTOR', 'TROUPE_ERR_ACTOR_STOPPED', 'TROUPE_ERR_NODE_DOWN']);
const MAX_LOSSES = 3;

/**
 * Starts a work queue over `workers` and returns at once; `await q.done` for the results.
 *
 * @example
 * ```ts
 * const q = workQueue(system, { workers: [{ worker: auditor, count: 8 }], tasks, maxAttempts: 3, taskTimeoutMs: 30_000 });
 * q.add({ id: 'late', input: { file: 'README.md' }, priority: 10 });
 * const results = await q.done; // Map<id, output>
 * ```
 */
export function workQueue<TInput = unknown, TOutput = unknown>(
  system: ActorSystem,
  options: WorkQueueOptions<TInput>,
): WorkQueue<TInput, TOutput> {
  return new Queue<TInput, TOutput>(system, options);
}

class Queue<TInput, TOutput> implements WorkQueue<TInput, TOutput> {
  readonly done: Promise<Map<string, TOutput>>;
  readonly #system: ActorSystem;
  readonly #scope: PatternScope;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffOptions;
  readonly #timeoutMs: number | undefined;
  readonly #prefetch: number;
  readonly #checkpoints: QueueCheckpoints | undefined;
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #ready = new TaskHeap<TaskRecord>();
  readonly #results = new Map<string, TOutput>();
  readonly #failures = new Map<string, TroupeError>();
  readonly #slots: Slot[] = [];
  /**
   * One entry per unit of free capacity: the slot and the worker it was offered for (a token of a
   * replaced worker is stale). A FIFO with a moving head.
   */
  #free: Slot[] = [];
  #freeRefs: ActorRef[] = [];
  #freeHead = 0;
  readonly #timers = new Set<TimerHandle>();
  #seq = 0;
  #running = 0;
  #waiting = 0;
  #doneCount = 0;
  #failedCount = 0;
  #retries = 0;
  #loaded = false;
  #settled = false;
  #pending: WorkTask<TInput>[] = [];
  #resolve!: (results: Map<string, TOutput>) => void;
  #reject!: (error: unknown) => void;

  constructor(system: ActorSystem, options: WorkQueueOptions<TInput>) {
    const { pools, tasks, maxAttempts, backoff, prefetch } = readOptions(options);
    const { store, runId } = options;
    this.#maxAttempts = maxAttempts;
    this.#backoff = backoff;
    this.#timeoutMs = options.taskTimeoutMs;
    this.#prefetch = prefetch;
    this.#system = system;
    this.#scope = new PatternScope(system, 'work-queue', { ...options, run: runId });
    this.#checkpoints =
      store === undefined ? undefined : new QueueCheckpoints(store, runId as string, options.fence, (err) => this.#fail(err));
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#scope.signal.addEventListener('abort', () => this.#fail(this.#scope.signal.reason), { once: true });
    this.#pending = [...tasks];
    this.#scope.emit('start', { detail: `${tasks.length} tasks, ${pools.reduce((n, p) => n + p.count, 0)} slots` });
    void this.#start(pools);
  }

  add(task: WorkTask<TInput>): void {
    if (this.#settled) throw createError('TROUPE_ERR_INVALID_OPTION', `work queue ${this.#scope.run} has finished; start a new one`);
    validateTask(task, this.#checkpoints?.prefix);
    if (!this.#loaded) this.#pending.push(task);
    else {
      this.#enqueue(task);
      this.#pump();
    }
  }

  stats(): WorkQueueStats {
    return {
      queued: this.#ready.size + this.#waiting + (this.#loaded ? 0 : this.#pending.length),
      running: this.#running,
      done: this.#doneCount,
      failed: this.#failedCount,
      retries: this.#retries,
    };
  }

  failures(): Map<string, TroupeError> {
    return new Map(this.#failures);
  }

  async #start(pools: { worker: WorkerSource; count: number }[]): Promise<void> {
    try {
      if (this.#checkpoints !== undefined) this.#restore(await this.#checkpoints.load());
    } catch (err) {
      this.#fail(asTroupeError(err, 'work queue restore'));
      return;
    }
    if (this.#settled) return;
    this.#loaded = true;
    for (const task of this.#pending.splice(0)) this.#enqueue(task);
    const starts: Promise<void>[] = [];
    for (const pool of pools) {
      for (let i = 0; i < pool.count; i++) {
        const slot: Slot = { source: pool.worker, ref: undefined, release: async () => {}, retired: false, losses: 0 };
        this.#slots.push(slot);
        starts.push(this.#spawn(slot));
      }
    }
    this.#checkFinished();
    await Promise.all(starts);
  }

  #restore(saved: StoredTask[]): void {
    for (const t of saved) {
      const record: TaskRecord = { id: t.id, input: t.input, priority: t.priority, seq: t.seq, attempts: t.attempts, state: t.state };
      this.#seq = Math.max(this.#seq, t.seq + 1);
      this.#tasks.set(t.id, record);
      if (t.state === 'done') {
        this.#results.set(t.id, t.output as TOutput);
        this.#doneCount++;
      } else if (t.state === 'failed') {
        this.#failures.set(t.id, createError('TROUPE_ERR_WORKER_FAILED', t.error ?? 'failed in an earlier run'));
        this.#failedCount++;
      } else {
        record.state = 'queued';
        this.#ready.push(record);
      }
    }
  }

  #enqueue(task: WorkTask<TInput>): void {
    if (this.#tasks.has(task.id)) return;
    const record: TaskRecord = {
      id: task.id,
      input: task.input,
      priority: task.priority ?? 0,
      seq: this.#seq++,
      attempts: 0,
      state: 'queued',
    };
    this.#tasks.set(task.id, record);
    this.#ready.push(record);
    this.#save(record);
  }

  /** Gets a worker for the slot (spawning one for logic), then offers its capacity. */
  async #spawn(slot: Slot): Promise<void> {
    try {
      const held = await this.#scope.hold(slot.source);
      if (this.#settled) {
        await held.release();
        return;
      }
      slot.ref = held.ref;
      slot.release = held.release;
      for (let i = 0; i < this.#prefetch; i++) this.#offer(slot, held.ref);
      this.#pump();
    } catch (err) {
      if (this.#settled) return;
      this.#retire(slot, asTroupeError(err, 'spawning a worker'));
    }
  }

  #retire(slot: Slot, why: TroupeError): void {
    if (slot.retired) return;
    slot.retired = true;
    this.#scope.emit('task-failed', { worker: slot.ref?.address, detail: `worker retired: ${describeError(why)}` });
    void slot.release();
    if (this.#slots.every((s) => s.retired)) {
      this.#fail(
        createError('TROUPE_ERR_NO_ACTOR', `work queue ${this.#scope.run}: every worker is gone (last: ${why.message})`, {
          cause: why,
        }),
      );
    }
  }

  /** Hands ready tasks to free slots, longest-free first. */
  #pump(): void {
    while (!this.#settled && this.#ready.size > 0 && this.#freeHead < this.#free.length) {
      const slot = this.#free[this.#freeHead];
      const ref = this.#freeRefs[this.#freeHead++];
      if (this.#freeHead > 4096 && this.#freeHead * 2 > this.#free.length) {
        this.#free = this.#free.slice(this.#freeHead);
        this.#freeRefs = this.#freeRefs.slice(this.#freeHead);
        this.#freeHead = 0;
      }
      if (slot.retired || slot.ref !== ref) continue;
      const task = this.#ready.pop() as TaskRecord;
      void this.#run(slot, ref, task);
    }
  }

  async #run(slot: Slot, ref: ActorRef, task: TaskRecord): Promise<void> {
    task.state = 'running';
    task.attempts++;
    this.#running++;
    const taskId = `${task.id}#${task.attempts}`;
    this.#scope.emit('task-start', { taskId: task.id, worker: ref.address });
    let output: unknown;
    let error: TroupeError | undefined;
    try {
      output = (await runTask(ref, task.input, { timeoutMs: this.#timeoutMs, signal: this.#scope.signal, taskId })).output;
      if (this.#checkpoints !== undefined) error = checkDurableOutput(task.id, output);
    } catch (err) {
      error = asTroupeError(err, `task ${task.id}`);
    }
    this.#running--;
    if (this.#settled) return;
    if (error === undefined) {
      slot.losses = 0;
      this.#finish(task, output as TOutput);
      this.#offer(slot, ref);
    } else {
      this.#failed(slot, ref, task, error);
    }
    this.#pump();
    this.#checkFinished();
  }

  /** Gives the slot's capacity back, unless its worker was replaced or it retired meanwhile. */
  #offer(slot: Slot, ref: ActorRef): void {
    if (slot.retired || slot.ref !== ref) return;
    this.#free.push(slot);
    this.#freeRefs.push(ref);
  }

  #finish(task: TaskRecord, output: TOutput): void {
    task.state = 'done';
    this.#results.set(task.id, output);
    this.#doneCount++;
    this.#scope.emit('task-done', { taskId: task.id });
    this.#save(task, output);
  }

  #failed(slot: Slot, ref: ActorRef, task: TaskRecord, error: TroupeError): void {
    // A local worker still running merely relayed such a code (its own callee was gone): the task failed.
    if (WORKER_GONE.has(error.code) && this.#workerState(ref) !== 'running') {
      // Not the task's fault: re-queue it at once without spending an attempt, and replace the worker.
      task.attempts--;
      this.#retries++;
      task.state = 'queued';
      this.#ready.push(task);
      this.#scope.emit('task-requeued', { taskId: task.id, worker: ref.address, detail: describeError(error) });
      this.#replace(slot, ref, error);
      return;
    }
    const crashed = error.code === 'TROUPE_ERR_ACTOR_FAILED' && this.#workerState(ref) === 'gone';
    // A crashed worker is replaced; so is a spawned one that timed out (it may be stuck).
    // The task's attempts bound these replacements, so a poison task never retires the slot.
    if (crashed || (error.code === 'TROUPE_ERR_TIMEOUT' && !isRef(slot.source))) this.#replace(slot, ref, error, false);
    else this.#offer(slot, ref);
    if (task.attempts >= this.#maxAttempts) {
      task.state = 'failed';
      this.#failures.set(task.id, error);
      this.#failedCount++;
      this.#scope.emit('task-failed', { taskId: task.id, worker: ref.address, detail: describeError(error) });
      this.#save(task, undefined, error);
      return;
    }
    this.#retries++;
    task.state = 'waiting';
    this.#waiting++;
    this.#save(task);
    this.#scope.emit('task-retry', { taskId: task.id, worker: ref.address, detail: describeError(error) });
    const timer = this.#system.clock.setTimeout(
      () => {
        this.#timers.delete(timer);
        this.#waiting--;
        if (this.#settled) return;
        task.state = 'queued';
        this.#ready.push(task);
        this.#pump();
      },
      backoffDelay(task.attempts - 1, this.#backoff),
    );
    this.#timers.add(timer);
  }

  /** Whether a local worker still runs; `remote` when this node cannot tell. */
  #workerState(ref: ActorRef): 'running' | 'gone' | 'remote' {
    if (!isOnNode(ref.address, this.#system.node)) return 'remote';
    const stats = this.#system.stats(ref);
    return stats !== undefined && stats.status === 'running' ? 'running' : 'gone';
  }

  /**
   * A slot's worker is lost: spawned workers are replaced; a ref slot (or one that keeps losing
   * workers, `counts` telling whether this loss is one) retires.
   */
  #replace(slot: Slot, ref: ActorRef, error: TroupeError, counts = true): void {
    if (slot.retired || slot.ref !== ref) return;
    if (counts) slot.losses++;
    if (isRef(slot.source) || slot.losses > MAX_LOSSES) {
      this.#retire(slot, error);
      return;
    }
    const release = slot.release;
    slot.ref = undefined;
    void release();
    void this.#spawn(slot);
  }

  #save(task: TaskRecord, output?: unknown, error?: TroupeError): void {
    this.#checkpoints?.record(task, output, error);
  }

  #checkFinished(): void {
    if (this.#settled || !this.#loaded || this.#ready.size > 0 || this.#running > 0 || this.#waiting > 0) return;
    void this.#settle(async () => {
      await this.#checkpoints?.flush();
      this.#resolve(this.#results);
    }, 'done');
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    void this.#settle(
      async () => {
        await this.#checkpoints?.flush().catch(() => {});
        this.#reject(error);
      },
      outcomeOf(error),
      describeError(error),
    );
  }

  async #settle(finish: () => Promise<void>, outcome: 'done' | 'failed' | 'cancelled', detail?: string): Promise<void> {
    this.#settled = true;
    for (const timer of this.#timers) this.#system.clock.clearTimeout(timer);
    this.#timers.clear();
    await this.#scope.close(outcome, detail);
    await finish();
  }
}
