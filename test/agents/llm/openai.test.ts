import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiClient } from '../../../src/agents/llm/openai.js';
import { TroupeError } from '../../../src/errors.js';
import { type Script, type ScriptedModel, type ScriptedModelOptions, scriptedModel } from '../../../src/testing/index.js';
import { latch } from '../../support/latch.js';
import { inChild } from '../../support/lazy-import.js';

const open: ScriptedModel[] = [];
const savedEnv = { base: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };

async function start(script: Script, options?: ScriptedModelOptions): Promise<ScriptedModel> {
  const model = await scriptedModel(script, options);
  open.push(model);
  return model;
}

const hi = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const search = {
  name: 'search',
  description: 'Finds facts.',
  parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
};

async function failure(promise: Promise<unknown>): Promise<TroupeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TroupeError)) throw new Error(`expected a TroupeError, got ${String(err)}`);
  return err;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function restoreEnv(name: 'OPENAI_BASE_URL' | 'OPENAI_API_KEY', value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

afterEach(async () => {
  restoreEnv('OPENAI_BASE_URL', savedEnv.base);
  restoreEnv('OPENAI_API_KEY', savedEnv.key);
  await Promise.all(open.splice(0).map((m) => m.close()));
});

describe('openaiClient', () => {
  describe('#chat', () => {
    it('answers text with usage, the reported model and the finish reason', async () => {
      const model = await start([{ text: 'Hello', usage: { inputTokens: 12, outputTokens: 3 }, model: 'served-model' }]);
      const llm = openaiClient({ model: 'asked-model', baseURL: model.url, maxRetries: 0 });
      expect(llm.model).toBe('asked-model');
      await expect(llm.chat(hi)).resolves.toEqual({
        message: { content: 'Hello', toolCalls: [] },
        usage: { inputTokens: 12, outputTokens: 3 },
        model: 'served-model',
        finishReason: 'stop',
      });
      expect(model.requests[0]?.model).toBe('asked-model');
    });

    it('uses the request model over the default', async () => {
      const model = await start(['ok']);
      await openaiClient({ model: 'default', baseURL: model.url, maxRetries: 0 }).chat({ ...hi, model: 'other' });
      expect(model.requests[0]?.model).toBe('other');
    });

    it('maps a single tool call', async () => {
      const model = await start([{ toolCalls: [{ name: 'search', arguments: { q: 'x' }, id: 'c1' }] }]);
      const res = await openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat({ ...hi, tools: [search] });
      expect(res.message).toEqual({ content: null, toolCalls: [{ id: 'c1', name: 'search', arguments: '{"q":"x"}' }] });
      expect(res.finishReason).toBe('tool_calls');
    });

    it('maps parallel tool calls in order, with text beside them', async () => {
      const model = await start([
        {
          text: 'Checking both.',
          toolCalls: [
            { name: 'search', arguments: { q: 'a' } },
            { name: 'search', arguments: 'not json' },
          ],
        },
      ]);
      const res = await openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat({ ...hi, tools: [search] });
      expect(res.message.content).toBe('Checking both.');
      expect(res.message.toolCalls).toEqual([
        { id: 'call_0', name: 'search', arguments: '{"q":"a"}' },
        { id: 'call_1', name: 'search', arguments: 'not json' },
      ]);
    });

    it('sends tools, tool choice and the whole conversation in Chat Completions shape', async () => {
      const model = await start(['done']);
      await openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Find x' },
          { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'search', arguments: '{"q":"x"}' }] },
          { role: 'tool', toolCallId: 'c1', content: 'x is 1' },
          { role: 'assistant', content: 'noted' },
        ],
        tools: [search],
        toolChoice: 'required',
      });
      const body = model.requests[0]?.body;
      expect(body?.tools).toEqual([{ type: 'function', function: search }]);
      expect(body?.tool_choice).toBe('required');
      expect(body?.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Find x' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'x is 1' },
        { role: 'assistant', content: 'noted' },
      ]);
    });

    it('sends no tools field (and no tool_choice) when no tools are offered', async () => {
      const model = await start(['a', 'b']);
      const llm = openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 });
      await llm.chat(hi);
      await llm.chat({ ...hi, tools: [], toolChoice: 'none' });
      for (const request of model.requests) {
        expect(request.body).not.toHaveProperty('tools');
        expect(request.body).not.toHaveProperty('tool_choice');
      }
    });

    it('treats missing usage as zero and a missing model name as the one asked for', async () => {
      const model = await start([{ raw: JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'x' } }] }) }]);
      const res = await openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat(hi);
      expect(res).toEqual({ message: { content: 'x', toolCalls: [] }, usage: { inputTokens: 0, outputTokens: 0 }, model: 'm' });
    });

    it('retries a 503 up to maxRetries', async () => {
      const model = await start([{ error: { status: 503, headers: { 'retry-after-ms': '1' } } }, 'recovered']);
      const res = await openaiClient({ model: 'm', baseURL: model.url, maxRetries: 1 }).chat(hi);
      expect(res.message.content).toBe('recovered');
      expect(model.requests).toHaveLength(2);
    });
  });

  describe('configuration', () => {
    it('reads OPENAI_BASE_URL and OPENAI_API_KEY when not given', async () => {
      const model = await start(['from env']);
      process.env.OPENAI_BASE_URL = model.url;
      process.env.OPENAI_API_KEY = 'env-key';
      const res = await openaiClient({ model: 'm', maxRetries: 0 }).chat(hi);
      expect(res.message.content).toBe('from env');
      expect(model.requests[0]?.headers.authorization).toBe('Bearer env-key');
    });

    it('sends a placeholder key to a local server when no key is set, and the extra headers', async () => {
      delete process.env.OPENAI_API_KEY;
      const model = await start(['ok']);
      await openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0, headers: { 'x-team': 'troupe' } }).chat(hi);
      expect(model.requests[0]?.headers.authorization).toBe('Bearer troupe-no-key');
      expect(model.requests[0]?.headers['x-team']).toBe('troupe');
    });

    it('rejects with TROUPE_ERR_LLM_AUTH when OpenAI itself would be called without a key', async () => {
      delete process.env.OPENAI_API_KEY;
      delete process.env.OPENAI_BASE_URL;
      const err = await failure(openaiClient({ model: 'm' }).chat(hi));
      expect(err.code).toBe('TROUPE_ERR_LLM_AUTH');
      expect(err.message).toContain('OPENAI_API_KEY');
    });

    it('throws TROUPE_ERR_INVALID_OPTION for bad options', () => {
      expect(() => openaiClient({ model: '' })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
      expect(() => openaiClient({ model: 'm', timeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
      expect(() => openaiClient({ model: 'm', maxRetries: -1 })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    });
  });

  describe('errors', () => {
    it.each([
      [401, 'TROUPE_ERR_LLM_AUTH'],
      [403, 'TROUPE_ERR_LLM_AUTH'],
      [404, 'TROUPE_ERR_LLM_MODEL_NOT_FOUND'],
      [408, 'TROUPE_ERR_TIMEOUT'],
      [429, 'TROUPE_ERR_LLM_RATE_LIMITED'],
      [500, 'TROUPE_ERR_LLM_UNAVAILABLE'],
      [503, 'TROUPE_ERR_LLM_UNAVAILABLE'],
      [400, 'TROUPE_ERR_LLM_FAILED'],
      [422, 'TROUPE_ERR_LLM_FAILED'],
    ])('maps HTTP %i to %s, keeping the server message and the cause', async (status, code) => {
      const model = await start([{ error: { status, message: `scripted ${status}` } }]);
      const err = await failure(openaiClient({ model: 'gpt-x', baseURL: model.url, maxRetries: 0 }).chat(hi));
      expect(err.code).toBe(code);
      expect(err.message).toContain(`scripted ${status}`);
      expect(err.cause).toBeInstanceOf(Error);
    });

    it('names the model on a 404 and never shows the key', async () => {
      const model = await start([{ error: { status: 404, message: 'The model does not exist' } }]);
      const err = await failure(openaiClient({ model: 'gpt-nope', baseURL: model.url, apiKey: 'sk-secret', maxRetries: 0 }).chat(hi));
      expect(err.message).toContain("'gpt-nope'");
      expect(err.message).not.toContain('sk-secret');
    });

    it('rejects with TROUPE_ERR_LLM_UNAVAILABLE when nothing listens', async () => {
      const port = await closedPort();
      const err = await failure(openaiClient({ model: 'm', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }).chat(hi));
      expect(err.code).toBe('TROUPE_ERR_LLM_UNAVAILABLE');
      expect(err.message).toContain(`127.0.0.1:${port}`);
    });

    it('rejects with TROUPE_ERR_LLM_UNAVAILABLE when the server drops the connection', async () => {
      const model = await start([{ disconnect: true }]);
      const err = await failure(openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat(hi));
      expect(err.code).toBe('TROUPE_ERR_LLM_UNAVAILABLE');
    });

    it.each([
      ['a body that is not JSON', { raw: '{"choices": [' }],
      ['a non-JSON content type', { raw: 'hello', contentType: 'text/plain' }],
      ['no choices', { raw: JSON.stringify({ choices: [] }) }],
      ['a choice without a message', { raw: JSON.stringify({ choices: [{ index: 0 }] }) }],
      ['non-text content', { raw: JSON.stringify({ choices: [{ message: { content: { a: 1 } } }] }) }],
      ['tool_calls that are not a list', { raw: JSON.stringify({ choices: [{ message: { content: null, tool_calls: 'x' } }] }) }],
      [
        'a tool call without an id',
        {
          raw: JSON.stringify({
            choices: [{ message: { content: null, tool_calls: [{ type: 'function', function: { name: 'a', arguments: '{}' } }] } }],
          }),
        },
      ],
      [
        'a tool call without a name',
        {
          raw: JSON.stringify({
            choices: [{ message: { content: null, tool_calls: [{ id: 'c', type: 'function', function: { arguments: '{}' } }] } }],
          }),
        },
      ],
    ])('rejects with TROUPE_ERR_LLM_BAD_RESPONSE on %s', async (_what, step) => {
      const model = await start([step]);
      const err = await failure(openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat(hi));
      expect(err.code).toBe('TROUPE_ERR_LLM_BAD_RESPONSE');
    });

    it('accepts tool-call arguments sent as an object or left out', async () => {
      const raw = JSON.stringify({
        choices: [
          {
            message: {
              content: null,
              tool_calls: [
                { id: 'a', function: { name: 'f', arguments: { x: 1 } } },
                { id: 'b', function: { name: 'g' } },
              ],
            },
          },
        ],
      });
      const model = await start([{ raw }]);
      const res = await openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat(hi);
      expect(res.message.toolCalls).toEqual([
        { id: 'a', name: 'f', arguments: '{"x":1}' },
        { id: 'b', name: 'g', arguments: '{}' },
      ]);
    });

    it('rejects with TROUPE_ERR_CANCELLED when the signal aborts mid-request, and the server sees the request go', async () => {
      const model = await start([{ text: 'late', delayMs: 60_000 }]);
      const controller = new AbortController();
      const pending = failure(openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0 }).chat({ ...hi, signal: controller.signal }));
      const arrived = latch();
      const poll = setInterval(() => model.requests.length > 0 && arrived.unlock(), 5);
      await arrived.wait.finally(() => clearInterval(poll));
      controller.abort();
      expect((await pending).code).toBe('TROUPE_ERR_CANCELLED');
      const gone = latch();
      const check = setInterval(() => model.requests[0]?.aborted && gone.unlock(), 5);
      await gone.wait.finally(() => clearInterval(check));
    });

    it('rejects with TROUPE_ERR_CANCELLED without a request when the signal is already aborted', async () => {
      const model = await start(['unused']);
      const err = await failure(openaiClient({ model: 'm', baseURL: model.url }).chat({ ...hi, signal: AbortSignal.abort() }));
      expect(err.code).toBe('TROUPE_ERR_CANCELLED');
      expect(model.requests).toHaveLength(0);
    });

    it('rejects with TROUPE_ERR_CANCELLED without a request when the signal aborts while the SDK loads', async () => {
      const model = await start(['unused']);
      const controller = new AbortController();
      const pending = failure(openaiClient({ model: 'm', baseURL: model.url }).chat({ ...hi, signal: controller.signal }));
      controller.abort();
      expect((await pending).code).toBe('TROUPE_ERR_CANCELLED');
      expect(model.requests).toHaveLength(0);
    });

    it('rejects with TROUPE_ERR_TIMEOUT when the server does not answer in timeoutMs', async () => {
      const model = await start([{ text: 'late', delayMs: 60_000 }]);
      const err = await failure(openaiClient({ model: 'm', baseURL: model.url, maxRetries: 0, timeoutMs: 100 }).chat(hi));
      expect(err.code).toBe('TROUPE_ERR_TIMEOUT');
      expect(err.message).toContain('100 ms');
    });

    it('rejects with TROUPE_ERR_TIMEOUT when retries outlast timeoutMs', async () => {
      const model = await start(() => ({ error: { status: 503, headers: { 'retry-after-ms': '50' } } }));
      const err = await failure(openaiClient({ model: 'm', baseURL: model.url, maxRetries: 1000, timeoutMs: 300 }).chat(hi));
      expect(err.code).toBe('TROUPE_ERR_TIMEOUT');
    });
  });

  describe('lazy loading', () => {
    it("never loads 'openai' on import of troupe's entry, only on the first request", () => {
      const result = inChild(
        `
        const openaiLoaded = () => loaded('openai');
        const client = troupe.openaiClient({ model: 'm', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0 });
        const afterImport = openaiLoaded();
        const sawEntry = resolved('/src/index.ts');
        await client.chat({ messages: [{ role: 'user', content: 'x' }] }).catch(() => {});
        console.log(JSON.stringify({ exports: Object.keys(troupe).length, sawEntry, afterImport, afterChat: openaiLoaded() }));
      `,
        15_000,
      );
      expect(result.exports).toBeGreaterThan(0);
      expect(result).toMatchObject({ sawEntry: true, afterImport: false, afterChat: true });
    });
  });
});
