/**
 * The logic the `alpha` node hosts. Only what is listed in its `logic` allowlist can be started
 * there from another node with `spawnOn`.
 */
import { assign, sendTo, setup } from 'xstate';
import { fromStream, type ReplyTo } from '../../src/index.js';

/** Summarizes a text: its first sentence and its word count. Counts the texts it has seen. */
export const summarizer = setup({
  types: {
    context: {} as { seen: number },
    events: {} as { type: 'summarize'; text: string; replyTo: ReplyTo },
  },
}).createMachine({
  id: 'summarizer',
  context: { seen: 0 },
  on: {
    summarize: {
      actions: [
        assign({ seen: ({ context }) => context.seen + 1 }),
        sendTo(
          ({ event }) => event.replyTo,
          ({ event, context }) => ({
            type: 'summary',
            firstSentence: event.text.split(/(?<=[.!?])\s/)[0],
            words: event.text.split(/\s+/).filter(Boolean).length,
            seen: context.seen,
          }),
        ),
      ],
    },
  },
});

/** Streams the words of a text one by one, as the consumer asks for them. */
export const words = fromStream<string, unknown, { type: 'words'; text: string }>(async function* ({ event, signal }) {
  for (const word of event.text.split(/\s+/).filter(Boolean)) {
    if (signal.aborted) return;
    yield word;
  }
});
