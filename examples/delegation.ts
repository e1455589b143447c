/**
 * Recursive delegation: count the words of a long text by splitting it in halves until a part is
 * short, with hierarchical task ids (1, 1.1, 1.2.1 …) and a depth limit.
 * `npx tsx examples/delegation.ts`
 */
import { z } from 'zod';
import { createSystem, defineWorker, delegate } from '../src/index.js';

const counter = defineWorker({
  name: 'counter',
  description: 'Counts the words of a short text.',
  input: z.object({ words: z.array(z.string()) }),
  async run({ input }) {
    return input.words.length;
  },
});

type Part = { words: string[] };

/** Runs the example; returns the count, the atomic tasks run and the deepest level reached. */
export async function main(): Promise<{ count: number; executed: number; depth: number; ids: string[]; tooDeep: string }> {
  const system = createSystem({ node: 'delegation' });
  const words = 'the quick brown fox jumps over the lazy dog '.repeat(20).trim().split(' ');
  const ids: string[] = [];
  const options = {
    task: { words },
    isAtomic: (t: Part, info: { id: string }) => {
      ids.push(info.id);
      return t.words.length <= 25;
    },
    decompose: (t: Part) => [{ words: t.words.slice(0, t.words.length / 2) }, { words: t.words.slice(t.words.length / 2) }],
    execute: counter,
    combine: (counts: number[]) => counts.reduce((a, b) => a + b, 0),
    concurrency: 4,
  };
  const result = await delegate<Part, number>(system, { ...options, maxDepth: 4 });
  const tooDeep = await delegate<Part, number>(system, { ...options, maxDepth: 1 }).then(
    () => 'ok',
    (err: { code: string }) => err.code,
  );
  await system.shutdown();
  return { count: result.output, executed: result.executed, depth: result.depth, ids: ids.slice(0, 5), tooDeep };
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((r) => console.log(r));
