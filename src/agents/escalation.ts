/**
 * Escalation and arbitration: a call that still fails after its retries goes to the coordinator's
 * `escalate` hook (a person, a supervisor agent, a policy), which picks retry, reassign to another
 * worker, or abandon. Without a hook, `onWorkerFailure: 'escalate'` fails the run to its parent.
 */
import { type Clock, realClock } from '../util/clock.js';
import { waitForHuman } from './human-wait.js';

/**
 * A failure the coordinator cannot resolve by itself.
 *
 * @example
 * ```ts
 * const escalate = async (e: Escalation) => {
 *   console.log(`${e.worker} failed ${e.attempts} times: ${e.error.code}`);
 *   return e.workers.includes('backup') ? { action: 'reassign', worker: 'backup' } as const : { action: 'abandon' } as const;
 * };
 * ```
 */
export interface Escalation {
  /** The coordinator's address. */
  coordinator: string;
  taskId: string;
  /** The model's tool call id. */
  callId: string;
  worker: string;
  input: unknown;
  error: { code: string; message: string };
  /** Attempts made so far for this call. */
  attempts: number;
  /** What the hook may choose. */
  options: readonly ('retry' | 'reassign' | 'abandon')[];
  /** Workers a reassignment may name (those the model may call). */
  workers: readonly string[];
}

/**
 * The arbiter's choice: run it again, run it on another worker, or give it up (the model is told).
 *
 * @example
 * ```ts
 * const choice: EscalationChoice = { action: 'reassign', worker: 'search_backup' };
 * ```
 */
export type EscalationChoice = { action: 'retry' } | { action: 'reassign'; worker: string } | { action: 'abandon'; reason?: string };

/**
 * The `escalate` hook: may wait for a person, up to `escalateTimeoutMs`; throwing or timing out abandons.
 *
 * @example
 * ```ts
 * const escalate: EscalateHook = async (e, { signal }) => {
 *   const answer = await askOnCall(`${e.worker}: ${e.error.message}`, { signal }); // a person decides
 *   return answer === 'retry' ? { action: 'retry' } : { action: 'abandon', reason: 'skipped by on-call' };
 * };
 * const lead = defineCoordinator({ ...options, onWorkerFailure: 'escalate', escalate, escalateTimeoutMs: 600_000 });
 * ```
 */
export type EscalateHook = (escalation: Escalation, options: { signal: AbortSignal }) => EscalationChoice | Promise<EscalationChoice>;

/** Asks the hook, within `timeoutMs`; anything but a valid choice is an abandon with the reason why. @internal */
export async function arbitrate(
  hook: EscalateHook,
  escalation: Escalation,
  signal: AbortSignal,
  timeoutMs: number,
  clock: Clock = realClock,
): Promise<EscalationChoice> {
  try {
    const outcome = await waitForHuman((own) => hook(escalation, { signal: own }), signal, timeoutMs, clock, 'escalation timed out');
    if (outcome.kind === 'timeout') return { action: 'abandon', reason: `no decision within ${timeoutMs} ms` };
    if (outcome.kind === 'cancelled') return { action: 'abandon', reason: 'the run was cancelled' };
    const answer = outcome.value;
    if (answer?.action === 'retry') return { action: 'retry' };
    if (answer?.action === 'reassign' && typeof answer.worker === 'string') return { action: 'reassign', worker: answer.worker };
    if (answer?.action === 'abandon') return { action: 'abandon', reason: typeof answer.reason === 'string' ? answer.reason : undefined };
    return { action: 'abandon', reason: `the escalate hook answered ${JSON.stringify(answer)}` };
  } catch (err) {
    return { action: 'abandon', reason: `the escalate hook failed: ${(err as Error)?.message ?? String(err)}` };
  }
}
