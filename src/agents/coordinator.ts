/** `defineCoordinator`: an LLM whose tools are worker actors, local or on other nodes. */
import { type AgentLogic, isAgentLogic } from './agent-logic.js';
import { defineLoopAgent, type LoopAgentOptions } from './loop-agent.js';
import { checkRetrieveClash } from './scratchpad.js';
import { checkWorkers, type WorkerEntry, WorkerTools } from './worker-tools.js';

/**
 * Options of {@link defineCoordinator}.
 *
 * @example
 * ```ts
 * const options: CoordinatorOptions = {
 *   name: 'lead',
 *   description: 'Plans and delegates engineering work.',
 *   llm: openaiClient({ model: 'gpt-4.1' }),
 *   instructions: 'You coordinate. Do not do the work yourself.',
 *   workers: [search, coder, remoteReviewRef],
 *   limits: { maxIterations: 10, maxWorkerCalls: 20 },
 * };
 * const lead = defineCoordinator(options);
 * ```
 */
export interface CoordinatorOptions extends LoopAgentOptions {
  /** Agent logic (spawned as the coordinator's children), refs (local or remote, described on first use), or arrays of refs to one worker (replicas; a retry goes to the next). */
  workers: readonly WorkerEntry[];
}

/**
 * The reply to a coordinator's (or LLM agent's) task.
 *
 * @example
 * ```ts
 * const run = await system.spawn(lead).ask<CoordinatorResult>(
 *   { type: 'task', input: { task: 'Add JWT auth to /api/users' } }, { timeoutMs: 600_000 });
 * if (run.stopReason !== 'done') console.warn(`stopped at ${run.stopReason}`);
 * console.log(run.output.answer, run.usage.inputTokens, run.decisions.length);
 * ```
 */
export interface CoordinatorResult {
  type: 'result';
  output: { answer: string };
  stopReason: import('./limits.js').StopReason;
  usage: import('../patterns/worker-protocol.js').Usage;
  decisions: import('./decisions.js').DecisionRecord[];
  taskId: string;
}

/**
 * Defines a coordinator: spawnable logic whose actor runs a ReAct loop in which every worker is a
 * tool. Its machine is `idle → planning → dispatching → awaiting → planning … → synthesizing → done
 * | failed`. The tool calls of one turn run concurrently (up to `limits.maxConcurrency`) and come
 * back in call order; results are validated; refused calls (unknown tool, invalid arguments,
 * outside `guardrails.allow`, denied by `guardrails.approve`) never reach a worker; runtime
 * failures are retried, then reported to the model or escalated; limits end the run in one forced
 * synthesis without tools. A coordinator is itself a worker, so it can serve another coordinator.
 *
 * @example
 * ```ts
 * const lead = defineCoordinator({
 *   name: 'lead',
 *   description: 'Plans and delegates engineering work.',
 *   llm: openaiClient({ model: 'gpt-4.1' }),
 *   instructions: 'You coordinate. Do not do the work yourself.',
 *   workers: [search, code, review],
 *   limits: { maxIterations: 10, maxWorkerCalls: 20, maxConcurrency: 8 },
 *   guardrails: { allow: ['search', 'code', 'review'] },
 * });
 * const run = await system.spawn(lead, { name: 'lead' }).ask<CoordinatorResult>(
 *   { type: 'task', input: { task: 'Add JWT auth to /api/users' } }, { timeoutMs: 600_000 });
 * console.log(run.output.answer, run.stopReason, run.usage);
 * ```
 */
export function defineCoordinator(options: CoordinatorOptions): AgentLogic<{ task: string }, { answer: string }> {
  const owner = `coordinator ${String(options?.name)}`;
  const workers = checkWorkers(options?.workers, owner);
  checkRetrieveClash(
    workers.filter(isAgentLogic).map((w) => w.name),
    options.context,
    owner,
  );
  return defineLoopAgent(
    'coordinator',
    options,
    (hosted, owner) => {
      const tools = new WorkerTools(workers, hosted.system, hosted.self, owner);
      return (signal, timeoutMs) => tools.resolve(signal, timeoutMs);
    },
    true,
  );
}
