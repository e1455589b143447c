/**
 * Everything a coordinator's run has done, in one JSON-serializable object: the conversation, the
 * decision records, token use, counters, the scratchpad and the calls of the current turn that
 * already finished. A checkpoint is this object; a resumed run continues from it.
 */
import { emptyUsage, type Usage } from '../patterns/worker-protocol.js';
import type { DecisionRecord } from './decisions.js';
import type { StopReason } from './limits.js';
import type { LlmMessage } from './llm/llm.js';

/**
 * The outcome of one tool call as the model reads it.
 *
 * @example
 * ```ts
 * const outcome: CallOutcome = { ok: true, content: '{"answer":"42"}', usage: emptyUsage() };
 * ```
 */
export interface CallOutcome {
  ok: boolean;
  /** The tool message's content. */
  content: string;
  /** The error code, when the call failed or never ran. */
  error?: string;
  /** Tokens the call used below (a worker's usage). */
  usage: Usage;
}

/**
 * The state of one run.
 *
 * @example
 * ```ts
 * const saved = await store.get<RunState>(`troupe/coordinator/lead/release-42`);
 * console.log(saved?.value.iterations, saved?.value.decisions.length);
 * ```
 */
export interface RunState {
  task: string;
  /** The conversation after the system message. */
  messages: LlmMessage[];
  decisions: DecisionRecord[];
  /** Everything the run used: its own model requests and every call below. */
  usage: Usage;
  /** Model turns that could call tools. */
  iterations: number;
  /** Calls that reached (or were sent to) a worker. */
  workerCalls: number;
  /** Full texts of summarized results, by id. */
  scratchpad: Record<string, string>;
  /** Finished calls of the turn in progress, by tool call id. */
  finished: Record<string, CallOutcome>;
  /** Set once the run ended. */
  stopReason?: StopReason;
  answer?: string;
}

/**
 * The finished outcome of the call `id` in the turn in progress. Ids come from the model: an id
 * such as `constructor` or `__proto__` must not read Object.prototype.
 */
export function finishedCall(state: RunState, id: string): CallOutcome | undefined {
  return Object.hasOwn(state.finished, id) ? state.finished[id] : undefined;
}

/** Records the outcome of the call `id` as an own property (assigning `__proto__` would set the prototype). */
export function recordFinished(state: RunState, id: string, outcome: CallOutcome): void {
  Object.defineProperty(state.finished, id, { value: outcome, enumerable: true, writable: true, configurable: true });
}

/** A fresh run of `task`. */
export function newRunState(task: string): RunState {
  return {
    task,
    messages: [{ role: 'user', content: task }],
    decisions: [],
    usage: emptyUsage(),
    iterations: 0,
    workerCalls: 0,
    scratchpad: {},
    finished: {},
  };
}
