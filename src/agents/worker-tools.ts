/**
 * A coordinator's workers as tools: logic is spawned as children of the coordinator (one set per
 * incarnation); refs, local or remote, are described with `describe` on first use, so a worker on
 * another node becomes a tool without shipping its code. Several refs of one worker are replicas:
 * a retry goes to the next one.
 */
import type { AnyEventObject } from 'xstate';
import type { ActorRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import { createError, type ErrorCode, TroupeError } from '../errors.js';
import { runTask } from '../patterns/worker-protocol.js';
import { type AgentLogic, isAgentLogic } from './agent-logic.js';
import { readDescriptor } from './describe.js';
import type { LoopTool } from './loop-tool.js';

/**
 * A coordinator's worker: agent logic (spawned as its child), a ref, or several refs of one worker (replicas, called in turn).
 *
 * @example
 * ```ts
 * const workers: WorkerEntry[] = [
 *   search,                       // logic: spawned as the coordinator's child
 *   system.ref(reviewAddress),    // a ref, here or on another node: described on first use
 *   [buildA, buildB],             // replicas of one worker: a retry goes to the next
 * ];
 * const lead = defineCoordinator({ ...options, workers });
 * ```
 */
export type WorkerEntry = AgentLogic | ActorRef | readonly ActorRef[];

/** Failures worth another attempt: the call may succeed elsewhere or later. */
const RUNTIME_FAILURES = new Set<ErrorCode>([
  'TROUPE_ERR_TIMEOUT',
  'TROUPE_ERR_NODE_DOWN',
  'TROUPE_ERR_NO_ACTOR',
  'TROUPE_ERR_ACTOR_STOPPED',
  'TROUPE_ERR_ACTOR_FAILED',
  'TROUPE_ERR_MAILBOX_FULL',
  'TROUPE_ERR_TOO_MANY_PENDING',
  'TROUPE_ERR_WORKER_FAILED',
  'TROUPE_ERR_ESCALATED',
  // a sub-agent whose model was briefly unreachable
  'TROUPE_ERR_LLM_UNAVAILABLE',
  'TROUPE_ERR_LLM_RATE_LIMITED',
]);

/** True for a runtime failure of a call (timeout, crash, node down, …), as opposed to a refusal. @internal */
export function isRuntimeFailure(err: unknown): boolean {
  return err instanceof TroupeError ? RUNTIME_FAILURES.has(err.code) : true;
}

const isRef = (value: unknown): value is ActorRef =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ActorRef).ask === 'function' &&
  typeof (value as ActorRef).address === 'string';

/** Checks a coordinator's `workers` option (throws `TROUPE_ERR_INVALID_OPTION`). @internal */
export function checkWorkers(workers: unknown, owner: string): readonly WorkerEntry[] {
  const bad = (why: string) => createError('TROUPE_ERR_INVALID_OPTION', `${owner}: ${why}`);
  if (!Array.isArray(workers) || workers.length === 0) throw bad('workers must be a non-empty array');
  const names = new Set<string>();
  for (const w of workers) {
    if (isAgentLogic(w)) {
      if (names.has(w.name)) throw bad(`two workers are named '${w.name}'`);
      names.add(w.name);
    } else if (Array.isArray(w)) {
      if (w.length === 0 || !w.every(isRef)) throw bad('a replica group must be a non-empty array of refs');
    } else if (!isRef(w)) {
      throw bad('each worker must be agent logic (defineWorker, defineAgent, defineCoordinator), a ref, or an array of refs');
    }
  }
  return workers as readonly WorkerEntry[];
}

/** The tools of one coordinator incarnation. @internal */
export class WorkerTools {
  readonly #entries: readonly WorkerEntry[];
  readonly #tools: (LoopTool | undefined)[];
  readonly #refs: (readonly ActorRef[])[];
  readonly #owner: string;
  readonly #self: ActorRef;

  constructor(entries: readonly WorkerEntry[], system: ActorSystem, self: ActorRef, owner: string) {
    this.#entries = entries;
    this.#owner = owner;
    this.#self = self;
    this.#refs = [];
    this.#tools = [];
    for (const entry of entries) {
      if (isAgentLogic(entry)) {
        const ref = system.spawn(entry, { parent: self, name: entry.name });
        this.#refs.push([ref]);
        this.#tools.push(this.#tool(entry.name, entry.description, entry.descriptor.inputSchema, entry.input, entry.output, [ref]));
      } else {
        this.#refs.push(Array.isArray(entry) ? entry : [entry as ActorRef]);
        this.#tools.push(undefined);
      }
    }
  }

  /** Every tool, describing refs not yet described (in parallel). A worker that cannot be described fails the run. */
  async resolve(signal: AbortSignal, timeoutMs: number): Promise<LoopTool[]> {
    await Promise.all(
      this.#entries.map(async (_entry, i) => {
        if (this.#tools[i] !== undefined) return;
        this.#tools[i] = await this.#describe(this.#refs[i]!, signal, timeoutMs);
      }),
    );
    const tools = this.#tools as LoopTool[];
    const seen = new Set<string>();
    for (const t of tools) {
      if (seen.has(t.name)) throw createError('TROUPE_ERR_INVALID_OPTION', `${this.#owner}: two workers are named '${t.name}'`);
      seen.add(t.name);
    }
    return tools;
  }

  async #describe(refs: readonly ActorRef[], signal: AbortSignal, timeoutMs: number): Promise<LoopTool> {
    let last: unknown;
    for (const ref of refs) {
      try {
        const reply = await ref.ask<AnyEventObject>({ type: 'describe' }, { timeoutMs, signal });
        const { descriptor, input, output } = readDescriptor(reply, ref.address);
        return this.#tool(descriptor.name, descriptor.description, descriptor.inputSchema, input, output, refs);
      } catch (err) {
        if (signal.aborted) throw err;
        last = err;
      }
    }
    throw createError(
      'TROUPE_ERR_WORKER_FAILED',
      `${this.#owner}: could not describe worker ${refs[0]?.address}: ${(last as Error)?.message}`,
      {
        cause: last,
      },
    );
  }

  #tool(
    name: string,
    description: string,
    parameters: Record<string, unknown>,
    input: LoopTool['input'],
    output: LoopTool['output'],
    refs: readonly ActorRef[],
  ): LoopTool {
    let next = 0;
    return {
      name,
      description,
      parameters,
      input,
      output,
      retryable: isRuntimeFailure,
      // replicas share the calls round-robin; a call's retry goes to the ref after the one it last tried
      execute: async (value, { signal, timeoutMs, depth, maxDepth, attempt, callId, replica }) => {
        replica.index = replica.index === undefined ? next++ % refs.length : (replica.index + 1) % refs.length;
        const ref = refs[replica.index]!;
        // the task id is the tool call's id (a retry gets its own), so the worker's invoke_agent span
        // nests under this call's execute_tool span on any node; the coordinator is the caller: a
        // worker on another node cancels the task if the coordinator's node dies
        const taskId = attempt === 0 ? callId : `${callId}#${attempt}`;
        const { output: out, usage } = await runTask(ref, value, { timeoutMs, signal, depth, maxDepth, taskId, caller: this.#self });
        return { output: out, usage };
      },
    };
  }
}
