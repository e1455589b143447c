/** Decision records: one per model turn of a coordinator or LLM agent, returned and emitted. */
import type { Usage } from '../patterns/worker-protocol.js';
import type { Caller } from './llm-call.js';

/**
 * One tool call the model made in a turn.
 *
 * @example
 * ```ts
 * for (const call of run.decisions[0]!.calls) console.log(call.id, call.worker, call.input);
 * ```
 */
export interface DecisionCall {
  id: string;
  worker: string;
  /** The arguments as parsed (or the raw text when they were not JSON). */
  input: unknown;
}

/**
 * What came of one call.
 *
 * @example
 * ```ts
 * const failed = run.decisions.flatMap((d) => d.results).filter((r: DecisionResult) => !r.ok);
 * for (const r of failed) console.log(r.id, r.error, r.summary);
 * ```
 */
export interface DecisionResult {
  id: string;
  ok: boolean;
  /** The start of what the model was told. */
  summary: string;
  /** The error code when the call failed or never ran. */
  error?: string;
}

/**
 * One turn: what the model thought (its text beside the tool calls), which calls it made, what
 * came back, the tokens the turn used (the model request and every worker call below), and the
 * limit that forced the turn, if one did.
 *
 * @example
 * ```ts
 * const run = await lead.ask<CoordinatorResult>({ type: 'task', input: { task } }, { timeoutMs: 600_000 });
 * for (const d of run.decisions) {
 *   console.log(d.iteration, d.thought, d.calls.map((c) => c.worker), d.usage.inputTokens, d.limit ?? '');
 * }
 * ```
 */
export interface DecisionRecord {
  iteration: number;
  /** Epoch ms when the turn ended. */
  at: number;
  thought: string | null;
  calls: DecisionCall[];
  results: DecisionResult[];
  usage: Usage;
  limit?: string;
}

const SUMMARY_CHARS = 200;

/** The first characters of `text`, for a record. */
export function summarize(text: string): string {
  return text.length <= SUMMARY_CHARS ? text : `${text.slice(0, SUMMARY_CHARS - 1)}…`;
}

/** Emits a `@troupe.decision` inspection event for `record`. */
export function emitDecision(caller: Caller, record: DecisionRecord, stopReason?: string): void {
  const inspection = caller.system.inspection;
  if (!inspection.active) return;
  inspection.emit({
    type: '@troupe.decision',
    node: caller.system.node,
    actor: caller.actor,
    taskId: caller.taskId,
    decision: record,
    ...(stopReason === undefined ? {} : { stopReason }),
  });
}
