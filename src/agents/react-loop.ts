/**
 * The ReAct loop shared by coordinators and LLM agents: plan (a model turn with the tools), act
 * (the turn's calls), observe (their results join the conversation), until the model answers
 * without tools — or a limit forces one last request without tools (the forced synthesis).
 * Every turn leaves a decision record.
 */
import { TroupeError } from '../errors.js';
import { addUsage, emptyUsage, type Usage } from '../patterns/worker-protocol.js';
import { type DecisionRecord, emitDecision, summarize } from './decisions.js';
import { runTurn, type TurnConfig } from './dispatch.js';
import type { EscalateHook } from './escalation.js';
import type { ResolvedGuardrails } from './guardrails.js';
import { limitReached, type ResolvedLimits, type StopReason } from './limits.js';
import type { LlmClient, LlmMessage, LlmTool } from './llm/llm.js';
import { type Caller, callModel } from './llm-call.js';
import type { LoopTool } from './loop-tool.js';
import type { RunState } from './run-state.js';
import { type ContextOptions, RETRIEVE_TOOL, retrieveTool } from './scratchpad.js';
import type { TaskContext } from './task-host.js';

/** How one loop runs. @internal */
export interface LoopConfig {
  llm: LlmClient;
  instructions: string;
  limits: ResolvedLimits;
  guardrails: ResolvedGuardrails;
  context: ContextOptions | undefined;
  onWorkerFailure: 'report' | 'escalate';
  escalate: EscalateHook | undefined;
  escalateTimeoutMs: number;
  /** Saves the state after each finished call and each decision (checkpoints). */
  save?: (state: RunState) => Promise<void>;
}

/** What a loop ends with. @internal */
export interface LoopResult {
  answer: string;
  stopReason: StopReason;
  decisions: DecisionRecord[];
  usage: Usage;
}

const LIMIT_TEXT: Record<Exclude<StopReason, 'done'>, string> = {
  'max-iterations': 'maximum number of iterations',
  'max-worker-calls': 'maximum number of worker calls',
  'token-budget': 'token budget',
};

