/**
 * The README's quick start, as a runnable file: `npx tsx examples/quick-start.ts`.
 * A test runs `main()`, so the README's example cannot drift from what works.
 */
import { assign, sendTo, setup } from 'xstate';
import { createSystem, type ReplyTo } from '../src/index.js';

const counter = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'inc' } | { type: 'get'; replyTo: ReplyTo } },
}).createMachine({
  context: { n: 0 },
  on: {
    inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    get: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'count', value: context.n }),
      ),
    },
  },
});

/** Spawns the counter, tells it once, asks for the count and shuts down; returns the reply. */
export async function main(): Promise<unknown> {
  const system = createSystem({ node: 'alpha' });
  const ref = system.spawn(counter, { name: 'counter', mailbox: { capacity: 1000, overflow: 'reject' } });
  ref.send({ type: 'inc' }); // tell: never throws, never waits
  const reply = await ref.ask({ type: 'get' }, { timeoutMs: 1000 }); // { type: 'count', value: 1 }
  system.deadLetters.subscribe((d) => console.warn('dead letter', d.recipient, d.reason));
  await system.shutdown(); // children first, reverse start order
  return reply;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((reply) => console.log(reply));
}
