/**
 * A pipeline with checkpoints: fetch → parse → summarize. The first attempt crashes in `summarize`;
 * the second attempt, with the same run id, resumes there and never runs fetch or parse again.
 * `npx tsx examples/pipeline.ts`
 */
import { z } from 'zod';
import { createSystem, defineWorker, memoryStore, pipeline } from '../src/index.js';

const runs: string[] = [];
let flaky = true;

const doc = z.object({ text: z.string(), words: z.number().optional() });
const stage = (name: string, f: (d: z.infer<typeof doc>) => z.infer<typeof doc>) =>
  defineWorker({
    name,
    description: `pipeline stage ${name}`,
    input: doc,
    async run({ input }) {
      runs.push(name);
      return f(input);
    },
  });

const stages = [
  { name: 'fetch', worker: stage('fetch', () => ({ text: 'Troupe runs actors. Patterns coordinate them. Checkpoints survive crashes.' })) },
  { name: 'parse', worker: stage('parse', (d) => ({ ...d, words: d.text.split(/\s+/).length })) },
  {
    name: 'summarize',
    worker: stage('summarize', (d) => {
      if (flaky) {
        flaky = false;
        throw new Error('the summarizer fell over');
      }
      return { text: d.text.split('.')[0], words: d.words };
    }),
  },
];

/** Runs the example; returns the stages each attempt ran and the final output. */
export async function main(): Promise<{ firstAttempt: string; runs: string[]; output: unknown; resumed: string[] }> {
  const system = createSystem({ node: 'pipeline' });
  const store = memoryStore();
  const input = { text: '' };
  const firstAttempt = await pipeline(system, { runId: 'report-1', stages, input, store }).then(
    () => 'ok',
    (err: Error) => err.message,
  );
  const second = await pipeline(system, { runId: 'report-1', stages, input, store });
  await system.shutdown();
  return { firstAttempt, runs, output: second.output, resumed: second.resumed };
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((r) => console.log(JSON.stringify(r, null, 2)));
