/**
 * Where the examples' models come from: a real OpenAI-compatible endpoint when `OPENAI_BASE_URL`
 * is set (model `OPENAI_MODEL`, default `gpt-4.1-mini`), otherwise a scripted server on 127.0.0.1
 * that plays every role from a script, so the examples run offline and deterministically.
 */
import { type LlmClient, openaiClient } from '../../src/index.js';
import { type Script, type ScriptedRequest, scriptedModel } from '../../src/testing/index.js';

/** The models of one example run, by role, and how to release them. */
export interface ExampleModels {
  /** A client for `role` (a scripted model of that name offline, the real model online). */
  client(role: string): LlmClient;
  offline: boolean;
  close(): Promise<void>;
}

/** Real models when `OPENAI_BASE_URL` is set, else a scripted server playing `scripts` (one per role). */
export async function exampleModels(scripts: Record<string, Script>): Promise<ExampleModels> {
  const baseURL = process.env.OPENAI_BASE_URL;
  if (baseURL !== undefined && baseURL !== '') {
    const model = process.env.OPENAI_MODEL ?? 'gpt-4.1-mini';
    const llm = openaiClient({ model, baseURL });
    return { client: () => llm, offline: false, close: async () => {} };
  }
  const server = await scriptedModel([], { models: scripts });
  return {
    client: (role) => openaiClient({ model: role, baseURL: server.url, apiKey: 'offline' }),
    offline: true,
    close: () => server.close(),
  };
}

/** The tool results a request carries since its last assistant message with tool calls. */
export function lastToolResults(request: ScriptedRequest): string[] {
  const messages = request.body.messages;
  const out: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role === 'tool'; i--) out.unshift(String(messages[i]!.content));
  return out;
}

/** How many tool results the conversation holds so far. */
export function toolResultCount(request: ScriptedRequest): number {
  return request.body.messages.filter((m) => m.role === 'tool').length;
}
