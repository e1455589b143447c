import { assign, sendTo, setup } from 'xstate';
import { type ReplyTo, refOf } from '../../src/index.js';

type Ball = { type: 'ball'; from: ReplyTo; n: number };

/** Returns every `ball` to its sender; counts hits in context. `serve` starts a rally with `to`. */
export const player = setup({
  types: { context: {} as { hits: number }, events: {} as Ball | { type: 'serve'; to: ReplyTo } | { type: 'hits'; replyTo: ReplyTo } },
}).createMachine({
  context: { hits: 0 },
  on: {
    serve: {
      actions: sendTo(
        ({ event }) => event.to,
        ({ self }) => ({ type: 'ball', from: refOf(self), n: 0 }),
      ),
    },
    ball: {
      actions: [
        assign({ hits: ({ context }) => context.hits + 1 }),
        sendTo(
          ({ event }) => event.from,
          ({ event, self }) => ({ type: 'ball', from: refOf(self), n: event.n + 1 }),
        ),
      ],
    },
    hits: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'hits', value: context.hits }),
      ),
    },
  },
});
