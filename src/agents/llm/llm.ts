/**
 * The narrow interface troupe's agents talk to a language model through. `openaiClient` implements
 * it over the `openai` SDK; tests and users may implement it over anything.
 * @module
 */

/**
 * A tool the model may call: a name, a description and the JSON Schema of its arguments.
 *
 * @example
 * ```ts
 * const weather: LlmTool = {
 *   name: 'weather',
 *   description: 'Current weather of a city.',
 *   parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
 * };
 * await llm.chat({ messages, tools: [weather], toolChoice: 'auto' });
 * ```
 */
export interface LlmTool {
  name: string;
  description: string;
  /** A JSON Schema object (`{ type: 'object', properties, required? }`). */
  parameters: Record<string, unknown>;
}

/**
 * One tool call the model made: `arguments` is the raw JSON text the model wrote (untrusted).
 *
 * @example
 * ```ts
 * const { message } = await llm.chat({ messages, tools: [weather] });
 * const calls: LlmToolCall[] = message.toolCalls;
 * for (const call of calls) console.log(call.id, call.name, JSON.parse(call.arguments)); // arguments are untrusted
 * ```
 */
export interface LlmToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * A message of the conversation, in Chat Completions' shape.
 *
 * @example
 * ```ts
 * const messages: LlmMessage[] = [
 *   { role: 'system', content: 'You are terse.' },
 *   { role: 'user', content: 'Weather in Oslo?' },
 * ];
 * ```
 */
export type LlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/**
 * How the model may use the tools offered.
 *
 * @example
 * ```ts
 * const choice: LlmToolChoice = 'required';
 * await llm.chat({ messages, tools: [weather], toolChoice: choice });
 * ```
 */
export type LlmToolChoice = 'auto' | 'none' | 'required';

/**
 * One request to the model.
 *
 * @example
 * ```ts
 * const request: LlmRequest = { messages: [{ role: 'user', content: 'Hi' }], signal: AbortSignal.timeout(30_000) };
 * const { message } = await llm.chat(request);
 * ```
 */
export interface LlmRequest {
  /** Overrides the client's default model. */
  model?: string;
  messages: LlmMessage[];
  /** Omitted or empty: the request carries no `tools` field at all. */
  tools?: LlmTool[];
  toolChoice?: LlmToolChoice;
  /** Aborting cancels the HTTP request; the promise rejects with `TROUPE_ERR_CANCELLED`. */
  signal?: AbortSignal;
}

/**
 * Tokens one request used, as the server reported them.
 *
 * @example
 * ```ts
 * const { usage }: { usage: LlmUsage } = await llm.chat({ messages });
 * console.log(usage.inputTokens + usage.outputTokens);
 * ```
 */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * The model's answer: text, tool calls, or both.
 *
 * @example
 * ```ts
 * const response: LlmResponse = await llm.chat({ messages });
 * console.log(response.model, response.message.content, response.usage.outputTokens, response.finishReason);
 * ```
 */
export interface LlmResponse {
  message: { content: string | null; toolCalls: LlmToolCall[] };
  usage: LlmUsage;
  /** The model name the server reported (keys `usage.byModel`). */
  model: string;
  /** The server's finish reason, when it gave one (`'stop'`, `'tool_calls'`, `'length'`, …). */
  finishReason?: string;
}

/**
 * A language model client. Failures reject with a `TroupeError`: `TROUPE_ERR_LLM_AUTH` (key
 * refused), `TROUPE_ERR_LLM_MODEL_NOT_FOUND`, `TROUPE_ERR_LLM_UNAVAILABLE` (server down or 5xx),
 * `TROUPE_ERR_LLM_RATE_LIMITED`, `TROUPE_ERR_LLM_BAD_RESPONSE` (malformed answer),
 * `TROUPE_ERR_TIMEOUT`, `TROUPE_ERR_CANCELLED` (signal aborted), `TROUPE_ERR_LLM_FAILED` (other).
 *
 * @example
 * ```ts
 * const llm: LlmClient = openaiClient({ model: 'gpt-4.1-mini' });
 * const { message, usage } = await llm.chat({ messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 */
export interface LlmClient {
  /** The default model name requests use. */
  readonly model: string;
  chat(request: LlmRequest): Promise<LlmResponse>;
}