/** Runs the loop on `state` (fresh or resumed) with `tools`. @internal */
export async function runLoop(cfg: LoopConfig, ctx: TaskContext, state: RunState, tools: readonly LoopTool[]): Promise<LoopResult> {
  const { signal } = ctx;
  const caller: Caller = { system: ctx.system, actor: ctx.self.address, taskId: ctx.taskId };
  const maxDepth = Math.min(cfg.limits.maxDepth, ctx.maxDepth ?? Number.POSITIVE_INFINITY);
  const byName = new Map(tools.map((t) => [t.name, t]));
  if (cfg.context !== undefined && byName.has(RETRIEVE_TOOL)) {
    throw new TroupeError(
      'TROUPE_ERR_INVALID_OPTION',
      `${caller.actor}: a worker is named ${RETRIEVE_TOOL}, the built-in tool of context summaries`,
    );
  }
  const offered: LlmTool[] = tools
    .filter((t) => cfg.guardrails.allow === undefined || cfg.guardrails.allow.has(t.name))
    .map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  if (cfg.context !== undefined) offered.push(retrieveTool);
  const system: LlmMessage = { role: 'system', content: cfg.instructions };
  const save = async () => {
    if (cfg.save !== undefined) await cfg.save(state);
  };
  const turnConfig = (iteration: number): TurnConfig => ({
    tools: byName,
    limits: cfg.limits,
    guardrails: cfg.guardrails,
    context: cfg.context,
    llm: cfg.llm,
    onWorkerFailure: cfg.onWorkerFailure,
    escalate: cfg.escalate,
    escalateTimeoutMs: cfg.escalateTimeoutMs,
    depth: ctx.depth,
    maxDepth,
    caller,
    iteration,
    onFinished: cfg.save === undefined ? undefined : save,
    setPhase: ctx.setPhase,
  });

  /** Answers the calls of an assistant message and records the turn. */
  const act = async (thought: string | null, message: Extract<LlmMessage, { role: 'assistant' }>, turnUsage: Usage): Promise<void> => {
    ctx.setPhase('dispatching');
    const iteration = state.iterations;
    const { calls, outcomes } = await runTurn(message.toolCalls ?? [], state, turnConfig(iteration), signal);
    for (const [i, c] of calls.entries()) state.messages.push({ role: 'tool', toolCallId: c.call.id, content: outcomes[i]!.content });
    for (const o of outcomes) addUsage(turnUsage, o.usage);
    const record: DecisionRecord = {
      iteration,
      at: Date.now(),
      thought,
      calls: calls.map((c) => ({ id: c.call.id, worker: c.call.name, input: c.input })),
      results: outcomes.map((o, i) => ({
        id: calls[i]!.call.id,
        ok: o.ok,
        summary: summarize(o.content),
        ...(o.error === undefined ? {} : { error: o.error }),
      })),
      usage: turnUsage,
    };
    state.decisions.push(record);
    state.finished = {};
    emitDecision(caller, record);
    ctx.progress({ decision: record });
    await save();
  };

  // a resumed run whose last turn was cut short finishes that turn first (finished calls are not repeated)
  const last = state.messages.at(-1);
  if (last?.role === 'assistant' && (last.toolCalls?.length ?? 0) > 0) await act(last.content, last, emptyUsage());

  for (;;) {
    if (signal.aborted) throw cancelled(caller, signal);
    ctx.setPhase('planning');
    const limit = limitReached(cfg.limits, state);
    if (limit !== undefined) return synthesize(limit);
    const turn = await callModel(cfg.llm, { messages: [system, ...state.messages], tools: offered, toolChoice: 'auto', signal }, caller);
    state.iterations++;
    addUsage(state.usage, turn.usage);
    const turnUsage = addUsage(emptyUsage(), turn.usage);
    if (turn.toolCalls.length === 0) {
      state.messages.push({ role: 'assistant', content: turn.content });
      return finish(turn.content ?? '', 'done', {
        iteration: state.iterations,
        at: Date.now(),
        thought: turn.content,
        calls: [],
        results: [],
        usage: turnUsage,
      });
    }
    const message: Extract<LlmMessage, { role: 'assistant' }> = { role: 'assistant', content: turn.content, toolCalls: turn.toolCalls };
    state.messages.push(message);
    await save();
    await act(turn.content, message, turnUsage);
  }

  async function synthesize(limit: Exclude<StopReason, 'done'>): Promise<LoopResult> {
    ctx.setPhase('synthesizing');
    state.messages.push({
      role: 'user',
      content: `You have reached the ${LIMIT_TEXT[limit]} of this run. Synthesize the best answer from the results you have so far. Do not call any more workers.`,
    });
    // no `tools` field at all: the model can only answer
    const turn = await callModel(cfg.llm, { messages: [system, ...state.messages], signal }, caller);
    addUsage(state.usage, turn.usage);
    state.messages.push({ role: 'assistant', content: turn.content });
    const usage = addUsage(emptyUsage(), turn.usage);
    return finish(turn.content ?? '', limit, {
      iteration: state.iterations + 1,
      at: Date.now(),
      thought: turn.content,
      calls: [],
      results: [],
      usage,
      limit,
    });
  }

  async function finish(answer: string, stopReason: StopReason, record: DecisionRecord): Promise<LoopResult> {
    state.decisions.push(record);
    state.stopReason = stopReason;
    state.answer = answer;
    emitDecision(caller, record, stopReason);
    await save();
    return { answer, stopReason, decisions: state.decisions, usage: state.usage };
  }
}

function cancelled(caller: Caller, signal: AbortSignal): TroupeError {
  return new TroupeError('TROUPE_ERR_CANCELLED', `${caller.actor}: the run was cancelled`, { cause: signal.reason });
}
