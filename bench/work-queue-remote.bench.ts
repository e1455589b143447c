/**
 * workQueue over two worker node processes: 100k tiny tasks (BENCH_WQ_TASKS) pulled by 2 × 64 slots
 * (one worker actor per node, 64 tasks in flight to each), against the baseline: the same number of
 * raw remote asks to the same two actors at the same concurrency (128 ask loops pulling from a
 * shared counter). Paired rounds alternate which side goes first. ratio = troupe tasks/s ÷ raw
 * asks/s; target ≥ 0.5.
 *
 * The script forks itself twice as the worker nodes (`--peer`), each hosting `echo`, which answers
 * `{ type: 'task', input }` with `{ type: 'result', output: input }` at once.
 */
import { fromCallback } from 'xstate';
import { type ActorRef, createSystem, type ReplyTo, workQueue } from '../src/index.js';
import { forkPeer, servePeer } from './peer.js';
import { pairedRounds, reportPaired } from './report.js';

const TASKS = Number(process.env.BENCH_WQ_TASKS ?? 100_000);
const SLOTS_PER_NODE = 64;
const ROUNDS = 3;
const SECRET = 'bench-secret';

const echo = fromCallback<{ type: string; input?: unknown; taskId?: string; replyTo?: ReplyTo }>(({ receive }) => {
  receive((e) => {
    if (e.type === 'task') e.replyTo?.send({ type: 'result', output: e.input, taskId: e.taskId });
  });
});

async function peer(): Promise<void> {
  const system = createSystem({ node: `peer-${process.pid}`, listen: { port: 0 }, secret: SECRET, logic: { echo } });
  await servePeer(system);
}

async function main(): Promise<void> {
  const peers = await Promise.all([forkPeer(import.meta.url, '--peer'), forkPeer(import.meta.url, '--peer')]);
  const system = createSystem({ node: 'bench', secret: SECRET });
  const refs: ActorRef[] = [];
  for (const p of peers) {
    const node = await system.connect(`ws://127.0.0.1:${p.ports.troupePort}`);
    refs.push(await system.spawnOn(node, 'echo'));
  }
  let round = 0;

  const troupe = async () => {
    const prefix = `r${round++}-`;
    const tasks = Array.from({ length: TASKS }, (_, i) => ({ id: prefix + i, input: i }));
    const t0 = performance.now();
    const q = workQueue(system, { workers: refs.map((worker) => ({ worker, count: SLOTS_PER_NODE })), tasks, taskTimeoutMs: 30_000 });
    const results = await q.done;
    const seconds = (performance.now() - t0) / 1000;
    if (results.size !== TASKS) throw new Error(`work queue finished ${results.size} of ${TASKS}`);
    return TASKS / seconds;
  };

  const raw = async () => {
    let next = 0;
    let answered = 0;
    const t0 = performance.now();
    const loop = async (ref: ActorRef) => {
      while (next < TASKS) {
        const i = next++;
        await ref.ask({ type: 'task', input: i, taskId: String(i) }, { timeoutMs: 30_000 });
        answered++;
      }
    };
    const loops: Promise<void>[] = [];
    for (const ref of refs) for (let s = 0; s < SLOTS_PER_NODE; s++) loops.push(loop(ref));
    await Promise.all(loops);
    if (answered !== TASKS) throw new Error(`raw asks answered ${answered} of ${TASKS}`);
    return TASKS / ((performance.now() - t0) / 1000);
  };

  const result = await pairedRounds({ rounds: ROUNDS, warmup: 1, troupe, baseline: raw });
  await system.shutdown();
  for (const p of peers) p.child.send('exit');
  reportPaired(
    { bench: 'work-queue-remote', unit: 'tasks/s', baselineName: 'raw remote asks, same refs, same concurrency', target: 0.5 },
    result,
    { tasks: TASKS, nodes: 2, slotsPerNode: SLOTS_PER_NODE },
  );
}

if (process.argv.includes('--peer')) await peer();
else await main();
