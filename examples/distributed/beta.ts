/**
 * Terminal 2: a node that connects to alpha, starts a summarizer there and talks to it.
 *
 *   npx tsx examples/distributed/beta.ts ws://127.0.0.1:7400
 */
import { createMachine } from 'xstate';
import { createSystem, gather, TroupeError } from '../../src/index.js';

const url = process.argv[2] ?? 'ws://127.0.0.1:7400';
const beta = createSystem({ node: 'beta', secret: process.env.TROUPE_SECRET ?? 'troupe-example-secret' });

const text = 'Actors on different processes talk as if local. Refs travel inside messages. Links heal by themselves.';

try {
  const peer = await beta.connect(url);
  console.log(`beta connected to ${peer} at ${url}`);

  // Remote spawn of allowlisted logic. With `parent`, the summarizer stops when this lead stops.
  const lead = beta.spawn(createMachine({}), { name: 'lead' });
  const sum = await beta.spawnOn('alpha', 'summarizer', { name: 'sum-1', parent: lead });
  console.log(`spawned ${sum.address}`);

  // Request-response across processes: the machine replies with sendTo(event.replyTo, …).
  const summary = await sum.ask({ type: 'summarize', text }, { timeoutMs: 2000 });
  console.log('summary:', JSON.stringify(summary));

  // Streaming with backpressure: alpha produces a word only when beta has credit for it.
  const streamer = await beta.spawnOn('alpha', 'words', { name: 'words' });
  const streamed: string[] = [];
  for await (const word of streamer.stream<string>({ type: 'words', text }, { credit: 4 })) streamed.push(word);
  console.log(`streamed ${streamed.length} words: ${streamed.slice(0, 5).join(' ')} …`);

  // Fire-and-gather over two remote summarizers.
  const sum2 = await beta.spawnOn('alpha', 'summarizer', { name: 'sum-2' });
  const results = await gather([sum, sum2], { type: 'summarize', text: 'Two answers. One question.' }, { timeoutMs: 2000 });
  console.log(`gathered: ${results.map((r) => r.status).join(', ')}`);

  // Only allowlisted logic can be started remotely.
  await beta.spawnOn('alpha', 'rm-rf').catch((err: unknown) => {
    console.log(`refused: ${TroupeError.is(err) ? err.code : String(err)}`);
  });

  await beta.stop(lead); // alpha reaps sum-1, its orphan
  await beta.stop(sum2);
  await beta.stop(streamer);
  console.log('done');
} catch (err) {
  // One line for a person: e.g. alpha is not running at that URL.
  console.error(`beta: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await beta.shutdown();
}
