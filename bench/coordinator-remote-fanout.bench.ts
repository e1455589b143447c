/**
 * 1,000 parallel tool calls in one turn, each to a worker on one of two other node processes.
 *
 * Two peer processes (forked from this script) each host a `sleeper` worker (`defineWorker`,
 * concurrency 1,000) that waits its task's delay (50–250 ms, spread over the calls) and reports
 * how long it ran. The coordinator, in this process, has one tool backed by both remote refs
 * (replicas, called in turn); a scripted model answers its first request with 1,000 tool calls and
 * its second with text, at once. Measured: the run's wall time (task asked → result), against the
 * slowest worker's own run time. Target: every call completes, and wall ≤ slowest + 100 ms (the
 * median over the rounds of wall − slowest; its range beside). The baseline column is the slowest
 * worker's time (the floor no coordinator can beat).
 */
import process from 'node:process';
import { type CoordinatorResult, createSystem, defineCoordinator, defineWorker, openaiClient } from '../src/index.js';
import { scriptedModel } from '../src/testing/index.js';
import { forkPeer, servePeer } from './peer.js';
import { median, report, round, spread } from './report.js';

const CALLS = 1000;
const ROUNDS = 5;
const SECRET = 'bench-secret';
const MARGIN_MS = 100;

const sleeper = defineWorker({
  name: 'sleeper',
  description: 'Waits the given number of milliseconds, then reports how long it ran.',
  concurrency: CALLS,
  async run({ input }) {
    const start = performance.now();
    const ms = Number(input.task);
    await new Promise((r) => setTimeout(r, ms));
    return { took: performance.now() - start };
  },
});

async function peer(): Promise<void> {
  const system = createSystem({ node: `peer-${process.pid}`, listen: { port: 0 }, secret: SECRET, logic: { sleeper } });
  await servePeer(system);
}

const delayOf = (i: number) => 50 + ((i * 37) % 201);

async function main(): Promise<void> {
  const peers = await Promise.all([forkPeer(import.meta.url, 'peer'), forkPeer(import.meta.url, 'peer')]);
  const model = await scriptedModel(
    (request) =>
      request.body.messages.at(-1)?.role === 'tool'
        ? 'all done'
        : { toolCalls: Array.from({ length: CALLS }, (_, i) => ({ name: 'sleeper', arguments: { task: String(delayOf(i)) } })) },
    { record: false },
  );
  const system = createSystem({ node: 'lead', secret: SECRET });
  try {
    const nodes = await Promise.all(peers.map((p) => system.connect(`ws://127.0.0.1:${p.ports.troupePort}`)));
    const refs = await Promise.all(nodes.map((node, i) => system.spawnOn(node, 'sleeper', { name: `sleeper-${i}` })));
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Fans out.',
      llm: openaiClient({ model: 'bench', baseURL: model.url, apiKey: 'bench', maxRetries: 0 }),
      instructions: 'Fan out.',
      workers: [refs],
      limits: { maxConcurrency: CALLS, maxWorkerCalls: CALLS * 2, workerTimeoutMs: 30_000, maxRetries: 0 },
    });
    const ref = system.spawn(lead, { name: 'lead' });
    const walls: number[] = [];
    const slowest: number[] = [];
    const overheads: number[] = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      const t0 = performance.now();
      const run = await ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'go' } }, { timeoutMs: 60_000 });
      const wall = performance.now() - t0;
      const results = run.decisions[0]?.results ?? [];
      const ok = results.filter((x) => x.ok).length;
      if (ok !== CALLS) throw new Error(`only ${ok} of ${CALLS} calls completed`);
      const took = Math.max(...results.map((x) => (JSON.parse(x.summary) as { took: number }).took));
      if (r === 0) continue; // warm-up
      walls.push(wall);
      slowest.push(took);
      overheads.push(wall - took);
    }
    const o = spread(overheads);
    report({
      bench: 'coordinator-remote-fanout',
      unit: 'ms',
      troupe: round(median(walls)),
      baseline: round(median(slowest)),
      baselineName: 'slowest worker (its own run time)',
      ratio: round(median(walls) / median(slowest), 3),
      target: `wall <= slowest + ${MARGIN_MS} ms (median of rounds), all ${CALLS} calls complete in every round`,
      met: o.median <= MARGIN_MS,
      rounds: ROUNDS,
      calls: CALLS,
      nodes: 2,
      overheadMs: round(o.median),
      overheadMin: round(o.min),
      overheadMax: round(o.max),
      stat: 'median of rounds (min-max beside); overhead = wall - slowest worker, per round',
    });
  } finally {
    await system.shutdown();
    await model.close();
    for (const p of peers) p.child.kill();
  }
}

if (process.argv[2] === 'peer') await peer();
else await main();
