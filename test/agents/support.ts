/** Shared pieces of the agents tests: a scripted model reached through the real SDK, and small workers. */
import { afterEach } from 'vitest';
import { z } from 'zod';
import type { LlmClient } from '../../src/agents/llm/llm.js';
import { openaiClient } from '../../src/agents/llm/openai.js';
import { defineWorker } from '../../src/agents/worker.js';
import type { ActorSystem } from '../../src/index.js';
import { type Script, type ScriptedModel, type ScriptedModelOptions, scriptedModel } from '../../src/testing/index.js';

const open: { models: ScriptedModel[]; systems: ActorSystem[] } = { models: [], systems: [] };

/** Closes every model server and system a test opened. */
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    const systems = open.systems.splice(0);
    const models = open.models.splice(0);
    await Promise.all(systems.map((s) => s.shutdown()));
    await Promise.all(models.map((m) => m.close()));
  });
}

/** Registers a system to shut down after the test. */
export function track(system: ActorSystem): ActorSystem {
  open.systems.push(system);
  return system;
}

/** A scripted server and a client for it (through the openai SDK and HTTP). */
export async function model(
  script: Script,
  options?: ScriptedModelOptions & { model?: string },
): Promise<{ server: ScriptedModel; llm: LlmClient; clientFor(name: string): LlmClient }> {
  const server = await scriptedModel(script, options);
  open.models.push(server);
  const clientFor = (name: string) => openaiClient({ model: name, baseURL: server.url, apiKey: 'test', maxRetries: 0, timeoutMs: 10_000 });
  return { server, llm: clientFor(options?.model ?? 'test-model'), clientFor };
}

/** A worker that records each task's start and end times and answers after `delayMs`. */
export function timedWorker(name: string, log: { name: string; task: string; start: number; end: number }[], delayMs = 30) {
  return defineWorker({
    name,
    description: `${name} does its part.`,
    output: z.object({ answer: z.string() }),
    async run({ input, signal }) {
      const start = performance.now();
      await new Promise((resolve, reject) => {
        const t = setTimeout(resolve, delayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(signal.reason);
        });
      });
      log.push({ name, task: input.task, start, end: performance.now() });
      return { answer: `${name} did ${input.task}` };
    },
  });
}

/** A worker that counts its runs and answers with its name. */
export function countingWorker(name: string, counter: Map<string, number>) {
  return defineWorker({
    name,
    description: `${name} worker.`,
    async run({ input }) {
      counter.set(name, (counter.get(name) ?? 0) + 1);
      return { answer: `${name}: ${input.task}` };
    },
  });
}

/** The tool messages of a recorded request, in order. */
export function toolMessages(body: {
  messages: { role: string; content?: unknown; tool_call_id?: string }[];
}): { id: string | undefined; content: string }[] {
  return body.messages.filter((m) => m.role === 'tool').map((m) => ({ id: m.tool_call_id, content: String(m.content) }));
}
