/**
 * `scriptedModel`: an OpenAI-compatible Chat Completions server on 127.0.0.1 that answers from a
 * script, so tests run through the real SDK and HTTP path, deterministically.
 * @module
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  completionBody,
  completionChunks,
  errorBody,
  resolveAnswer,
  type Script,
  type ScriptedAnswer,
  type ScriptedReply,
  type ScriptedRequest,
  type ScriptedRequestBody,
  type ScriptedStep,
} from './script.js';

/**
 * Options of {@link scriptedModel}.
 *
 * @example
 * ```ts
 * const model = await scriptedModel([], { models: { cheap: () => 'summary', strong: ['final'] }, record: false });
 * ```
 */
export interface ScriptedModelOptions {
  /**
   * One script per model name: a request whose `model` is a key here takes its steps from that
   * script, any other request from the main script. One server can so play a cheap and a strong model.
   */
  models?: Record<string, Script>;
  /** Keep every request in `requests` (default true; turn off for long benchmarks). */
  record?: boolean;
  /** Largest request body accepted, in bytes (default 16 MiB); larger ones get a 413. */
  maxBodyBytes?: number;
}

/**
 * A running scripted server (see {@link scriptedModel}).
 *
 * @example
 * ```ts
 * const model = await scriptedModel(['first answer', { toolCalls: [{ name: 'search', arguments: { q: 'x' } }] }]);
 * const llm = openaiClient({ model: 'test', baseURL: model.url, maxRetries: 0 });
 * await llm.chat({ messages: [{ role: 'user', content: 'hi' }] });
 * expect(model.requests[0].lastUserMessage).toBe('hi');
 * expect(model.remaining).toBe(1);
 * await model.close();
 * ```
 */
export interface ScriptedModel {
  /** The base URL to give a client, `/v1` included (`http://127.0.0.1:<port>/v1`). */
  readonly url: string;
  /** Every chat request received, in arrival order (unless `record: false`). */
  readonly requests: readonly ScriptedRequest[];
  /** Steps not yet used, over all scripts (`Infinity` when a script is a responder function). */
  readonly remaining: number;
  /** Steps not yet used by the script of `model` (the main script when `model` has none). */
  remainingOf(model: string): number;
  /** Stops the server: ends open requests, cuts delays short. */
  close(): Promise<void>;
}

const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions']);
const MODELS_PATHS = new Set(['/v1/models', '/models']);

class ScriptCursor {
  readonly #script: Script;
  #next = 0;

  constructor(script: Script) {
    this.#script = script;
  }

  get remaining(): number {
    return typeof this.#script === 'function' ? Number.POSITIVE_INFINITY : this.#script.length - this.#next;
  }

  get used(): number {
    return this.#next;
  }

  take(): ScriptedStep | undefined {
    if (typeof this.#script === 'function') return this.#script;
    const step = this.#script[this.#next];
    if (step !== undefined) this.#next += 1;
    return step;
  }
}

class ScriptedModelServer implements ScriptedModel {
  readonly #server: Server;
  readonly #main: ScriptCursor;
  readonly #byModel = new Map<string, ScriptCursor>();
  readonly #record: boolean;
  readonly #maxBodyBytes: number;
  readonly #requests: ScriptedRequest[] = [];
  readonly #cancels = new Set<() => void>();
  #count = 0;
  #callIds = 0;
  #closed = false;
  #url = '';

