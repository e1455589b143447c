/** What every agent logic (worker, LLM agent, coordinator) carries besides being spawnable. */
import type { z } from 'zod';
import type { NativeLogic } from '../actors/body.js';
import type { WorkerDescriptor } from '../patterns/worker-protocol.js';

/** Marks agent logic, so a coordinator tells it from a ref. @internal */
export const kAgentLogic: unique symbol = Symbol.for('troupe.agent-logic');

/**
 * Spawnable logic of an agent: spawn it with `system.spawn`, name it in a supervisor's child
 * spec, allowlist it for `spawnOn`, or list it among a coordinator's workers. It speaks the
 * worker protocol (see `docs/agents.md`).
 *
 * @example
 * ```ts
 * const search: AgentLogic<{ task: string }, { answer: string }> = defineWorker({
 *   name: 'search',
 *   description: 'Finds facts in the docs.',
 *   run: async ({ input }) => ({ answer: `found ${input.task}` }),
 * });
 * system.spawn(search, { name: 'search' });
 * console.log(search.descriptor.inputSchema); // { type: 'object', properties: { task: … }, … }
 * ```
 */
export interface AgentLogic<TInput = unknown, TOutput = unknown> extends NativeLogic {
  readonly [kAgentLogic]: 'worker' | 'agent' | 'coordinator';
  readonly name: string;
  readonly description: string;
  /** Validates a task's input. */
  readonly input: z.ZodType<TInput>;
  /** Validates the output before it leaves, when given. */
  readonly output: z.ZodType<TOutput> | undefined;
  /** What `describe` answers. */
  readonly descriptor: WorkerDescriptor;
}

/**
 * True for logic made by `defineWorker`, `defineAgent` or `defineCoordinator`.
 *
 * @example
 * ```ts
 * if (isAgentLogic(entry)) console.log(entry.name, entry.descriptor.inputSchema);
 * ```
 */
export function isAgentLogic(value: unknown): value is AgentLogic {
  return typeof value === 'object' && value !== null && kAgentLogic in value;
}
