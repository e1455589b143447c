/**
 * MAKER with the micro-agents on two other node processes: the Towers of Hanoi with
 * BENCH_MAKER_REMOTE_DISKS disks (default 16: 65,535 steps; every step waits for its vote, so each
 * step costs loopback round trips), p = 0.01, q = 0.005, k from kFor (target 0.95), 8 micro-agents
 * (4 per node, spawnOn). troupe = steps/s of the voted solve; baseline = the same number of raw
 * asks to the same remote micro-agents in a loop (each step's samples at once, steps one after
 * another), replaying the solve's sample counts. Paired rounds alternate which side goes first.
 * ratio = troupe speed ÷ raw speed; target ≥ 0.667 (orchestration ≤ 1.5× the raw asks).
 *
 * The script forks itself twice as the worker nodes (`--peer`), hosting examples/maker-hanoi.ts's
 * `microAgent`.
 */
import { microAgent, type Pegs, solveHanoi } from '../examples/maker-hanoi.js';
import { type ActorRef, createSystem, kFor } from '../src/index.js';
import { forkPeer, servePeer } from './peer.js';
import { pairedRounds, report } from './report.js';

const DISKS = Number(process.env.BENCH_MAKER_REMOTE_DISKS ?? 18);
const P = 0.01;
const Q = 0.005;
const PER_NODE = 4;
const ROUNDS = Number(process.env.BENCH_MAKER_REMOTE_ROUNDS ?? 3);
const SECRET = 'bench-secret';

async function peer(): Promise<void> {
  const system = createSystem({
    node: `maker-peer-${process.pid}`,
    listen: { port: 0 },
    secret: SECRET,
    logic: { 'micro-agent': microAgent },
  });
  await servePeer(system);
}

async function main(): Promise<void> {
  const peers = await Promise.all([forkPeer(import.meta.url, '--peer'), forkPeer(import.meta.url, '--peer')]);
  const system = createSystem({ node: 'maker-bench', secret: SECRET });
  const agents: ActorRef[] = [];
  for (const p of peers) {
    const node = await system.connect(`ws://127.0.0.1:${p.ports.troupePort}`);
    for (let i = 0; i < PER_NODE; i++)
      agents.push(await system.spawnOn(node, 'micro-agent', { input: { p: P, q: Q, seed: agents.length + 1 } }));
  }
  const steps = 2 ** DISKS - 1;
  const k = kFor({ steps, errorRate: P / (1 - Q), target: 0.95 });
  let counts = new Uint8Array(steps);
  let last = { errors: -1, samples: 0, redFlagged: 0, solved: false };
  let worstErrors = 0;

  const voted = async () => {
    const c = new Uint8Array(steps);
    let i = 0;
    const t0 = performance.now();
    const r = await solveHanoi({ agents, disks: DISKS, k, onStep: (n) => (c[i++] = n) });
    const seconds = (performance.now() - t0) / 1000;
    counts = c;
    last = r;
    worstErrors = Math.max(worstErrors, r.errors);
    return steps / seconds;
  };
  const raw = async () => {
    const pegs: Pegs = [Array.from({ length: DISKS }, (_, i) => DISKS - i), [], []];
    let next = 0;
    const t0 = performance.now();
    for (let step = 0; step < steps; step++) {
      const input = { pegs, step: step % 2, disks: DISKS };
      const asks: Promise<unknown>[] = [];
      for (let j = 0; j < counts[step]; j++) asks.push(agents[next++ % agents.length].ask({ type: 'task', input }, { timeoutMs: 30_000 }));
      await Promise.all(asks);
    }
    return steps / ((performance.now() - t0) / 1000);
  };

  const paired = await pairedRounds({ rounds: ROUNDS, warmup: ROUNDS > 1 ? 1 : 0, troupe: voted, baseline: raw });
  await system.shutdown();
  for (const p of peers) p.child.send('exit');
  report({
    bench: 'maker-remote',
    unit: 'steps/s',
    troupe: Math.round(paired.troupe),
    baseline: Math.round(paired.baseline),
    baselineName: 'the same asks to the same remote micro-agents in a loop, no voting',
    ratio: Number(paired.ratio.toFixed(3)),
    target: 'orchestration ≤ 1.5× raw asks: ratio (troupe speed ÷ raw speed) ≥ 0.667',
    met: paired.ratio >= 1 / 1.5 && worstErrors === 0,
    ratioMin: Number(paired.ratioMin.toFixed(3)),
    ratioMax: Number(paired.ratioMax.toFixed(3)),
    rounds: ROUNDS,
    disks: DISKS,
    steps,
    k,
    nodes: 2,
    agents: agents.length,
    errors: worstErrors,
    solved: last.solved,
    samplesPerStep: Number((last.samples / steps).toFixed(3)),
    redFlagged: last.redFlagged,
    stat: 'median of paired rounds',
  });
}

if (process.argv.includes('--peer')) await peer();
else await main();
