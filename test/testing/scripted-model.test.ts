import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedModel, scriptedModel } from '../../src/testing/index.js';
import { latch } from '../support/latch.js';

const open: ScriptedModel[] = [];

async function start(...args: Parameters<typeof scriptedModel>): Promise<ScriptedModel> {
  const model = await scriptedModel(...args);
  open.push(model);
  return model;
}

function sdk(model: ScriptedModel): OpenAI {
  return new OpenAI({ baseURL: model.url, apiKey: 'test-key', maxRetries: 0, timeout: 10_000 });
}

const ask = (content: string) => ({ model: 'test', messages: [{ role: 'user' as const, content }] });

async function post(model: ScriptedModel, body: unknown, path = '/chat/completions'): Promise<Response> {
  return fetch(model.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

describe('scriptedModel', () => {
  describe('answers', () => {
    it('answers text, with the requested model name and estimated usage by default', async () => {
      const model = await start(['Hello there']);
      expect(model.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await sdk(model).chat.completions.create(ask('Hi'));
      expect(res.choices[0]?.message.content).toBe('Hello there');
      expect(res.choices[0]?.finish_reason).toBe('stop');
      expect(res.model).toBe('test');
      expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(res.usage?.completion_tokens).toBe(3);
    });

    it('reports the usage and model name a step gives', async () => {
      const model = await start([{ text: 'ok', usage: { inputTokens: 120, outputTokens: 7 }, model: 'gpt-test-2025' }]);
      const res = await sdk(model).chat.completions.create(ask('Hi'));
      expect(res.usage).toEqual({ prompt_tokens: 120, completion_tokens: 7, total_tokens: 127 });
      expect(res.model).toBe('gpt-test-2025');
    });

    it('answers parallel tool calls, numbering ids and sending object arguments as JSON', async () => {
      const model = await start([
        {
          toolCalls: [{ name: 'search', arguments: { q: 'a' } }, { name: 'search', arguments: '{"q":"b"}', id: 'mine' }, { name: 'noop' }],
        },
      ]);
      const res = await sdk(model).chat.completions.create(ask('Go'));
      const message = res.choices[0]?.message;
      expect(message?.content).toBeNull();
      expect(res.choices[0]?.finish_reason).toBe('tool_calls');
      expect(message?.tool_calls).toEqual([
        { id: 'call_0', type: 'function', function: { name: 'search', arguments: '{"q":"a"}' } },
        { id: 'mine', type: 'function', function: { name: 'search', arguments: '{"q":"b"}' } },
        { id: 'call_1', type: 'function', function: { name: 'noop', arguments: '{}' } },
      ]);
    });

    it('answers from a step function of the request', async () => {
      const model = await start([(req) => ({ text: `you said ${req.lastUserMessage}; tools: ${req.toolNames.join(',')}` })]);
      const res = await sdk(model).chat.completions.create({
        ...ask('ping'),
        tools: [{ type: 'function', function: { name: 'alpha', parameters: { type: 'object', properties: {} } } }],
      });
      expect(res.choices[0]?.message.content).toBe('you said ping; tools: alpha');
    });

    it('answers every request from a responder script, which never runs out', async () => {
      const model = await start(async (req) => `echo ${req.lastUserMessage}`);
      const client = sdk(model);
      for (const word of ['a', 'b', 'c']) {
        const res = await client.chat.completions.create(ask(word));
        expect(res.choices[0]?.message.content).toBe(`echo ${word}`);
      }
      expect(model.remaining).toBe(Number.POSITIVE_INFINITY);
    });

    it('routes requests to the script of their model name, others to the main script', async () => {
      const model = await start(['main'], { models: { cheap: (req) => `cheap: ${req.lastUserMessage}`, strong: ['strong 1'] } });
      const client = sdk(model);
      const answer = async (name: string, text: string) =>
        (await client.chat.completions.create({ model: name, messages: [{ role: 'user', content: text }] })).choices[0]?.message.content;
      expect(await answer('cheap', 'x')).toBe('cheap: x');
      expect(await answer('strong', 'y')).toBe('strong 1');
      expect(await answer('other', 'z')).toBe('main');
      expect(await answer('cheap', 'w')).toBe('cheap: w');
      expect(model.remainingOf('strong')).toBe(0);
      expect(model.remainingOf('anything')).toBe(0);
      expect(model.requests.map((r) => r.model)).toEqual(['cheap', 'strong', 'other', 'cheap']);
      const list = (await (await fetch(`${model.url}/models`)).json()) as { data: { id: string }[] };
      expect(list.data.map((m) => m.id)).toEqual(['cheap', 'strong']);
    });
  });

  describe('streaming', () => {
    it('streams text in chunks, then tool-call deltas, then the usage chunk when asked', async () => {
      const model = await start([
        {
          text: 'A fairly long answer that spans several chunks.',
          toolCalls: [{ name: 'search', arguments: { query: 'something long enough to split' } }, { name: 'count' }],
          usage: { inputTokens: 11, outputTokens: 22 },
        },
      ]);
      const stream = await sdk(model).chat.completions.create({ ...ask('Go'), stream: true, stream_options: { include_usage: true } });
      let text = '';
      const calls: { id?: string; name: string; arguments: string }[] = [];
      let usage: unknown;
      let finish: string | null | undefined;
      let contentChunks = 0;
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (!choice) continue;
        if (choice.delta.content) {
          text += choice.delta.content;
          contentChunks += 1;
        }
        for (const delta of choice.delta.tool_calls ?? []) {
          calls[delta.index] ??= { name: '', arguments: '' };
          const call = calls[delta.index]!;
          if (delta.id) call.id = delta.id;
          call.name += delta.function?.name ?? '';
          call.arguments += delta.function?.arguments ?? '';
        }
        finish = choice.finish_reason ?? finish;
      }
      expect(text).toBe('A fairly long answer that spans several chunks.');
      expect(contentChunks).toBeGreaterThan(1);
      expect(calls).toEqual([
        { id: 'call_0', name: 'search', arguments: '{"query":"something long enough to split"}' },
        { id: 'call_1', name: 'count', arguments: '{}' },
      ]);
      expect(finish).toBe('tool_calls');
      expect(usage).toEqual({ prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 });
      expect(model.requests[0]?.stream).toBe(true);
    });

    it('sends no usage chunk unless the request asks for it', async () => {
      const model = await start(['short']);
      const stream = await sdk(model).chat.completions.create({ ...ask('Go'), stream: true });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.some((c) => c.usage)).toBe(false);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('short');
    });
  });

  describe('failures', () => {
    it('answers an HTTP error step with its status, OpenAI-shaped body and headers', async () => {
      const model = await start([
        { error: { status: 429, message: 'slow down', headers: { 'retry-after': '7' } } },
        { error: { status: 418, body: { custom: true } } },
      ]);
      const first = await post(model, ask('x'));
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('7');
      expect(await first.json()).toMatchObject({ error: { message: 'slow down' } });
      const second = await post(model, ask('y'));
      expect(second.status).toBe(418);
      expect(await second.json()).toEqual({ custom: true });
    });

    it('sends a raw step as is', async () => {
      const model = await start([
        { raw: '{"choices": [', status: 200 },
        { raw: 'plain', contentType: 'text/plain', status: 502 },
      ]);
      const first = await post(model, ask('x'));
      expect(await first.text()).toBe('{"choices": [');
      const second = await post(model, ask('y'));
      expect(second.status).toBe(502);
      expect(second.headers.get('content-type')).toBe('text/plain');
    });

    it('drops the connection on a disconnect step', async () => {
      const model = await start([{ disconnect: true }]);
      await expect(post(model, ask('x'))).rejects.toThrow();
      expect(model.requests).toHaveLength(1);
    });

    it('answers a clear 500 once the script runs out, and says how much is left', async () => {
      const model = await start(['one']);
      expect(model.remaining).toBe(1);
      await post(model, ask('x'));
      expect(model.remaining).toBe(0);
      const res = await post(model, ask('y'));
      expect(res.status).toBe(500);
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        "scriptedModel: the script ran out after 1 steps (request #1, model 'test')",
      );
    });

    it('answers 500 with the message when a step function throws', async () => {
      const model = await start([
        () => {
          throw new Error('no rule for this');
        },
      ]);
      const res = await post(model, ask('x'));
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('no rule for this');
    });

    it('answers 400 to a body that is not a chat request, and 404 to other routes, recording neither', async () => {
      const model = await start(['unused']);
      const notJson = await fetch(`${model.url}/chat/completions`, { method: 'POST', body: '{nope' });
      expect(notJson.status).toBe(400);
      expect((await post(model, { model: 'x' })).status).toBe(400);
      expect((await post(model, { messages: [] })).status).toBe(400);
      expect((await post(model, ask('x'), '/completions')).status).toBe(404);
      expect(model.requests).toHaveLength(0);
      expect(model.remaining).toBe(1);
    });

    it('forgets a request whose client goes away mid-body, and keeps serving', async () => {
      const model = await start(['still here']);
      const { port } = new URL(model.url);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":',
      );
      socket.destroy();
      const res = await sdk(model).chat.completions.create(ask('x'));
      expect(res.choices[0]?.message.content).toBe('still here');
      expect(model.requests).toHaveLength(1);
    });

    it('refuses a body over maxBodyBytes with 413', async () => {
      const model = await start(['unused'], { maxBodyBytes: 100 });
      const res = await post(model, ask('x'.repeat(200)));
      expect(res.status).toBe(413);
    });
  });

  describe('delays', () => {
    it('marks a request aborted when the client goes away during a delay', async () => {
      const model = await start([{ text: 'late', delayMs: 60_000 }]);
      const arrived = latch();
      const controller = new AbortController();
      const pending = sdk(model).chat.completions.create(ask('x'), { signal: controller.signal });
      const poll = setInterval(() => model.requests.length > 0 && arrived.unlock(), 5);
      await arrived.wait.finally(() => clearInterval(poll));
      controller.abort();
      await expect(pending).rejects.toThrow(OpenAI.APIUserAbortError);
      const seen = latch();
      const check = setInterval(() => model.requests[0]?.aborted && seen.unlock(), 5);
      await seen.wait.finally(() => clearInterval(check));
    });

    it('close() ends requests waiting on a delay', async () => {
      const model = await start([{ text: 'late', delayMs: 60_000 }]);
      const pending = sdk(model).chat.completions.create(ask('x'));
      pending.catch(() => {});
      const arrived = latch();
      const poll = setInterval(() => model.requests.length > 0 && arrived.unlock(), 5);
      await arrived.wait.finally(() => clearInterval(poll));
      await model.close();
      await expect(pending).rejects.toThrow(OpenAI.APIConnectionError);
    });

    it('answers after the delay', async () => {
      const model = await start([{ text: 'later', delayMs: 20 }]);
      const res = await sdk(model).chat.completions.create(ask('x'));
      expect(res.choices[0]?.message.content).toBe('later');
    });
  });

  describe('#requests', () => {
    it('records each request: parsed body, headers, time, tools offered', async () => {
      const model = await start(['a', 'b']);
      const before = Date.now();
      const client = sdk(model);
      await client.chat.completions.create({
        model: 'm',
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'q' },
        ],
      });
      await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'q2' }],
        tools: [{ type: 'function', function: { name: 't1', parameters: {} } }],
        tool_choice: 'required',
      });
      const [first, second] = model.requests;
      expect(first).toMatchObject({
        index: 0,
        path: '/v1/chat/completions',
        model: 'm',
        toolNames: [],
        lastUserMessage: 'q',
        stream: false,
        aborted: false,
      });
      expect(first?.body.messages).toEqual([
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'q' },
      ]);
      expect(first?.body).not.toHaveProperty('tools');
      expect(first?.headers.authorization).toBe('Bearer test-key');
      expect(first?.at).toBeGreaterThanOrEqual(before);
      expect(second).toMatchObject({ index: 1, toolNames: ['t1'], body: { tool_choice: 'required' } });
    });

    it('keeps no requests with record: false', async () => {
      const model = await start(['a'], { record: false });
      await sdk(model).chat.completions.create(ask('x'));
      expect(model.requests).toEqual([]);
      expect(model.remaining).toBe(0);
    });
  });
});
