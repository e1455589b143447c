/**
 * Guardrails between the model and the workers: which workers may be called at all (`allow`), and
 * a per-call approval (`approve`) that may wait for a person, within a timeout. A refused call
 * never reaches a worker; the model is told why.
 */
import { createError } from '../errors.js';
import { type Clock, realClock } from '../util/clock.js';
import { waitForHuman } from './human-wait.js';

/**
 * A call as `approve` sees it.
 *
 * @example
 * ```ts
 * const approve = (call: ProposedCall) => call.worker !== 'deploy' || (call.input as { task: string }).task.includes('staging');
 * ```
 */
export interface ProposedCall {
  /** The model's tool call id. */
  id: string;
  worker: string;
  /** The validated input the worker would get. */
  input: unknown;
  /** The model turn that made the call (1-based). */
  iteration: number;
  /** The coordinator's task. */
  taskId: string;
}

/**
 * What `approve` may answer: yes/no, or no with a reason the model will read.
 *
 * @example
 * ```ts
 * const approve = async (call: ProposedCall): Promise<Approval> =>
 *   call.worker === 'deploy' ? { approved: false, reason: 'deploys need a person' } : true;
 * ```
 */
export type Approval = boolean | { approved: boolean; reason?: string };

/**
 * Guardrails of a coordinator or LLM agent.
 *
 * @example
 * ```ts
 * const guardrails: Guardrails = {
 *   allow: ['search', 'code'],
 *   approve: async (call, { signal }) => askReviewer(call, { signal }), // may wait for a person
 *   approveTimeoutMs: 600_000,
 * };
 * const lead = defineCoordinator({ ...options, guardrails });
 * ```
 */
export interface Guardrails {
  /** Names of the workers (tools) the model may call; the others are not offered and their calls are refused. Default: all. */
  allow?: readonly string[];
  /**
   * Asked before every call that passed validation and `allow`. May be async — wait for a person —
   * up to `approveTimeoutMs`; its signal aborts when the run is cancelled. Throwing or timing out denies.
   */
  approve?: (call: ProposedCall, options: { signal: AbortSignal }) => Approval | Promise<Approval>;
  /** Longest wait for `approve`, ms. Default 300 000. */
  approveTimeoutMs?: number;
}

/** Guardrails checked and with defaults. @internal */
export interface ResolvedGuardrails {
  allow: ReadonlySet<string> | undefined;
  approve: Guardrails['approve'];
  approveTimeoutMs: number;
}

/** Validates guardrails (throws `TROUPE_ERR_INVALID_OPTION`). @internal */
export function resolveGuardrails(g: Guardrails | undefined, owner: string): ResolvedGuardrails {
  if (g === undefined) return { allow: undefined, approve: undefined, approveTimeoutMs: 300_000 };
  const bad = (what: string) => createError('TROUPE_ERR_INVALID_OPTION', `${owner}: guardrails.${what}`);
  if (g.allow !== undefined && (!Array.isArray(g.allow) || g.allow.some((n) => typeof n !== 'string')))
    throw bad('allow must be an array of worker names');
  if (g.approve !== undefined && typeof g.approve !== 'function') throw bad('approve must be a function');
  const timeout = g.approveTimeoutMs ?? 300_000;
  if (!(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) throw bad('approveTimeoutMs must be a finite number > 0');
  return { allow: g.allow === undefined ? undefined : new Set(g.allow), approve: g.approve, approveTimeoutMs: timeout };
}

/** Asks `approve` about one call: `undefined` when approved, else the reason it was not. @internal */
export async function askApproval(
  g: ResolvedGuardrails,
  call: ProposedCall,
  signal: AbortSignal,
  clock: Clock = realClock,
): Promise<string | undefined> {
  const approve = g.approve;
  if (approve === undefined) return undefined;
  try {
    const outcome = await waitForHuman((own) => approve(call, { signal: own }), signal, g.approveTimeoutMs, clock, 'approval timed out');
    if (outcome.kind === 'timeout') return `approval timed out after ${g.approveTimeoutMs} ms`;
    if (outcome.kind === 'cancelled') return 'the run was cancelled';
    const answer = outcome.value;
    if (answer === true) return undefined;
    if (typeof answer === 'object' && answer !== null && answer.approved === true) return undefined;
    const reason = typeof answer === 'object' && answer !== null && typeof answer.reason === 'string' ? answer.reason : undefined;
    return reason === undefined ? 'denied by approve' : `denied by approve: ${reason}`;
  } catch (err) {
    return `approve failed: ${(err as Error)?.message ?? String(err)}`;
  }
}
