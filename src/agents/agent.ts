/** `defineAgent`: an LLM worker whose tools are plain functions. */
import { createError } from '../errors.js';
import type { AgentLogic } from './agent-logic.js';
import { defineLoopAgent, type LoopAgentOptions } from './loop-agent.js';
import { checkRetrieveClash } from './scratchpad.js';
import { type FunctionTool, functionLoopTool } from './tool.js';

/**
 * Options of {@link defineAgent}.
 *
 * @example
 * ```ts
 * const options: AgentOptions = {
 *   name: 'code_agent',
 *   description: 'Writes and modifies code.',
 *   llm: openaiClient({ model: 'gpt-4.1' }),
 *   instructions: 'Implement the task with the tools.',
 *   tools: [readFile, writeFile],
 * };
 * const coder = defineAgent(options);
 * ```
 */
export interface AgentOptions extends LoopAgentOptions {
  /** Function tools made with `tool(…)`. May be empty: the agent then answers in one turn. */
  tools: readonly FunctionTool[];
}

/**
 * Defines an LLM agent: a worker that runs the same ReAct loop as a coordinator, with function
 * tools instead of worker actors. Input `{ task }`, output `{ answer }`; its usage (every model
 * request) travels in its result, so a coordinator above sums it.
 *
 * @example
 * ```ts
 * const coder = defineAgent({
 *   name: 'code_agent',
 *   description: 'Writes and modifies code. Can read and write files.',
 *   llm: openaiClient({ model: 'gpt-4.1' }),
 *   instructions: 'You are a software engineer. Implement the task.',
 *   tools: [readFile, writeFile],
 *   limits: { maxIterations: 8 },
 * });
 * ```
 */
export function defineAgent(options: AgentOptions): AgentLogic<{ task: string }, { answer: string }> {
  const owner = `agent ${String(options?.name)}`;
  const list = options?.tools;
  if (!Array.isArray(list) || list.some((t) => t?.kind !== 'tool'))
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: tools must be an array of tool(…)`);
  const names = new Set<string>();
  for (const t of list) {
    if (names.has(t.name)) throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: two tools are named '${t.name}'`);
    names.add(t.name);
  }
  checkRetrieveClash([...names], options.context, owner);
  const loopTools = list.map(functionLoopTool);
  return defineLoopAgent('agent', options, () => async () => loopTools, false);
}
