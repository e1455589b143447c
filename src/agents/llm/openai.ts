/**
 * `openaiClient`: an `LlmClient` over the official `openai` SDK's Chat Completions, for OpenAI and
 * any OpenAI-compatible server. The only troupe module that imports `openai`, and only on the first
 * request, so `import 'troupe'` never loads it.
 * @module
 */

import type OpenAI from 'openai';
import { createError, type ErrorCode, TroupeError } from '../../errors.js';
import { fromWireResponse, toWireRequest } from './chat-wire.js';
import type { LlmClient, LlmRequest, LlmResponse } from './llm.js';

type OpenAIModule = typeof import('openai');

/**
 * Options of {@link openaiClient}.
 *
 * @example
 * ```ts
 * const options: OpenAIClientOptions = { model: 'qwen2.5:7b', baseURL: 'http://localhost:11434/v1', timeoutMs: 60_000, maxRetries: 1 };
 * ```
 */
export interface OpenAIClientOptions {
  /** The model requests use unless they name another. */
  model: string;
  /** The server's base URL, `/v1` included. Default: `OPENAI_BASE_URL`, else OpenAI's API. */
  baseURL?: string;
  /** Default: `OPENAI_API_KEY`; with neither, a placeholder key when `baseURL` is set (local servers need none). */
  apiKey?: string;
  /** Longest a request may take, retries included, before it fails with `TROUPE_ERR_TIMEOUT` (default 120,000). */
  timeoutMs?: number;
  /** Retries of connection failures, 408, 409, 429 and 5xx, by the SDK (default 2). */
  maxRetries?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const PLACEHOLDER_KEY = 'troupe-no-key';

function statusCode(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'TROUPE_ERR_LLM_AUTH';
  if (status === 404) return 'TROUPE_ERR_LLM_MODEL_NOT_FOUND';
  if (status === 408) return 'TROUPE_ERR_TIMEOUT';
  if (status === 429) return 'TROUPE_ERR_LLM_RATE_LIMITED';
  if (status >= 500) return 'TROUPE_ERR_LLM_UNAVAILABLE';
  return 'TROUPE_ERR_LLM_FAILED';
}

class OpenAIChatClient implements LlmClient {
  readonly model: string;
  readonly #baseURL: string | undefined;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #headers: Record<string, string> | undefined;
  #sdk: Promise<{ module: OpenAIModule; client: OpenAI }> | undefined;

  constructor(options: OpenAIClientOptions) {
    this.model = options.model;
    this.#baseURL = options.baseURL ?? (process.env.OPENAI_BASE_URL || undefined);
    this.#apiKey =
      options.apiKey ?? (process.env.OPENAI_API_KEY || undefined) ?? (this.#baseURL === undefined ? undefined : PLACEHOLDER_KEY);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#headers = options.headers;
  }

  get #where(): string {
    return this.#baseURL ?? 'https://api.openai.com/v1';
  }

