/**
 * One call of a turn, once it passed screening: its attempts (a retry goes to another ref when the
 * worker has several), escalation to the `escalate` hook or to the parent, and the result, which is
 * untrusted: validated, made text, cut to `maxResultChars` and summarized when long.
 */
import { createError, TroupeError } from '../errors.js';
import { addUsage, emptyUsage, type Usage } from '../patterns/worker-protocol.js';
import { arbitrate, type EscalateHook } from './escalation.js';
import { askApproval, type ResolvedGuardrails } from './guardrails.js';
import type { ResolvedLimits } from './limits.js';
import type { LlmClient, LlmToolCall } from './llm/llm.js';
import type { Caller } from './llm-call.js';
import { check, type LoopTool } from './loop-tool.js';
import type { CallOutcome, RunState } from './run-state.js';
import { type ContextOptions, summarizeInto } from './scratchpad.js';

/** What a turn needs to know. @internal */
export interface TurnConfig {
  tools: ReadonlyMap<string, LoopTool>;
  limits: ResolvedLimits;
  guardrails: ResolvedGuardrails;
  context: ContextOptions | undefined;
  llm: LlmClient;
  onWorkerFailure: 'report' | 'escalate';
  escalate: EscalateHook | undefined;
  escalateTimeoutMs: number;
  depth: number;
  maxDepth: number;
  caller: Caller;
  iteration: number;
  /** Called after each finished call (for checkpoints). */
  onFinished?: () => Promise<void> | void;
  setPhase(phase: string): void;
}

/** Longest error message the model reads: a worker's error text is untrusted too. */
const MAX_MESSAGE_CHARS = 2000;

/** An error tool result: the call failed or never ran. @internal */
export const refused = (code: string, message: string): CallOutcome => ({
  ok: false,
  error: code,
  content: JSON.stringify({ error: code, message: cut(message, MAX_MESSAGE_CHARS) }),
  usage: emptyUsage(),
});

/** `text`, cut to `max` characters with a note saying how much was left out. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

/** Where one call stands: the tool it goes to (a reassignment changes it), its input, its counts. */
interface CallAttempts {
  tool: LoopTool;
  value: unknown;
  attempts: number;
  escalations: number;
  /** The replica of `tool` the last attempt went to. */
  replica: { index?: number };
}

/** Attempts, retries, escalation and the result's validation for one call. @internal */
export async function execute(
  first: LoopTool,
  input: unknown,
  call: LlmToolCall,
  state: RunState,
  cfg: TurnConfig,
  turn: AbortController,
  callSignal: AbortSignal,
): Promise<CallOutcome> {
  const usage = emptyUsage();
  const at: CallAttempts = { tool: first, value: input, attempts: 0, escalations: 0, replica: {} };
  for (;;) {
    const tried = await withRetries(at, call, state, cfg, usage, callSignal);
    if ('outcome' in tried) return tried.outcome;
    // a runtime failure that outlived its retries
    if (cfg.onWorkerFailure === 'report') return failed(tried.failure, usage);
    const abandoned = await escalate(tried.failure, at, call, cfg, turn, usage, callSignal);
    if (abandoned !== undefined) return abandoned;
  }
}

/** Up to `maxRetries + 1` attempts: the outcome, or the runtime failure that outlived them. */
async function withRetries(
  at: CallAttempts,
  call: LlmToolCall,
  state: RunState,
  cfg: TurnConfig,
  usage: Usage,
  callSignal: AbortSignal,
): Promise<{ outcome: CallOutcome } | { failure: unknown }> {
  let failure: unknown;
  for (let attempt = 0; attempt <= cfg.limits.maxRetries; attempt++) {
    if (callSignal.aborted) throw callSignal.reason ?? createError('TROUPE_ERR_CANCELLED', 'cancelled');
    at.attempts++;
    try {
      const result = await at.tool.execute(at.value, {
        signal: callSignal,
        attempt,
        callId: call.id,
        timeoutMs: cfg.limits.workerTimeoutMs,
        depth: cfg.depth + 1,
        maxDepth: cfg.maxDepth,
        clock: cfg.caller.system.clock,
        replica: at.replica,
      });
      addUsage(usage, result.usage);
      addUsage(state.usage, result.usage);
      return { outcome: await accept(at.tool, result.output, usage, state, cfg, callSignal) };
    } catch (err) {
      if (callSignal.aborted) throw err;
      failure = err;
      if (!at.tool.retryable(err)) return { outcome: failed(err, usage) };
      if (attempt < cfg.limits.maxRetries) emitRetry(cfg, at.tool.name, err);
    }
  }
  return { failure };
}

/**
 * Hands a failure to the `escalate` hook (retry, reassign, abandon), or — without one — fails the
 * run to its parent (the turn is aborted). Resolves to the outcome when the call is abandoned,
 * undefined to try again (`at` then names the worker a reassignment chose). A reassignment stays
 * within the guardrails: a worker outside `allow` is refused, and `approve` is asked again.
 */
