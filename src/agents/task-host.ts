/**
 * The worker protocol, served: what every agent actor (worker, LLM agent, coordinator) does with
 * the events it receives. Tasks run up to `concurrency` at a time and queue beyond; each gets an
 * AbortSignal that `cancel`, a consumer's early end and the actor's stop abort. Replies go to the
 * asker's `replyTo` (a `troupe.error` reply rejects the ask with its code) or, for a streamed
 * task, to the consumer as progress chunks, then the result, then the end.
 * @internal
 */
import { nanoid } from 'nanoid';
import type { AnyEventObject } from 'xstate';
import type { ActorRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import { createError, type ErrorCode, TroupeError } from '../errors.js';
import { addUsage, emptyUsage, type ResultEvent, type Usage, type WorkerDescriptor } from '../patterns/worker-protocol.js';

/** What an agent's task function is given. @internal */
export interface TaskContext {
  input: unknown;
  signal: AbortSignal;
  taskId: string;
  /** Hierarchy depth of this task: 0 for a task nobody delegated. */
  depth: number;
  /** The deepest depth the caller's hierarchy allows, when it said. */
  maxDepth: number | undefined;
  /** Sends a progress chunk to a streaming caller (dropped for an ask). */
  progress(update: Record<string, unknown>): void;
  /** Adds token use to the task's result. */
  reportUsage(usage: Usage): void;
  /** Moves the agent's machine to `phase` (coordinators: planning, dispatching, …). */
  setPhase(phase: string): void;
  system: ActorSystem;
  self: ActorRef;
}

/** What a task function resolves to: the output, and fields the result carries beside it. @internal */
export interface TaskOutcome {
  output: unknown;
  usage?: Usage;
  extra?: Record<string, unknown>;
}

/** How one kind of agent runs its tasks. @internal */
export interface TaskSpec {
  name: string;
  descriptor: WorkerDescriptor;
  concurrency: number;
  /** Validates the task's input: the parsed value, or why it is invalid. */
  parseInput(raw: unknown): { ok: true; value: unknown } | { ok: false; message: string };
  /** Validates the output before it leaves: undefined when fine, else why not. */
  checkOutput(output: unknown): string | undefined;
  run(context: TaskContext): Promise<TaskOutcome>;
  /** The machine's state while tasks run, and after the last one succeeded or failed. */
  phases: { busy: string; ok: string; failed: string };
  /** True for troupe's own agents, whose failures keep their codes; a user's `run` failing is `TROUPE_ERR_WORKER_FAILED`. */
  keepCodes: boolean;
}

interface Task {
  id: string;
  input: unknown;
  depth: number;
  maxDepth: number | undefined;
  replyTo: ActorRef | undefined;
  /** The actor the task is for, watched while the task lives. */
  caller: ActorRef | undefined;
  stream: ActorRef | undefined;
  controller: AbortController;
  usage: Usage;
  done: boolean;
}

/** Longest error message a failed task sends back: a `run` may throw any text, and it crosses the wire. */
const MAX_ERROR_CHARS = 10_000;

/** A wire-safe error: errors do not survive every codec. */
function wireError(err: unknown): { name: string; message: string; code?: string } {
  const bounded = (text: string) => (text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}… [cut]`);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const message = bounded(String(err.message));
    return typeof code === 'string' ? { name: err.name, message, code } : { name: err.name, message };
  }
  return { name: 'Error', message: bounded(String(err)) };
}

const isRef = (value: unknown): value is ActorRef =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ActorRef).send === 'function' &&
  typeof (value as ActorRef).address === 'string';

/** Serves the worker protocol for one actor incarnation. @internal */
export class TaskHost {
  readonly #spec: TaskSpec;
  readonly #system: ActorSystem;
  readonly #self: ActorRef;
  readonly #onPhase: (phase: string) => void;
  /** Keyed by task, not task id: ids come from callers, and two callers may pick the same one. */
  readonly #running = new Set<Task>();
  readonly #queue: Task[] = [];
  /** Askers and callers watched, by address, with the number of live tasks that hold each. */
  readonly #held = new Map<string, { ref: ActorRef; count: number }>();
  #stopped = false;

  constructor(spec: TaskSpec, system: ActorSystem, self: ActorRef, onPhase: (phase: string) => void) {
    this.#spec = spec;
    this.#system = system;
    this.#self = self;
    this.#onPhase = onPhase;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#running.size;
  }

  handle(event: AnyEventObject): void {
    if (this.#stopped) return;
    switch (event.type) {
      case 'task':
        this.#accept(event);
        return;
      case 'describe':
        if (isRef(event.replyTo)) event.replyTo.send(this.#spec.descriptor);
        return;
      case 'cancel':
        if (typeof event.taskId === 'string') this.#cancel((t) => t.id === event.taskId, 'cancelled by the caller');
        return;
      case 'troupe.down': {
        const address = event.address;
        if (typeof address !== 'string' || !this.#held.delete(address)) return;
        // an asker stopped waiting (aborted, timed out, its node went down) or a caller exited: none
        // of the tasks it asked for or called has anyone left to serve
        this.#cancelAll((t) => t.replyTo?.address === address, 'lost its asker');
        this.#cancelAll((t) => t.caller?.address === address, 'lost its caller');
        return;
      }
      case 'troupe.stream.cancel':
        // a streaming caller ended early (break, abort, idle timeout): its task is cancelled
        if (typeof event.stream === 'string')
          this.#cancel((t) => t.stream?.address === event.stream, 'the stream consumer went away', false);
        return;
      default:
        if (isRef(event.replyTo)) {
          this.#fail(
            event.replyTo,
            undefined,
            'TROUPE_ERR_INVALID_INPUT',
            new Error(`${this.#spec.name} does not understand '${event.type}'`),
          );
        }
    }
  }

  /** The actor is stopping: every task's signal aborts; the cell fails the asks it holds. */
  stop(): void {
    this.#stopped = true;
    const all = [...this.#running.values(), ...this.#queue];
    this.#running.clear();
    this.#queue.length = 0;
    for (const t of all) {
      t.done = true;
      t.controller.abort(createError('TROUPE_ERR_CANCELLED', `${this.#self.address} stopped`));
    }
  }

  #accept(event: AnyEventObject): void {
    const replyTo = isRef(event.replyTo) ? event.replyTo : undefined;
    const stream = isRef(event.stream) ? event.stream : undefined;
    const caller = isRef(event.caller) ? event.caller : undefined;
    const bad = (message: string, code: ErrorCode = 'TROUPE_ERR_INVALID_INPUT') =>
      this.#fail(replyTo, stream, code, createError(code, `${this.#spec.name}: ${message}`));
    const depth = event.depth ?? 0;
    const maxDepth = event.maxDepth;
    const parsed = this.#spec.parseInput(event.input);
    let problem: string | undefined;
    if (!Number.isSafeInteger(depth) || depth < 0) problem = 'depth must be a whole number >= 0';
    else if (maxDepth !== undefined && (!Number.isSafeInteger(maxDepth) || maxDepth < 0)) problem = 'maxDepth must be a whole number >= 0';
    else if (maxDepth !== undefined && depth > maxDepth) {
      bad(`task depth ${depth} exceeds the hierarchy's maxDepth ${maxDepth}`, 'TROUPE_ERR_MAX_DEPTH');
      return;
    } else if (!parsed.ok) problem = `invalid input: ${parsed.message}`;
    if (problem !== undefined || !parsed.ok) {
      bad(problem ?? 'invalid input');
      return;
    }
    const id = typeof event.taskId === 'string' && event.taskId.length > 0 && event.taskId.length <= 200 ? event.taskId : nanoid();
    const task: Task = {
      id,
      input: parsed.value,
      depth,
      maxDepth,
      replyTo,
      stream,
      caller,
      controller: new AbortController(),
      usage: emptyUsage(),
      done: false,
    };
    // hear when the asker stops waiting, so its task is cancelled on whichever node it runs
    if (replyTo !== undefined) this.#hold(replyTo, 1);
    if (caller !== undefined) this.#hold(caller, 1);
    if (this.#running.size < this.#spec.concurrency) this.#start(task);
    else this.#queue.push(task);
  }

  #start(task: Task): void {
    this.#running.add(task);
    if (this.#running.size === 1) this.#onPhase(this.#spec.phases.busy);
    this.#emit('task-start', task.id);
    void this.#run(task);
  }

  async #run(task: Task): Promise<void> {
    const context: TaskContext = {
      input: task.input,
      signal: task.controller.signal,
      taskId: task.id,
      depth: task.depth,
      maxDepth: task.maxDepth,
      progress: (update) => {
        if (!task.done && task.stream !== undefined) {
          task.stream.send({ type: 'troupe.chunk', value: { ...update, type: 'progress', taskId: task.id } });
        }
      },
      reportUsage: (usage) => {
        addUsage(task.usage, usage);
      },
      setPhase: (phase) => {
        if (!task.done) this.#onPhase(phase);
      },
      system: this.#system,
      self: this.#self,
    };
    let outcome: TaskOutcome | undefined;
    let failure: { code: ErrorCode; error: unknown } | undefined;
    try {
      outcome = await this.#spec.run(context);
      const problem = this.#spec.checkOutput(outcome.output);
      if (problem !== undefined) {
        failure = {
          code: 'TROUPE_ERR_INVALID_OUTPUT',
          error: createError('TROUPE_ERR_INVALID_OUTPUT', `${this.#spec.name}: invalid output: ${problem}`),
        };
      }
    } catch (err) {
      failure = { code: this.#codeOf(err), error: err };
    }
    if (task.done) return;
    this.#finish(task, failure === undefined);
    if (failure !== undefined || outcome === undefined) {
      const f = failure ?? { code: 'TROUPE_ERR_WORKER_FAILED' as const, error: new Error('no outcome') };
      this.#emit('task-failed', task.id, f.code);
      this.#fail(task.replyTo, task.stream, f.code, f.error);
      return;
    }
    addUsage(task.usage, outcome.usage);
    const result: ResultEvent & Record<string, unknown> = { type: 'result', output: outcome.output, taskId: task.id, ...outcome.extra };
    // a task that used no model carries no usage (it is optional in the protocol): less to encode and check
    const u = task.usage;
    if (u.calls > 0 || u.inputTokens > 0 || u.outputTokens > 0 || Object.keys(u.byModel).length > 0) result.usage = u;
    this.#emit('task-done', task.id);
    task.replyTo?.send(result);
    if (task.stream !== undefined) {
      task.stream.send({ type: 'troupe.chunk', value: result });
      task.stream.send({ type: 'troupe.end' });
    }
  }

  #codeOf(err: unknown): ErrorCode {
    if (this.#spec.keepCodes && err instanceof TroupeError) return err.code;
    return 'TROUPE_ERR_WORKER_FAILED';
  }

  /** Removes a task that ended (or was cancelled) and starts the next queued one. */
  #finish(task: Task, ok: boolean): void {
    task.done = true;
    if (task.replyTo !== undefined) this.#hold(task.replyTo, -1);
    if (task.caller !== undefined) this.#hold(task.caller, -1);
    if (this.#running.delete(task)) {
      const next = this.#queue.shift();
      if (next !== undefined) this.#start(next);
      else if (this.#running.size === 0) this.#onPhase(ok ? this.#spec.phases.ok : this.#spec.phases.failed);
    }
  }

  /** Cancels every task that matches, without a reply (nobody is left to hear it). */
  #cancelAll(match: (task: Task) => boolean, why: string): void {
    while (this.#queue.some(match) || [...this.#running].some(match)) this.#cancel(match, why, false);
  }

  #cancel(match: (task: Task) => boolean, why: string, reply = true): void {
    const queued = this.#queue.findIndex(match);
    const task = queued >= 0 ? this.#queue.splice(queued, 1)[0] : [...this.#running].find(match);
    if (task === undefined || task.done) return;
    const error = createError('TROUPE_ERR_CANCELLED', `${this.#spec.name}: task ${task.id} ${why}`);
    this.#finish(task, false);
    task.controller.abort(error);
    this.#emit('cancelled', task.id);
    if (reply) this.#fail(task.replyTo, task.stream, 'TROUPE_ERR_CANCELLED', error);
  }

  /**
   * Watches each asker and caller once, however many of its tasks are here (one watch message to
   * its node, not one per task; a watch is one per address, so the first task to end must not drop
   * it for the others); the last task's end lets go.
   */
  #hold(ref: ActorRef, delta: 1 | -1): void {
    const held = this.#held.get(ref.address);
    const count = (held?.count ?? 0) + delta;
    if (count > 0) {
      if (held === undefined) {
        this.#held.set(ref.address, { ref, count });
        this.#watch(ref, true);
      } else held.count = count;
    } else if (held !== undefined) {
      this.#held.delete(ref.address);
      this.#watch(held.ref, false);
    }
  }

  #watch(replyTo: ActorRef, on: boolean): void {
    try {
      if (on) this.#system.watch(this.#self, replyTo);
      else this.#system.unwatch(this.#self, replyTo);
    } catch {
      // a reply address that cannot be watched: the task then ends only by cancel or timeout
    }
  }

  #fail(replyTo: ActorRef | undefined, stream: ActorRef | undefined, code: ErrorCode, error: unknown): void {
    const reply = { type: 'troupe.error', code, error: wireError(error) };
    replyTo?.send(reply);
    stream?.send(reply);
  }

  #emit(step: 'task-start' | 'task-done' | 'task-failed' | 'cancelled', taskId: string, detail?: string): void {
    const inspection = this.#system.inspection;
    if (!inspection.active) return;
    inspection.emit({
      type: '@troupe.pattern',
      node: this.#system.node,
      pattern: 'worker',
      run: this.#self.address,
      step,
      taskId,
      worker: this.#self.address,
      detail,
    });
  }
}
