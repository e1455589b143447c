/**
 * Baseline for the coordinator-overhead benchmark: the same workload in the OpenAI Agents SDK
 * (`@openai/agents` 0.14.3, the newest release whose dependencies support Node 20), against the
 * same `scriptedModel`.
 *
 * The workload, per turn (one `Runner.run` of the coordinator):
 * 1. the coordinator asks the model, which calls every worker tool once, in parallel (8 tool calls);
 * 2. each worker is an `Agent` exposed with `agent.asTool()`, so each call is a nested run that
 *    asks the model once and gets a text answer at once;
 * 3. the coordinator asks the model again with the 8 tool results and gets its final text.
 * That is 2 + `workers` model requests per turn, every one answered by the server without delay, so
 * the time measured is the framework's (plus the local HTTP round trips, which both sides pay alike
 * when troupe's workers are LLM workers on the same server).
 *
 * `workloadResponder` answers this workload for either framework: serve it with
 * `scriptedModel(workloadResponder(), { record: false })` and point both sides at `model.url`.
 * @module
 */

import { Agent, type Model, type ModelResponse, OpenAIProvider, Runner, setTracingDisabled, Usage } from '@openai/agents';
import type { ScriptedReply, ScriptedRequest, ScriptedResponder } from '../../src/testing/index.js';

/** Options of {@link runAgentsSdkTurns}. */
export interface AgentsSdkTurnsOptions {
  /** The scripted server's base URL (`model.url`, `/v1` included). */
  baseURL: string;
  /** How many coordinator runs to time, one after another. */
  turns: number;
  /** Worker agents, each a tool of the coordinator (default 8). */
  workers?: number;
  /** Untimed runs first, to warm the JIT and the HTTP connection pool (default 20). */
  warmup?: number;
  /** The model name requested (default `'bench-model'`). */
  model?: string;
  /**
   * What the worker agents' model is: `'scripted'` (default) — the same scripted server over HTTP,
   * so a turn makes 2 + `workers` model requests; `'instant'` — an in-process `Model` that answers
   * at once, so only the coordinator's 2 requests go over HTTP and the workers cost only the SDK's
   * nested runs (the match for troupe workers that are plain functions).
   */
  workerModel?: 'scripted' | 'instant';
}

/** What {@link runAgentsSdkTurns} measured. */
export interface AgentsSdkTurnsResult {
  turns: number;
  workers: number;
  /** Wall time of all timed turns, ms. */
  totalMs: number;
  /** `totalMs / turns`. */
  perTurnMs: number;
  /** `totalMs / (turns × workers)`. */
  perWorkerCallMs: number;
  /** Each timed turn's duration, ms, in order. */
  turnMs: number[];
  /** HTTP model requests the timed turns made (2 + workers each, or 2 with `workerModel: 'instant'`). */
  modelRequests: number;
  workerModel: 'scripted' | 'instant';
}

/** A worker model that answers text at once, in process: the SDK's nested run without HTTP. */
const instantModel: Model = {
  async getResponse(): Promise<ModelResponse> {
    return {
      usage: new Usage({ requests: 1, inputTokens: 20, outputTokens: 2, totalTokens: 22 }),
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'worker done' }] }],
    };
  },
  getStreamedResponse(): AsyncIterable<never> {
    throw new Error('the instant worker model does not stream');
  },
};

/** The worker tool names, `worker_0` … `worker_<n-1>`. */
export function workerNames(workers: number): string[] {
  return Array.from({ length: workers }, (_, i) => `worker_${i}`);
}

/** The first required (else first) property of a tool's JSON Schema, where the task text goes. */
function taskProperty(request: ScriptedRequest, name: string): string | undefined {
  const tool = request.body.tools?.find((t) => t.function.name === name);
  const schema = tool?.function.parameters as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  return schema?.required?.[0] ?? Object.keys(schema?.properties ?? {})[0];
}

/**
 * A scripted-model responder for the workload: a request offering tools named `<prefix>*` whose
 * last message is not a tool result gets one call of each such tool (the task text in the tool's
 * first required property: `input` for `asTool`, `task` for troupe workers); a request after tool
 * results gets the final answer; a request without tools (a worker) gets its answer at once.
 *
 * @example
 * ```ts
 * const model = await scriptedModel(workloadResponder(), { record: false });
 * const result = await runAgentsSdkTurns({ baseURL: model.url, turns: 1000 });
 * await model.close();
 * ```
 */
export function workloadResponder(prefix = 'worker_'): ScriptedResponder {
  return (request): ScriptedReply => {
    const workers = request.toolNames.filter((name) => name.startsWith(prefix));
    if (workers.length === 0) return { text: 'worker done', usage: { inputTokens: 20, outputTokens: 2 } };
    if (request.body.messages.at(-1)?.role === 'tool') return { text: 'all workers done', usage: { inputTokens: 200, outputTokens: 3 } };
    return {
      toolCalls: workers.map((name, i) => {
        const property = taskProperty(request, name);
        return { name, arguments: property === undefined ? {} : { [property]: `part ${i}` } };
      }),
      usage: { inputTokens: 100, outputTokens: 10 * workers.length },
    };
  };
}

/**
 * Runs the workload in the OpenAI Agents SDK: a coordinator `Agent` whose tools are `workers`
 * worker agents via `agent.asTool()`, all on the Chat Completions model at `baseURL`; times
 * `turns` runs after `warmup` untimed ones. Tracing is off (it would export to OpenAI).
 *
 * @example
 * ```ts
 * const model = await scriptedModel(workloadResponder(), { record: false });
 * const { perTurnMs, perWorkerCallMs } = await runAgentsSdkTurns({ baseURL: model.url, turns: 1000, workers: 8 });
 * await model.close();
 * ```
 */
export async function runAgentsSdkTurns(options: AgentsSdkTurnsOptions): Promise<AgentsSdkTurnsResult> {
  const workers = options.workers ?? 8;
  const modelName = options.model ?? 'bench-model';
  const workerModel = options.workerModel ?? 'scripted';
  setTracingDisabled(true);
  const provider = new OpenAIProvider({ baseURL: options.baseURL, apiKey: 'bench', useResponses: false });
  const runner = new Runner({ modelProvider: provider, tracingDisabled: true });
  const tools = workerNames(workers).map((name) =>
    new Agent({
      name,
      instructions: 'Do the part you are given and answer in one line.',
      model: workerModel === 'instant' ? instantModel : modelName,
    }).asTool({
      toolName: name,
      toolDescription: `Does part of the work (${name}).`,
    }),
  );
  const coordinator = new Agent({
    name: 'coordinator',
    instructions: 'You coordinate. Give each worker its part, then answer from their results.',
    model: modelName,
    tools,
  });
  const turn = async (): Promise<void> => {
    const result = await runner.run(coordinator, 'Do the task.');
    if (result.finalOutput !== 'all workers done') throw new Error(`unexpected final output: ${String(result.finalOutput)}`);
  };
  try {
    for (let i = 0; i < (options.warmup ?? 20); i++) await turn();
    const turnMs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < options.turns; i++) {
      const start = performance.now();
      await turn();
      turnMs.push(performance.now() - start);
    }
    const totalMs = performance.now() - t0;
    return {
      turns: options.turns,
      workers,
      totalMs,
      perTurnMs: totalMs / options.turns,
      perWorkerCallMs: totalMs / (options.turns * workers),
      turnMs,
      modelRequests: options.turns * (workerModel === 'instant' ? 2 : 2 + workers),
      workerModel,
    };
  } finally {
    await provider.close();
  }
}
