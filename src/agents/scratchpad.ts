/**
 * Context management: a worker result longer than `summarizeOver` characters is summarized before
 * it enters the conversation; the full text goes to the run's scratchpad, and the built-in
 * `retrieve_result` tool gives it back by id.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import { addUsage, type Usage } from '../patterns/worker-protocol.js';
import type { LlmClient, LlmTool } from './llm/llm.js';
import { type Caller, callModel } from './llm-call.js';

/**
 * How a coordinator keeps its context lean.
 *
 * @example
 * ```ts
 * const context: ContextOptions = { summarizeOver: 4000, summarizer: openaiClient({ model: 'gpt-4.1-mini' }) };
 * const lead = defineCoordinator({ ...options, context }); // the model may call retrieve_result for full texts
 * ```
 */
export interface ContextOptions {
  /** Results longer than this many characters are summarized. */
  summarizeOver: number;
  /** The model that summarizes. Default: the coordinator's own. */
  summarizer?: LlmClient;
}

/** The built-in tool that returns a stored result. */
export const RETRIEVE_TOOL = 'retrieve_result';

export const retrieveInput = z.object({ id: z.string().describe('The id a summary gave as "Full result stored as".') });

/** The `retrieve_result` tool as the model sees it. @internal */
export const retrieveTool: LlmTool = {
  name: RETRIEVE_TOOL,
  description:
    'Retrieve the full output of a previously completed worker call whose result was summarized. Use when you need details beyond the summary.',
  parameters: {
    type: 'object',
    properties: { id: { type: 'string', description: 'The id a summary gave as "Full result stored as".' } },
    required: ['id'],
  },
};

const SUMMARIZER_PROMPT =
  'Summarize the following worker output in 2-3 sentences. Preserve key findings, numbers, and decisions. Discard examples and verbose explanations.';

/** Validates context options (throws `TROUPE_ERR_INVALID_OPTION`). @internal */
export function checkContext(context: ContextOptions | undefined, owner: string): ContextOptions | undefined {
  if (context === undefined) return undefined;
  const n = context.summarizeOver;
  if (!(typeof n === 'number' && Number.isInteger(n) && n >= 1)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: context.summarizeOver must be a whole number >= 1`);
  }
  if (context.summarizer !== undefined && typeof context.summarizer?.chat !== 'function') {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: context.summarizer must be an LlmClient`);
  }
  return context;
}

/**
 * Throws `TROUPE_ERR_INVALID_OPTION` when a tool is named like the built-in `retrieve_result`, which
 * `context` adds: the model could not tell the two apart. @internal
 */
export function checkRetrieveClash(names: readonly string[], context: ContextOptions | undefined, owner: string): void {
  if (context !== undefined && names.includes(RETRIEVE_TOOL)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `${owner}: a tool is named ${RETRIEVE_TOOL}, the built-in tool of context summaries`);
  }
}

/**
 * What the model reads for a long result: a summary and the id to retrieve the full text by. The
 * full text is stored in `pad` under a fresh id. A failing summarizer degrades to the text's start.
 * @internal
 */
export async function summarizeInto(
  pad: Record<string, string>,
  worker: string,
  text: string,
  llm: LlmClient,
  caller: Caller,
  usage: Usage,
  signal: AbortSignal,
  limit: number,
): Promise<string> {
  let n = Object.keys(pad).length + 1;
  while (Object.hasOwn(pad, `${worker}-${n}`)) n++;
  const id = `${worker}-${n}`;
  pad[id] = text;
  let summary: string;
  try {
    const turn = await callModel(
      llm,
      {
        messages: [
          { role: 'system', content: SUMMARIZER_PROMPT },
          { role: 'user', content: text },
        ],
        signal,
      },
      caller,
    );
    addUsage(usage, turn.usage);
    summary = (turn.content ?? '').trim() || text.slice(0, limit);
  } catch (err) {
    if (signal.aborted) throw err;
    summary = `${text.slice(0, limit)}…`;
  }
  return `[${worker} summary]: ${summary}\n[Full result stored as: ${id}; call ${RETRIEVE_TOOL} with this id for the details]`;
}
