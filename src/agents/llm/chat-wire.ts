/**
 * Chat Completions on the wire: an `LlmRequest` in the shape the API takes, and the API's answer
 * (untrusted) checked and turned into an `LlmResponse`. Imports no SDK.
 * @module
 */

import { createError, type TroupeError } from '../../errors.js';
import type { LlmMessage, LlmRequest, LlmResponse, LlmToolCall } from './llm.js';

/** A tool call in Chat Completions' shape. */
export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A message in Chat Completions' shape. */
export type WireMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** The body of a non-streaming Chat Completions request. */
export interface WireRequest {
  model: string;
  messages: WireMessage[];
  tools?: { type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }[];
  tool_choice?: 'auto' | 'none' | 'required';
  stream: false;
}

function toWireMessage(message: LlmMessage): WireMessage {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/**
 * The request body for `request`. No tools means no `tools` field at all (and no `tool_choice`,
 * which servers refuse without tools).
 */
export function toWireRequest(request: LlmRequest, model: string): WireRequest {
  const body: WireRequest = { model, messages: request.messages.map(toWireMessage), stream: false };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
    if (request.toolChoice !== undefined) body.tool_choice = request.toolChoice;
  }
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(reason: string): TroupeError {
  return createError('TROUPE_ERR_LLM_BAD_RESPONSE', `malformed model response: ${reason}`);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function toToolCall(value: unknown, index: number): LlmToolCall {
  if (!isRecord(value)) throw bad(`tool call ${index} is not an object`);
  const fn = value.function;
  if (typeof value.id !== 'string' || value.id === '') throw bad(`tool call ${index} has no id`);
  if (!isRecord(fn) || typeof fn.name !== 'string' || fn.name === '') throw bad(`tool call ${index} has no function name`);
  // Some OpenAI-compatible servers send the arguments as an object, or leave them out when there are none.
  const args = fn.arguments;
  const text = typeof args === 'string' ? args : args === undefined || args === null ? '{}' : JSON.stringify(args);
  return { id: value.id, name: fn.name, arguments: text };
}

/**
 * Checks the server's answer (untrusted) and maps it: the first choice's content and tool calls,
 * the usage (0 when the server gave none), the model it reported (`requestedModel` when none), the
 * finish reason. Rejects with `TROUPE_ERR_LLM_BAD_RESPONSE` when it is not a chat completion.
 */
export function fromWireResponse(body: unknown, requestedModel: string): LlmResponse {
  if (!isRecord(body)) throw bad(typeof body === 'string' ? 'the body is not JSON' : 'the body is not a JSON object');
  const { choices, usage, model } = body;
  if (!Array.isArray(choices) || choices.length === 0) throw bad('no choices');
  const choice: unknown = choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) throw bad('the first choice has no message');
  const { content, tool_calls: toolCalls } = choice.message;
  if (content !== undefined && content !== null && typeof content !== 'string') throw bad('the message content is not text');
  if (toolCalls !== undefined && toolCalls !== null && !Array.isArray(toolCalls)) throw bad('tool_calls is not a list');
  const response: LlmResponse = {
    message: { content: content ?? null, toolCalls: (toolCalls ?? []).map(toToolCall) },
    usage: isRecord(usage)
      ? { inputTokens: count(usage.prompt_tokens), outputTokens: count(usage.completion_tokens) }
      : { inputTokens: 0, outputTokens: 0 },
    model: typeof model === 'string' && model !== '' ? model : requestedModel,
  };
  if (typeof choice.finish_reason === 'string') response.finishReason = choice.finish_reason;
  return response;
}
