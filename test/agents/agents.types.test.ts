import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type AgentLogic, type CoordinatorResult, defineWorker, tool } from '../../src/index.js';

describe('agent types', () => {
  it('infers a worker run input from its zod schema, and { task: string } by default', () => {
    const typed = defineWorker({
      name: 'typed',
      description: 'd',
      input: z.object({ path: z.string(), lines: z.number() }),
      output: z.object({ text: z.string() }),
      async run({ input }) {
        expectTypeOf(input).toEqualTypeOf<{ path: string; lines: number }>();
        return { text: input.path };
      },
    });
    expectTypeOf(typed).toMatchTypeOf<AgentLogic<{ path: string; lines: number }, { text: string }>>();
    defineWorker({
      name: 'plain',
      description: 'd',
      async run({ input }) {
        expectTypeOf(input).toEqualTypeOf<{ task: string }>();
        return input.task;
      },
    });
  });

  it('types a tool run input and a coordinator result', () => {
    tool({
      name: 't',
      description: 'd',
      input: z.object({ q: z.string() }),
      run: (input) => {
        expectTypeOf(input).toEqualTypeOf<{ q: string }>();
        return input.q;
      },
    });
    expectTypeOf<CoordinatorResult['stopReason']>().toEqualTypeOf<'done' | 'max-iterations' | 'max-worker-calls' | 'token-budget'>();
    expectTypeOf<CoordinatorResult['output']>().toEqualTypeOf<{ answer: string }>();
  });
});
