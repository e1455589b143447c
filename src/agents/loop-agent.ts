/** What coordinators and LLM agents share: options checking and the task function around the ReAct loop. @internal */
import { z } from 'zod';
import { createError } from '../errors.js';
import type { AgentLogic } from './agent-logic.js';
import { COORDINATOR_PHASES } from './agent-machine.js';
import { type CheckpointOptions, checkCheckpoint, checkpointKey, loadRun, saveRun } from './checkpoint.js';
import { taskInput } from './describe.js';
import type { EscalateHook } from './escalation.js';
import { type Guardrails, resolveGuardrails } from './guardrails.js';
import type { HostedInput } from './hosted.js';
import { type Limits, resolveLimits } from './limits.js';
import type { LlmClient } from './llm/llm.js';
import type { LoopTool } from './loop-tool.js';
import { type LoopConfig, runLoop } from './react-loop.js';
import { newRunState, type RunState } from './run-state.js';
import { type ContextOptions, checkContext } from './scratchpad.js';
import type { TaskContext } from './task-host.js';
import { defineAgentLogic } from './worker.js';

/** A coordinator's and an agent's output. */
export const answerOutput = z.object({ answer: z.string() });

/** The options a loop agent shares. @internal */
export interface LoopAgentOptions {
  name: string;
  description: string;
  llm: LlmClient;
  instructions: string;
  limits?: Limits;
  guardrails?: Guardrails;
  context?: ContextOptions;
  onWorkerFailure?: 'report' | 'escalate';
  escalate?: EscalateHook;
  escalateTimeoutMs?: number;
  checkpoint?: CheckpointOptions;
  concurrency?: number;
}

/** Builds a loop agent: `tools` makes the tool source of one incarnation. @internal */
export function defineLoopAgent(
  kind: 'agent' | 'coordinator',
  options: LoopAgentOptions,
  tools: (hosted: HostedInput, owner: string) => (signal: AbortSignal, timeoutMs: number) => Promise<readonly LoopTool[]>,
  delegates: boolean,
): AgentLogic<{ task: string }, { answer: string }> {
  if (typeof options !== 'object' || options === null)
    throw createError('TROUPE_ERR_INVALID_OPTION', `define${kind === 'agent' ? 'Agent' : 'Coordinator'} needs an options object`);
  const owner = `${kind} ${String(options.name)}`;
  if (typeof options.llm?.chat !== 'function')
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: llm must be an LlmClient (openaiClient(…))`);
  if (typeof options.instructions !== 'string') throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: instructions must be a string`);
  const onWorkerFailure = options.onWorkerFailure ?? 'report';
  if (onWorkerFailure !== 'report' && onWorkerFailure !== 'escalate') {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: onWorkerFailure must be 'report' or 'escalate'`);
  }
  if (options.escalate !== undefined && typeof options.escalate !== 'function')
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: escalate must be a function`);
  // a hook that would never be called is a mistake worth saying so
  if (options.escalate !== undefined && onWorkerFailure !== 'escalate')
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: an escalate hook needs onWorkerFailure: 'escalate'`);
  const escalateTimeoutMs = options.escalateTimeoutMs ?? 300_000;
  if (!(typeof escalateTimeoutMs === 'number' && escalateTimeoutMs > 0 && Number.isFinite(escalateTimeoutMs))) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: escalateTimeoutMs must be a finite number > 0`);
  }
  const limits = resolveLimits(options.limits, owner);
  const checkpoint = checkCheckpoint(options.checkpoint, owner);
  if (checkpoint !== undefined && (options.concurrency ?? 1) !== 1) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: a checkpointed run id names one run at a time: concurrency must be 1`);
  }
  const config: LoopConfig = {
    llm: options.llm,
    instructions: options.instructions,
    limits,
    guardrails: resolveGuardrails(options.guardrails, owner),
    context: checkContext(options.context, owner),
    onWorkerFailure,
    escalate: options.escalate,
    escalateTimeoutMs,
  };
  return defineAgentLogic({
    kind,
    name: options.name,
    description: options.description,
    input: taskInput,
    output: answerOutput,
    concurrency: options.concurrency,
    phases: COORDINATOR_PHASES,
    busy: { busy: 'planning', ok: 'done', failed: 'failed' },
    keepCodes: true,
    run: (hosted) => {
      const name = String(options.name);
      const source = tools(hosted, owner);
      const runId = checkpoint?.runId ?? runIdOf(hosted.input) ?? hosted.self.address;
      return async (ctx: TaskContext) => {
        const maxDepth = Math.min(limits.maxDepth, ctx.maxDepth ?? Number.POSITIVE_INFINITY);
        if (delegates && ctx.depth >= maxDepth) {
          throw createError('TROUPE_ERR_MAX_DEPTH', `${name}: a task at depth ${ctx.depth} cannot delegate within maxDepth ${maxDepth}`);
        }
        const task = (ctx.input as { task: string }).task;
        ctx.setPhase('planning');
        let state: RunState;
        let save: LoopConfig['save'];
        if (checkpoint !== undefined) {
          const key = checkpointKey(name, runId);
          state = await loadRun(checkpoint.store, key, task);
          save = (s) => saveRun(checkpoint.store, key, s);
          if (state.stopReason !== undefined && state.answer !== undefined) {
            return {
              output: { answer: state.answer },
              usage: state.usage,
              extra: { stopReason: state.stopReason, decisions: state.decisions },
            };
          }
        } else state = newRunState(task);
        const toolList = await source(ctx.signal, Math.min(limits.workerTimeoutMs, 10_000));
        const result = await runLoop({ ...config, save }, ctx, state, toolList);
        return {
          output: { answer: result.answer },
          usage: result.usage,
          extra: { stopReason: result.stopReason, decisions: result.decisions },
        };
      };
    },
  }) as AgentLogic<{ task: string }, { answer: string }>;
}

function runIdOf(input: unknown): string | undefined {
  const runId = (input as { runId?: unknown } | undefined)?.runId;
  return typeof runId === 'string' && runId !== '' ? runId : undefined;
}
