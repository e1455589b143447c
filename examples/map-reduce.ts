/**
 * Map-reduce: a cheap worker per file, one strong worker to combine, usage summed by model.
 * The workers here fake their token use; give them `openaiClient`s to use real models.
 * `npx tsx examples/map-reduce.ts`
 */
import { z } from 'zod';
import { createSystem, defineWorker, mapReduce } from '../src/index.js';

const mapper = defineWorker({
  name: 'mapper',
  description: 'Finds TODO markers in a file (cheap model).',
  input: z.object({ file: z.string(), text: z.string() }),
  async run({ input, reportUsage }) {
    reportUsage({
      inputTokens: 1000,
      outputTokens: 100,
      calls: 1,
      byModel: { 'cheap-model': { inputTokens: 1000, outputTokens: 100, calls: 1 } },
    });
    return { file: input.file, todos: input.text.split('TODO').length - 1 };
  },
});

const reducer = defineWorker({
  name: 'reducer',
  description: 'Writes the report (strong model).',
  input: z.object({ items: z.array(z.object({ file: z.string(), todos: z.number() })) }),
  async run({ input, reportUsage }) {
    reportUsage({
      inputTokens: 1000,
      outputTokens: 100,
      calls: 1,
      byModel: { 'strong-model': { inputTokens: 1000, outputTokens: 100, calls: 1 } },
    });
    const total = input.items.reduce((n, i) => n + i.todos, 0);
    return `${total} TODOs in ${input.items.length} files; most in ${[...input.items].sort((a, b) => b.todos - a.todos)[0]?.file}`;
  },
});

/** Runs the example; returns the report and the calls per model. */
export async function main(): Promise<{ report: string; calls: Record<string, number> }> {
  const system = createSystem({ node: 'map-reduce' });
  const files = Array.from({ length: 20 }, (_, i) => ({ file: `src/f${i}.ts`, text: 'x TODO '.repeat(i % 4) }));
  const { output, usage } = await mapReduce<{ file: string }, unknown, string>(system, {
    items: files,
    map: mapper,
    reduce: reducer,
    concurrency: 5,
  });
  await system.shutdown();
  return { report: output, calls: Object.fromEntries(Object.entries(usage.byModel).map(([m, u]) => [m, u.calls])) };
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((r) => console.log(r));
