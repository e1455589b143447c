/**
 * An LLM council of three peers and a chair: independent answers, anonymous reviews (A, B, …),
 * revisions, one synthesis — 3N + 1 calls. The members here are rule-based stand-ins; give them
 * models with `defineAgent` for a real council. `npx tsx examples/council.ts`
 */
import { z } from 'zod';
import { type CouncilTask, council, createSystem, defineWorker } from '../src/index.js';

const phase = z.object({ phase: z.string(), question: z.string() }).passthrough();

const member = (name: string, guess: number) =>
  defineWorker({
    name,
    description: `council member ${name}`,
    input: phase,
    async run({ input }) {
      const task = input as unknown as CouncilTask<string, string>;
      if (task.phase === 'answer') return `about ${guess} days`;
      if (task.phase === 'review')
        return Object.fromEntries(task.answers.map((a) => [a.label, `${a.label} looks ${a.answer.includes('7') ? 'right' : 'off'}`]));
      if (task.phase === 'revise') return task.reviews.some((r) => String(r).includes('off')) ? 'about 7 days' : task.answer;
      return 'unexpected';
    },
  });

const chair = defineWorker({
  name: 'chair',
  description: 'Synthesizes the council answer.',
  input: phase,
  async run({ input }) {
    const task = input as unknown as CouncilTask<string, string>;
    return task.phase === 'synthesize' ? `consensus: ${task.answers.map((a) => `${a.label}=${a.answer}`).join('; ')}` : 'unexpected';
  },
});

/** Runs the example; returns the synthesis and the number of calls. */
export async function main(): Promise<{ answer: string; calls: number }> {
  const system = createSystem({ node: 'council' });
  const result = await council<string, string, string>(system, {
    members: [member('ada', 7), member('bob', 9), member('cy', 7)],
    chair,
    question: 'How long does the migration take?',
    seed: 42,
  });
  await system.shutdown();
  return { answer: result.answer, calls: result.calls };
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((r) => console.log(r));
