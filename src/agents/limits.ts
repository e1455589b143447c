/** The budgets of a ReAct loop (coordinator or LLM agent), their defaults, and which one a run hit. */
import { createError } from '../errors.js';
import type { Usage } from '../patterns/worker-protocol.js';

/**
 * Bounds on one run of a coordinator or LLM agent.
 *
 * @example
 * ```ts
 * const limits: Limits = { maxIterations: 10, maxWorkerCalls: 20, maxRetries: 2, tokenBudget: 200_000, maxConcurrency: 8 };
 * const lead = defineCoordinator({ ...options, limits });
 * ```
 */
export interface Limits {
  /** Model turns that may call tools. Default 10. */
  maxIterations?: number;
  /** Worker (tool) calls in the run, retries not counted. Default 20. */
  maxWorkerCalls?: number;
  /** Retries of a call after a runtime failure (timeout, crash, node down). Default 2. */
  maxRetries?: number;
  /** Deepest task depth in the hierarchy: a coordinator whose task is at this depth cannot delegate. Default 3. */
  maxDepth?: number;
  /** Tokens (input + output, everything below included) after which the run synthesizes. Default Infinity. */
  tokenBudget?: number;
  /** Longest wait for one worker call, ms. Default 60 000. */
  workerTimeoutMs?: number;
  /** Tool calls of one turn running at once. Default 8. */
  maxConcurrency?: number;
  /** Times one call may go back to the `escalate` hook (retry or reassign) before it is abandoned. Default 3. */
  maxEscalations?: number;
  /**
   * Longest result, in characters, that enters the conversation, the summarizer or the scratchpad
   * (worker results are untrusted: one may be gigantic); the rest is cut, with a note. Default 200 000.
   */
  maxResultChars?: number;
}

/** Limits with every default filled in. */
export type ResolvedLimits = Required<Limits>;

/**
 * Why a run stopped: it finished, or it hit a limit and synthesized.
 *
 * @example
 * ```ts
 * const reason: StopReason = run.stopReason;
 * if (reason !== 'done') console.warn(`the run hit its ${reason} limit and synthesized an answer`);
 * ```
 */
export type StopReason = 'done' | 'max-iterations' | 'max-worker-calls' | 'token-budget';

const DEFAULTS: ResolvedLimits = {
  maxIterations: 10,
  maxWorkerCalls: 20,
  maxRetries: 2,
  maxDepth: 3,
  tokenBudget: Number.POSITIVE_INFINITY,
  workerTimeoutMs: 60_000,
  maxConcurrency: 8,
  maxEscalations: 3,
  maxResultChars: 200_000,
};

/** Validates `limits` (throws `TROUPE_ERR_INVALID_OPTION`) and fills in defaults. */
export function resolveLimits(limits: Limits | undefined, owner: string): ResolvedLimits {
  if (limits !== undefined && (typeof limits !== 'object' || limits === null)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: limits must be an object`);
  }
  const out = { ...DEFAULTS };
  for (const key of Object.keys(limits ?? {}) as (keyof Limits)[]) {
    if (!(key in DEFAULTS)) throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: unknown limit '${key}'`);
    const value = limits?.[key];
    if (value === undefined) continue;
    const min = key === 'maxRetries' || key === 'maxDepth' || key === 'maxEscalations' ? 0 : 1;
    const ok =
      typeof value === 'number' &&
      value >= min &&
      (Number.isInteger(value) || (value === Number.POSITIVE_INFINITY && key === 'tokenBudget'));
    if (!ok)
      throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: limits.${key} must be a whole number >= ${min}, got ${String(value)}`);
    out[key] = value;
  }
  return out;
}

/** What a run has used so far, as the limits see it. */
export interface Spent {
  iterations: number;
  workerCalls: number;
  usage: Usage;
}

/** The limit that stops the run before its next planning turn, if any (token budget first). */
export function limitReached(limits: ResolvedLimits, spent: Spent): Exclude<StopReason, 'done'> | undefined {
  if (spent.usage.inputTokens + spent.usage.outputTokens >= limits.tokenBudget) return 'token-budget';
  if (spent.workerCalls >= limits.maxWorkerCalls) return 'max-worker-calls';
  if (spent.iterations >= limits.maxIterations) return 'max-iterations';
  return undefined;
}
