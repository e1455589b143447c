/**
 * The ReAct loop shared by coordinators and LLM agents: plan (a model turn with the tools), act
 * (the turn's calls), observe (their results join the conversation), until the model answers
 * without tools — or a limit forces one last request without tools (the forced synthesis).
 * Every turn leaves a decision record.
 */
import { createError, type TroupeError } from '../errors.js';
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
  const loop = new ReactLoop(cfg, ctx, state, tools);
  // a resumed run whose last turn was cut short finishes that turn first (finished calls are not repeated)
  const last = state.messages.at(-1);
  if (last?.role === 'assistant' && (last.toolCalls?.length ?? 0) > 0) await loop.act(last, emptyUsage());
  for (;;) {
    const ended = await loop.turn();
    if (ended !== undefined) return ended;
  }
}

type AssistantMessage = Extract<LlmMessage, { role: 'assistant' }>;

/** One run of the loop: plan, act, observe — each turn a decision record. */
class ReactLoop {
  readonly #cfg: LoopConfig;
  readonly #ctx: TaskContext;
  readonly #state: RunState;
  readonly #caller: Caller;
  readonly #byName: ReadonlyMap<string, LoopTool>;
  readonly #offered: LlmTool[];
  readonly #system: LlmMessage;
  readonly #maxDepth: number;

  constructor(cfg: LoopConfig, ctx: TaskContext, state: RunState, tools: readonly LoopTool[]) {
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#state = state;
    this.#caller = { system: ctx.system, actor: ctx.self.address, taskId: ctx.taskId };
    this.#maxDepth = Math.min(cfg.limits.maxDepth, ctx.maxDepth ?? Number.POSITIVE_INFINITY);
    this.#byName = new Map(tools.map((t) => [t.name, t]));
    if (cfg.context !== undefined && this.#byName.has(RETRIEVE_TOOL)) {
      throw createError(
        'TROUPE_ERR_INVALID_OPTION',
        `${this.#caller.actor}: a worker is named ${RETRIEVE_TOOL}, the built-in tool of context summaries`,
      );
    }
    this.#offered = tools
      .filter((t) => cfg.guardrails.allow === undefined || cfg.guardrails.allow.has(t.name))
      .map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
    if (cfg.context !== undefined) this.#offered.push(retrieveTool);
    this.#system = { role: 'system', content: cfg.instructions };
  }

  /** Plans one turn and acts on it; resolves to the result when the run ended. */
  async turn(): Promise<LoopResult | undefined> {
    const { signal } = this.#ctx;
    const state = this.#state;
    if (signal.aborted) throw cancelled(this.#caller, signal);
    this.#ctx.setPhase('planning');
    const limit = limitReached(this.#cfg.limits, state);
    if (limit !== undefined) return this.#synthesize(limit);
    const request = { messages: [this.#system, ...state.messages], tools: this.#offered, toolChoice: 'auto' as const, signal };
    const turn = await callModel(this.#cfg.llm, request, this.#caller);
    state.iterations++;
    addUsage(state.usage, turn.usage);
    const turnUsage = addUsage(emptyUsage(), turn.usage);
    if (turn.toolCalls.length === 0) {
      state.messages.push({ role: 'assistant', content: turn.content });
      return this.#finish(turn.content ?? '', 'done', this.#record(state.iterations, turn.content, turnUsage));
    }
    const message: AssistantMessage = { role: 'assistant', content: turn.content, toolCalls: turn.toolCalls };
    state.messages.push(message);
    await this.#save();
    await this.act(message, turnUsage);
    return undefined;
  }

  /** Answers the calls of an assistant message and records the turn. */
  async act(message: AssistantMessage, turnUsage: Usage): Promise<void> {
    const state = this.#state;
    this.#ctx.setPhase('dispatching');
    const iteration = state.iterations;
    const { calls, outcomes } = await runTurn(message.toolCalls ?? [], state, this.#turnConfig(iteration), this.#ctx.signal);
    for (const [i, c] of calls.entries()) state.messages.push({ role: 'tool', toolCallId: c.call.id, content: outcomes[i]!.content });
    for (const o of outcomes) addUsage(turnUsage, o.usage);
    const record = this.#record(iteration, message.content, turnUsage);
    record.calls = calls.map((c) => ({ id: c.call.id, worker: c.call.name, input: c.input }));
    record.results = outcomes.map((o, i) => ({
      id: calls[i]!.call.id,
      ok: o.ok,
      summary: summarize(o.content),
      ...(o.error === undefined ? {} : { error: o.error }),
    }));
    state.decisions.push(record);
    state.finished = {};
    emitDecision(this.#caller, record);
    this.#ctx.progress({ decision: record });
    await this.#save();
  }

  /** The forced last request: no tools at all, so the model can only answer. */
  async #synthesize(limit: Exclude<StopReason, 'done'>): Promise<LoopResult> {
    const state = this.#state;
    this.#ctx.setPhase('synthesizing');
    state.messages.push({
      role: 'user',
      content: `You have reached the ${LIMIT_TEXT[limit]} of this run. Synthesize the best answer from the results you have so far. Do not call any more workers.`,
    });
    // no `tools` field at all: the model can only answer
    const turn = await callModel(this.#cfg.llm, { messages: [this.#system, ...state.messages], signal: this.#ctx.signal }, this.#caller);
    addUsage(state.usage, turn.usage);
    state.messages.push({ role: 'assistant', content: turn.content });
    const record = this.#record(state.iterations + 1, turn.content, addUsage(emptyUsage(), turn.usage));
    record.limit = limit;
    return this.#finish(turn.content ?? '', limit, record);
  }

  async #finish(answer: string, stopReason: StopReason, record: DecisionRecord): Promise<LoopResult> {
    const state = this.#state;
    state.decisions.push(record);
    state.stopReason = stopReason;
    state.answer = answer;
    emitDecision(this.#caller, record, stopReason);
    await this.#save();
    return { answer, stopReason, decisions: state.decisions, usage: state.usage };
  }

  #record(iteration: number, thought: string | null, usage: Usage): DecisionRecord {
    return { iteration, at: Date.now(), thought, calls: [], results: [], usage };
  }

  async #save(): Promise<void> {
    if (this.#cfg.save !== undefined) await this.#cfg.save(this.#state);
  }

  #turnConfig(iteration: number): TurnConfig {
    const cfg = this.#cfg;
    return {
      tools: this.#byName,
      limits: cfg.limits,
      guardrails: cfg.guardrails,
      context: cfg.context,
      llm: cfg.llm,
      onWorkerFailure: cfg.onWorkerFailure,
      escalate: cfg.escalate,
      escalateTimeoutMs: cfg.escalateTimeoutMs,
      depth: this.#ctx.depth,
      maxDepth: this.#maxDepth,
      caller: this.#caller,
      iteration,
      onFinished: cfg.save === undefined ? undefined : () => this.#save(),
      setPhase: this.#ctx.setPhase,
    };
  }
}

function cancelled(caller: Caller, signal: AbortSignal): TroupeError {
  return createError('TROUPE_ERR_CANCELLED', `${caller.actor}: the run was cancelled`, { cause: signal.reason });
}
