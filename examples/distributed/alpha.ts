/**
 * Terminal 1: a node that hosts the `summarizer` and `words` logic for other nodes.
 *
 *   npx tsx examples/distributed/alpha.ts
 *
 * Env: PORT (default 7400; 0 picks a free port), HOST (default 127.0.0.1; anything else needs
 * TROUPE_SECRET), TROUPE_SECRET (shared with the other nodes; default: a development secret).
 */
import { createSystem } from '../../src/index.js';
import { summarizer, words } from './logic.js';

const alpha = createSystem({
  node: 'alpha',
  listen: { port: Number(process.env.PORT ?? 7400), host: process.env.HOST ?? '127.0.0.1' },
  secret: process.env.TROUPE_SECRET ?? 'troupe-example-secret',
  logic: { summarizer, words },
});

alpha.inspect((event) => {
  if (event.type === '@troupe.node' && event.peer !== undefined) {
    // a peer that shut down on purpose says so ('closed'); a lost link is 'down'
    console.log(`[alpha] node ${event.peer}: ${event.status === 'closed' ? 'shut down' : event.status}`);
  }
  if (event.type === '@troupe.actor')
    console.log(`[alpha] ${event.address} ${event.status}${event.reason ? ` (${String(event.reason)})` : ''}`);
});

await alpha.ready;
const { host, port } = alpha.listenAddress!;
console.log(`alpha listening on ws://${host}:${port}`);

const stop = async () => {
  await alpha.shutdown();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