  constructor(script: Script, options: ScriptedModelOptions) {
    this.#main = new ScriptCursor(script);
    for (const [name, modelScript] of Object.entries(options.models ?? {})) this.#byModel.set(name, new ScriptCursor(modelScript));
    this.#record = options.record ?? true;
    this.#maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => sendJson(res, 500, errorBody(500, `scriptedModel: ${String(err)}`)));
    });
  }

  get url(): string {
    return this.#url;
  }

  get requests(): readonly ScriptedRequest[] {
    return this.#requests;
  }

  get remaining(): number {
    let total = this.#main.remaining;
    for (const cursor of this.#byModel.values()) total += cursor.remaining;
    return total;
  }

  remainingOf(model: string): number {
    return (this.#byModel.get(model) ?? this.#main).remaining;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}/v1`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cancel of this.#cancels) cancel();
    this.#cancels.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && MODELS_PATHS.has(path)) {
      const data = [...this.#byModel.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' }));
      sendJson(res, 200, { object: 'list', data });
      return;
    }
    if (req.method !== 'POST' || !CHAT_PATHS.has(path)) {
      sendJson(res, 404, errorBody(404, `scriptedModel: no route ${req.method} ${path}; use POST /v1/chat/completions`));
      return;
    }
    const text = await readBody(req, this.#maxBodyBytes);
    if (text === 'aborted') return;
    if (text === 'too-large') {
      sendJson(res, 413, errorBody(413, `scriptedModel: request body over ${this.#maxBodyBytes} bytes`));
      return;
    }
    const body = parseBody(text);
    if (typeof body === 'string') {
      sendJson(res, 400, errorBody(400, `scriptedModel: ${body}`));
      return;
    }
    const request = this.#recordRequest(path, req, body);
    res.on('close', () => {
      if (!res.writableFinished) request.aborted = true;
    });
    const cursor = this.#byModel.get(request.model) ?? this.#main;
    const step = cursor.take();
    if (step === undefined) {
      const message = `scriptedModel: the script ran out after ${cursor.used} steps (request #${request.index}, model '${request.model}')`;
      sendJson(res, 500, errorBody(500, message), { 'x-should-retry': 'false' });
      return;
    }
    let reply: ScriptedReply;
    try {
      reply = typeof step === 'function' ? await step(request) : step;
    } catch (err) {
      const message = `scriptedModel: the step function of request #${request.index} threw: ${err instanceof Error ? err.message : String(err)}`;
      sendJson(res, 500, errorBody(500, message), { 'x-should-retry': 'false' });
      return;
    }
    await this.#answer(reply, request, res);
  }

  #recordRequest(path: string, req: IncomingMessage, body: ScriptedRequestBody): ScriptedRequest {
    const lastUser = body.messages.findLast((m) => m.role === 'user');
    const request: ScriptedRequest = {
      index: this.#count++,
      at: Date.now(),
      path,
      headers: { ...req.headers },
      body,
      model: body.model,
      toolNames: (body.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string'),
      lastUserMessage: typeof lastUser?.content === 'string' ? lastUser.content : undefined,
      stream: body.stream === true,
      aborted: false,
    };
    if (this.#record) this.#requests.push(request);
    return request;
  }

  async #answer(reply: ScriptedReply, request: ScriptedRequest, res: ServerResponse): Promise<void> {
    const step: Exclude<ScriptedReply, string> = typeof reply === 'string' ? { text: reply } : reply;
    if (step.delayMs !== undefined && step.delayMs > 0 && !(await this.#sleep(step.delayMs, res))) return;
    if ('disconnect' in step) {
      res.socket?.destroy();
      return;
    }
    if ('error' in step) {
      const { status, message, body, headers } = step.error;
      sendJson(res, status, body ?? errorBody(status, message ?? `scripted error ${status}`), headers);
      return;
    }
    if ('raw' in step) {
      res.writeHead(step.status ?? 200, { 'content-type': step.contentType ?? 'application/json' });
      res.end(step.raw);
      return;
    }
    await this.#complete(step, request, res);
  }

  async #complete(step: ScriptedAnswer, request: ScriptedRequest, res: ServerResponse): Promise<void> {
    const answer = resolveAnswer(step, request, () => `call_${this.#callIds++}`);
    const id = `chatcmpl-scripted-${request.index}`;
    const created = Math.floor(request.at / 1000);
    if (!request.stream) {
      sendJson(res, 200, completionBody(answer, id, created));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const includeUsage = request.body.stream_options?.include_usage === true;
    for (const chunk of completionChunks(answer, id, created, includeUsage)) {
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (answer.chunkDelayMs > 0 && !(await this.#sleep(answer.chunkDelayMs, res))) return;
    }
    res.end('data: [DONE]\n\n');
  }

  /** Resolves true after `ms`, false when the server closes or the client goes away first. */
  #sleep(ms: number, res: ServerResponse): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (elapsed: boolean): void => {
        clearTimeout(timer);
        this.#cancels.delete(cancel);
        res.off('close', cancel);
        resolve(elapsed);
      };
      const cancel = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      this.#cancels.add(cancel);
      res.once('close', cancel);
    });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The request body as text, `'too-large'` past `limit` bytes, or `'aborted'` when the client went away first. */
function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= limit) parts.push(part);
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve('aborted'));
    // After 'end' this resolve is a no-op; before it, the client went away mid-body.
    req.on('close', () => resolve('aborted'));
  });
}

/** The request body, or a string saying what is wrong with it. */
function parseBody(text: string): ScriptedRequestBody | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the request body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the request body is not a JSON object';
  const { model, messages } = body as Record<string, unknown>;
  if (typeof model !== 'string') return 'the request has no `model` string';
  if (!Array.isArray(messages)) return 'the request has no `messages` array';
  return body as ScriptedRequestBody;
}

/**
 * Starts an OpenAI-compatible Chat Completions server on 127.0.0.1 (a free port) that answers each
 * request with the next step of `script`, and records every request. Steps: a string (text), `{ text }`,
 * `{ toolCalls: [{ name, arguments }] }` (several calls = parallel tool calls), `usage`, `model`
 * and `delayMs` on any answer, `{ error: { status } }`, `{ raw }` (a malformed body),
 * `{ disconnect: true }`, or a function of the request returning one of these. A script that is a
 * function answers every request; a list answers a 500 once it runs out. `stream: true` requests
 * get SSE chunks (tool-call deltas included, and a usage chunk when `stream_options.include_usage`).
 *
 * @example
 * ```ts
 * import { openaiClient } from 'troupe';
 * import { scriptedModel } from 'troupe/testing';
 *
 * const model = await scriptedModel([
 *   { toolCalls: [{ name: 'search', arguments: { task: 'a' } }, { name: 'search', arguments: { task: 'b' } }] },
 *   { text: 'Both found.', usage: { inputTokens: 120, outputTokens: 8 } },
 * ]);
 * const llm = openaiClient({ model: 'test', baseURL: model.url, maxRetries: 0 });
 * // … run the coordinator with `llm` …
 * expect(model.requests[1].body.messages.at(-1)).toMatchObject({ role: 'tool' });
 * await model.close();
 * ```
 *
 * @example One server, two models, each with its own script:
 * ```ts
 * const model = await scriptedModel([], {
 *   models: {
 *     cheap: (req) => ({ text: `summary of ${req.lastUserMessage}` }),
 *     strong: [{ text: 'final answer' }],
 *   },
 * });
 * const cheap = openaiClient({ model: 'cheap', baseURL: model.url });
 * const strong = openaiClient({ model: 'strong', baseURL: model.url });
 * ```
 */
export async function scriptedModel(script: Script = [], options: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const server = new ScriptedModelServer(script, options);
  await server.listen();
  return server;
}