  async chat(request: LlmRequest): Promise<LlmResponse> {
    const model = request.model ?? this.model;
    const { signal } = request;
    const cancelled = (): TroupeError => createError('TROUPE_ERR_CANCELLED', `the request to ${this.#where} was cancelled`);
    if (signal?.aborted) throw cancelled();
    const { module, client } = await this.#load();
    if (signal?.aborted) throw cancelled();
    // The SDK's own timeout stops at the response headers; this one bounds the whole call, body and retries included.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const body: unknown = await client.chat.completions.create(toWireRequest(request, model), {
        signal: controller.signal,
        timeout: this.#timeoutMs,
        maxRetries: this.#maxRetries,
      });
      return fromWireResponse(body, model);
    } catch (err) {
      if (signal?.aborted) throw createError('TROUPE_ERR_CANCELLED', `the request to ${this.#where} was cancelled`, { cause: err });
      if (timedOut) throw createError('TROUPE_ERR_TIMEOUT', `no answer from ${this.#where} within ${this.#timeoutMs} ms`, { cause: err });
      throw this.#toTroupeError(err, module, model);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #load(): Promise<{ module: OpenAIModule; client: OpenAI }> {
    this.#sdk ??= this.#create();
    return this.#sdk;
  }

  async #create(): Promise<{ module: OpenAIModule; client: OpenAI }> {
    let module: OpenAIModule;
    try {
      module = await import('openai');
    } catch (err) {
      this.#sdk = undefined;
      throw createError('TROUPE_ERR_LLM_FAILED', 'openaiClient needs the `openai` package: npm install openai', { cause: err });
    }
    if (this.#apiKey === undefined) {
      this.#sdk = undefined;
      throw createError('TROUPE_ERR_LLM_AUTH', 'no API key for https://api.openai.com/v1: pass apiKey or set OPENAI_API_KEY');
    }
    const client = new module.OpenAI({
      apiKey: this.#apiKey,
      baseURL: this.#baseURL ?? null,
      timeout: this.#timeoutMs,
      maxRetries: this.#maxRetries,
      defaultHeaders: this.#headers,
    });
    return { module, client };
  }

  #toTroupeError(err: unknown, sdk: OpenAIModule, model: string): TroupeError {
    if (err instanceof TroupeError) return err;
    const where = this.#where;
    if (err instanceof sdk.APIConnectionTimeoutError) {
      return createError('TROUPE_ERR_TIMEOUT', `no answer from ${where} within ${this.#timeoutMs} ms`, { cause: err });
    }
    if (err instanceof sdk.APIUserAbortError)
      return createError('TROUPE_ERR_CANCELLED', `the request to ${where} was cancelled`, { cause: err });
    if (err instanceof sdk.APIConnectionError) {
      const reason =
        err.cause instanceof Error ? (err.cause.cause instanceof Error ? err.cause.cause.message : err.cause.message) : err.message;
      return createError('TROUPE_ERR_LLM_UNAVAILABLE', `cannot reach ${where}: ${reason}`, { cause: err });
    }
    if (err instanceof sdk.APIError && typeof err.status === 'number') {
      const code = statusCode(err.status);
      const what =
        code === 'TROUPE_ERR_LLM_AUTH'
          ? 'refused the API key'
          : code === 'TROUPE_ERR_LLM_MODEL_NOT_FOUND'
            ? `does not know model '${model}' (or has no /chat/completions)`
            : `answered ${err.status}`;
      return createError(code, `${where} ${what}: ${err.message}`, { cause: err });
    }
    if (err instanceof SyntaxError)
      return createError('TROUPE_ERR_LLM_BAD_RESPONSE', `malformed model response from ${where}: ${err.message}`, { cause: err });
    // undici rejects a body cut short by the server with TypeError('terminated').
    if (err instanceof TypeError && err.message === 'terminated') {
      return createError('TROUPE_ERR_LLM_UNAVAILABLE', `${where} closed the connection mid-answer`, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    return createError('TROUPE_ERR_LLM_FAILED', `the request to ${where} failed: ${message}`, { cause: err });
  }
}

function checkOptions(options: OpenAIClientOptions): void {
  if (typeof options?.model !== 'string' || options.model === '')
    throw createError('TROUPE_ERR_INVALID_OPTION', 'openaiClient: `model` must be a non-empty string');
  const { timeoutMs, maxRetries } = options;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `openaiClient: \`timeoutMs\` must be a positive integer, got ${timeoutMs}`);
  }
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `openaiClient: \`maxRetries\` must be an integer ≥ 0, got ${maxRetries}`);
  }
}

/**
 * An {@link LlmClient} over the `openai` SDK's Chat Completions, for OpenAI or any OpenAI-compatible
 * server (Ollama, vLLM, llama.cpp's server, LM Studio, …). `baseURL` and `apiKey` default to
 * `OPENAI_BASE_URL` and `OPENAI_API_KEY`; a local server needs no key. The SDK is imported on the
 * first request. Failures reject with a `TroupeError`: `TROUPE_ERR_LLM_AUTH` (401/403, or no key for
 * OpenAI), `TROUPE_ERR_LLM_MODEL_NOT_FOUND` (404), `TROUPE_ERR_LLM_UNAVAILABLE` (unreachable, 5xx),
 * `TROUPE_ERR_LLM_RATE_LIMITED` (429), `TROUPE_ERR_LLM_BAD_RESPONSE`, `TROUPE_ERR_TIMEOUT`,
 * `TROUPE_ERR_CANCELLED` (the request's signal), else `TROUPE_ERR_LLM_FAILED` with the cause.
 *
 * @example
 * ```ts
 * const llm = openaiClient({ model: 'llama3.2', baseURL: 'http://localhost:11434/v1' });
 * const { message, usage } = await llm.chat({
 *   messages: [{ role: 'user', content: 'Name a prime.' }],
 *   signal: AbortSignal.timeout(30_000),
 * });
 * ```
 */
export function openaiClient(options: OpenAIClientOptions): LlmClient {
  checkOptions(options);
  return new OpenAIChatClient(options);
}