async function escalate(
  failure: unknown,
  at: CallAttempts,
  call: LlmToolCall,
  cfg: TurnConfig,
  turn: AbortController,
  usage: Usage,
  callSignal: AbortSignal,
): Promise<CallOutcome | undefined> {
  const error = { code: codeOf(failure), message: messageOf(failure) };
  if (cfg.escalate === undefined) {
    const escalated = createError(
      'TROUPE_ERR_ESCALATED',
      `${cfg.caller.actor}: ${at.tool.name} failed after ${at.attempts} attempts (${error.code}: ${error.message})`,
      { cause: failure },
    );
    turn.abort(escalated);
    throw escalated;
  }
  if (at.escalations >= cfg.limits.maxEscalations) return failed(failure, usage, `abandoned after ${at.escalations} escalations`);
  at.escalations++;
  const workers = [...cfg.tools.keys()].filter((n) => cfg.guardrails.allow === undefined || cfg.guardrails.allow.has(n));
  const escalation = {
    coordinator: cfg.caller.actor,
    taskId: cfg.caller.taskId,
    callId: call.id,
    worker: at.tool.name,
    input: at.value,
    error,
    attempts: at.attempts,
    options: ['retry', 'reassign', 'abandon'] as const,
    workers,
  };
  const clock = cfg.caller.system.clock;
  const choice = await arbitrate(cfg.escalate, escalation, callSignal, cfg.escalateTimeoutMs, clock);
  if (callSignal.aborted) throw callSignal.reason;
  if (choice.action === 'abandon')
    return failed(failure, usage, `abandoned by the arbiter${choice.reason === undefined ? '' : `: ${choice.reason}`}`);
  if (choice.action === 'retry') return undefined;
  const next = cfg.tools.get(choice.worker);
  if (next === undefined || !workers.includes(choice.worker))
    return failed(failure, usage, `abandoned: cannot reassign to ${JSON.stringify(choice.worker.slice(0, 80))}`);
  const parsed = check(next.input, at.value);
  if (!parsed.ok) return failed(failure, usage, `abandoned: the input does not fit ${next.name}: ${parsed.message}`);
  const proposed = { id: call.id, worker: next.name, input: parsed.value, iteration: cfg.iteration, taskId: cfg.caller.taskId };
  const denial = await askApproval(cfg.guardrails, proposed, callSignal, clock);
  if (callSignal.aborted) throw callSignal.reason;
  if (denial !== undefined) return failed(failure, usage, `abandoned: the reassignment to ${next.name} was refused: ${denial}`);
  at.tool = next;
  at.value = parsed.value;
  at.replica = {};
  return undefined;
}

/** A result arrived: validate it (untrusted), make it text, summarize it when long. */
async function accept(
  tool: LoopTool,
  output: unknown,
  usage: Usage,
  state: RunState,
  cfg: TurnConfig,
  signal: AbortSignal,
): Promise<CallOutcome> {
  if (tool.output !== undefined) {
    const parsed = check(tool.output, output);
    if (!parsed.ok)
      return refusedWith(
        usage,
        'TROUPE_ERR_INVALID_OUTPUT',
        `${tool.name} returned output that does not match its schema: ${parsed.message}`,
      );
  }
  let text: string;
  try {
    text = typeof output === 'string' ? output : (JSON.stringify(output) ?? 'null');
  } catch (err) {
    return refusedWith(usage, 'TROUPE_ERR_INVALID_OUTPUT', `${tool.name} returned output that is not JSON: ${(err as Error).message}`);
  }
  text = cut(text, cfg.limits.maxResultChars);
  const ctx = cfg.context;
  if (ctx !== undefined && text.length > ctx.summarizeOver) {
    const summaryUsage = emptyUsage();
    text = await summarizeInto(
      state.scratchpad,
      tool.name,
      text,
      ctx.summarizer ?? cfg.llm,
      cfg.caller,
      summaryUsage,
      signal,
      ctx.summarizeOver,
    );
    addUsage(usage, summaryUsage);
    addUsage(state.usage, summaryUsage);
  }
  return { ok: true, content: text, usage };
}

function refusedWith(usage: Usage, code: string, message: string): CallOutcome {
  return { ...refused(code, message), usage };
}

function failed(err: unknown, usage: Usage, note?: string): CallOutcome {
  const message = note === undefined ? messageOf(err) : `${messageOf(err)} (${note})`;
  return refusedWith(usage, codeOf(err), message);
}

const codeOf = (err: unknown): string => (err instanceof TroupeError ? err.code : 'TROUPE_ERR_WORKER_FAILED');
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function emitRetry(cfg: TurnConfig, worker: string, err: unknown): void {
  const { system } = cfg.caller;
  if (!system.inspection.active) return;
  system.inspection.emit({
    type: '@troupe.pattern',
    node: system.node,
    pattern: 'coordinator',
    run: cfg.caller.actor,
    step: 'task-retry',
    taskId: cfg.caller.taskId,
    detail: `${worker}: ${codeOf(err)}`,
  });
}
