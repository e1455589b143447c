/**
 * The script a `scriptedModel` answers from: its steps, the requests it records, and how a step
 * becomes a Chat Completions answer.
 * @module
 */

/** A tool call a step makes the model answer with. `arguments` may be an object (sent as JSON) or raw text. */
export interface ScriptedToolCall {
  name: string;
  arguments?: string | Record<string, unknown>;
  /** Defaults to `call_<n>`, numbered across the server's life. */
  id?: string;
}

/** Token counts a step reports; each defaults to an estimate (characters / 4, rounded up). */
export interface ScriptedUsage {
  inputTokens?: number;
  outputTokens?: number;
}

/** What every answering step may carry besides its content. */
export interface ScriptedStepBase {
  /** Wait this long before answering (a real timer, cut short by `close()` or the client going away). */
  delayMs?: number;
  /** The model name to report; defaults to the `model` of the request. */
  model?: string;
  usage?: ScriptedUsage;
  /** Defaults to `'tool_calls'` when there are tool calls, `'stop'` otherwise. */
  finishReason?: string;
  /** Streaming only: wait this long between chunks. */
  chunkDelayMs?: number;
}

/** An answer: text, one or several (parallel) tool calls, or both. */
export interface ScriptedAnswer extends ScriptedStepBase {
  text?: string | null;
  toolCalls?: ScriptedToolCall[];
}

/** An HTTP error: the status and, optionally, the body and headers (the body defaults to OpenAI's error shape). */
export interface ScriptedHttpError {
  delayMs?: number;
  error: { status: number; message?: string; body?: unknown; headers?: Record<string, string> };
}

/** A raw HTTP answer, for malformed responses: the body is sent as is. */
export interface ScriptedRawAnswer {
  delayMs?: number;
  raw: string;
  /** Defaults to 200. */
  status?: number;
  /** Defaults to `application/json`. */
  contentType?: string;
}

/** Drop the connection without an answer (the client sees a network failure). */
export interface ScriptedDisconnect {
  delayMs?: number;
  disconnect: true;
}

/** A fixed step: a string is shorthand for `{ text }`. */
export type ScriptedReply = string | ScriptedAnswer | ScriptedHttpError | ScriptedRawAnswer | ScriptedDisconnect;

/** A step that decides from the request (e.g. the last user message or the tools offered). */
export type ScriptedResponder = (request: ScriptedRequest) => ScriptedReply | Promise<ScriptedReply>;

/** One step of a script: a fixed reply or a function of the request. */
export type ScriptedStep = ScriptedReply | ScriptedResponder;

/**
 * A script: a list of steps taken one per request (when it runs out the server answers 500), or a
 * single responder that answers every request and never runs out.
 *
 * @example
 * ```ts
 * const steps: Script = [
 *   { toolCalls: [{ name: 'search', arguments: { task: 'a' } }, { name: 'search', arguments: { task: 'b' } }] },
 *   { error: { status: 429 } },
 *   { text: 'done', usage: { inputTokens: 100, outputTokens: 5 }, delayMs: 50 },
 * ];
 * const echo: Script = (req) => (req.toolNames.length > 0 ? { toolCalls: [{ name: req.toolNames[0] }] } : `echo ${req.lastUserMessage}`);
 * ```
 */
export type Script = readonly ScriptedStep[] | ScriptedResponder;

/** A message of a recorded request, as the client sent it (untrusted: fields may be missing). */
export interface ScriptedMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** The parsed JSON body of a Chat Completions request. */
export interface ScriptedRequestBody {
  model: string;
  messages: ScriptedMessage[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

/** One request the server received, recorded in `model.requests`. */
export interface ScriptedRequest {
  /** 0, 1, 2, … in arrival order. */
  index: number;
  /** `Date.now()` when the request arrived. */
  at: number;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: ScriptedRequestBody;
  /** `body.model`. */
  model: string;
  /** The names of the tools offered (empty when the request has no `tools` field). */
  toolNames: string[];
  /** The content of the last `user` message, or `undefined`. */
  lastUserMessage: string | undefined;
  stream: boolean;
  /** True when the client went away (abort, timeout) before the answer was complete. */
  aborted: boolean;
}

/** A Chat Completions tool call, as the server sends it. */
export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** An answer step resolved to what goes on the wire. */
export interface ResolvedAnswer {
  content: string | null;
  toolCalls: WireToolCall[];
  model: string;
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  chunkDelayMs: number;
}

/** Rough token estimate: characters / 4, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Turns an answer step into its wire form; `nextId` numbers tool calls without an id. */
export function resolveAnswer(step: ScriptedAnswer, request: ScriptedRequest, nextId: () => string): ResolvedAnswer {
  const toolCalls: WireToolCall[] = (step.toolCalls ?? []).map((call) => ({
    id: call.id ?? nextId(),
    type: 'function',
    function: {
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
    },
  }));
  const content = step.text ?? (toolCalls.length > 0 ? null : '');
  const written = (content ?? '') + toolCalls.map((c) => c.function.name + c.function.arguments).join('');
  const inputTokens = step.usage?.inputTokens ?? estimateTokens(JSON.stringify(request.body.messages));
  const outputTokens = step.usage?.outputTokens ?? estimateTokens(written);
  return {
    content,
    toolCalls,
    model: step.model ?? request.model,
    finishReason: step.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
    chunkDelayMs: step.chunkDelayMs ?? 0,
  };
}

/** The non-streaming `chat.completion` body for an answer. */
export function completionBody(answer: ResolvedAnswer, id: string, created: number): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: answer.content, refusal: null };
  if (answer.toolCalls.length > 0) message.tool_calls = answer.toolCalls;
  return {
    id,
    object: 'chat.completion',
    created,
    model: answer.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: answer.usage,
  };
}

const PIECE = 16;

function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += PIECE) out.push(text.slice(i, i + PIECE));
  return out;
}

/**
 * The `chat.completion.chunk` bodies of a streamed answer: the role, the text in pieces, each tool
 * call (its id and name first, then its arguments in pieces), the finish reason, and the usage
 * when the client asked for it (`stream_options.include_usage`).
 */
export function completionChunks(answer: ResolvedAnswer, id: string, created: number, includeUsage: boolean): Record<string, unknown>[] {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: answer.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks = [chunk({ role: 'assistant', content: answer.content === null ? null : '' })];
  for (const piece of pieces(answer.content ?? '')) chunks.push(chunk({ content: piece }));
  answer.toolCalls.forEach((call, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
    for (const piece of pieces(call.function.arguments)) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  chunks.push(chunk({}, answer.finishReason));
  if (includeUsage) chunks.push({ id, object: 'chat.completion.chunk', created, model: answer.model, choices: [], usage: answer.usage });
  return chunks;
}

/** OpenAI's error body shape. */
export function errorBody(status: number, message: string): Record<string, unknown> {
  const type =
    status === 401
      ? 'invalid_request_error'
      : status === 429
        ? 'rate_limit_exceeded'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error';
  return { error: { message, type, param: null, code: status === 404 ? 'model_not_found' : null } };
}
