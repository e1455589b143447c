/**
 * Fan-out/fan-in: summarize many documents at once, at most 3 at a time, one worker actor per
 * document (stopped once its document is done), results in document order; one failure does not
 * sink the rest. `npx tsx examples/fan-out.ts`
 */
import { z } from 'zod';
import { createSystem, defineWorker, fanOut } from '../src/index.js';

const summarizer = defineWorker({
  name: 'summarizer',
  description: 'Returns the first sentence of a text.',
  input: z.object({ text: z.string() }),
  async run({ input }) {
    if (input.text.trim() === '') throw new Error('nothing to summarize');
    return input.text.split('.')[0];
  },
});

/** Runs the example; returns one line per document. */
export async function main(): Promise<string[]> {
  const system = createSystem({ node: 'fan-out' });
  const docs = ['Actors keep state private. They talk by messages.', 'Mailboxes queue messages.', '', 'Supervisors restart children.'];
  const results = await fanOut<{ text: string }, string>(system, {
    worker: summarizer,
    items: docs.map((text) => ({ text })),
    concurrency: 3,
    timeoutMs: 5000,
  });
  const left = system.stats().actors; // 0: every worker it spawned is gone
  await system.shutdown();
  return [...results.map((r, i) => (r.status === 'ok' ? `${i}: ${r.value}` : `${i}: failed (${r.error.code})`)), `actors left: ${left}`];
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((lines) => console.log(lines.join('\n')));
