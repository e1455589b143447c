import { assign, fromTransition, sendTo, setup } from 'xstate';
import type { ReplyTo } from '../../src/index.js';

/** A counter that answers `get` with `{ type: 'count', value }`. */
export const counterMachine = setup({
  types: {
    context: {} as { n: number },
    input: {} as { start?: number } | undefined,
    events: {} as { type: 'inc' } | { type: 'get'; replyTo: ReplyTo } | { type: 'boom' } | { type: 'finish' },
  },
}).createMachine({
  id: 'counter',
  context: ({ input }) => ({ n: input?.start ?? 0 }),
  initial: 'counting',
  states: {
    counting: {
      on: {
        inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
        get: {
          actions: sendTo(
            ({ event }) => event.replyTo,
            ({ context }) => ({ type: 'count', value: context.n }),
          ),
        },
        boom: {
          actions: () => {
            throw new Error('boom');
          },
        },
        finish: 'done',
      },
    },
    done: { type: 'final' },
  },
});

/** The same counter as a `fromTransition` logic. */
export const counterTransition = fromTransition((n: number, event: { type: string; replyTo?: ReplyTo }) => {
  if (event.type === 'inc') return n + 1;
  if (event.type === 'get') event.replyTo?.send({ type: 'count', value: n });
  return n;
}, 0);

/** A machine that ignores everything: asks to it only end by timeout or exit. */
export const silentMachine = setup({}).createMachine({ id: 'silent' });
