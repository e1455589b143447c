import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem, fanOut, workQueue } from '../../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/patterns-worker-node.ts', import.meta.url));
const children: ChildProcess[] = [];
let alpha: ActorSystem | undefined;

afterEach(async () => {
  await alpha?.shutdown();
  alpha = undefined;
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }
});

/** Forks a worker node and resolves with its process and port once it listens. */
async function workerNode(node: string): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(fixture, [node], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, TROUPE_SECRET: 'integration' },
  });
  children.push(proc);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${node} did not start`)), 20_000);
    proc.once('message', (m: { ev: string; port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    proc.once('exit', (code) => reject(new Error(`${node} exited with ${code}`)));
  });
  return { proc, port };
}

function coordinator(): ActorSystem {
  alpha = createSystem({
    node: 'coordinator',
    secret: 'integration',
    heartbeat: { intervalMs: 200, maxMissed: 3 },
    reconnect: { minMs: 50, maxMs: 100, maxAttempts: 2, bufferMs: 500 },
  });
  return alpha;
}

describe('patterns across processes', () => {
  it('a work queue whose worker node is killed (SIGKILL) still completes every task', async () => {
    const [w1, w2] = await Promise.all([workerNode('w1'), workerNode('w2')]);
    const sys = coordinator();
    await sys.connect(`ws://127.0.0.1:${w1.port}`);
    await sys.connect(`ws://127.0.0.1:${w2.port}`);
    const tasks = Array.from({ length: 400 }, (_, i) => ({ id: `task-${i}`, input: { i, ms: 5 } }));
    const q = workQueue<{ i: number }, { input: { i: number }; node: string }>(sys, {
      workers: [
        { worker: { node: 'w1', logic: 'worker' }, count: 4 },
        { worker: { node: 'w2', logic: 'worker' }, count: 4 },
      ],
      tasks,
      taskTimeoutMs: 3000,
      backoff: { minMs: 5, maxMs: 50 },
    });
    // Kill w1 once it has done some work, with tasks in flight on it.
    const until = Date.now() + 20_000;
    while (q.stats().done < 60 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    w1.proc.kill('SIGKILL');
    const results = await q.done;
    expect(results.size).toBe(400);
    expect(q.failures().size).toBe(0);
    for (let i = 0; i < 400; i++) expect(results.get(`task-${i}`)?.input.i).toBe(i);
    const byNode = new Map<string, number>();
    for (const r of results.values()) byNode.set(r.node, (byNode.get(r.node) ?? 0) + 1);
    expect(byNode.get('w1')).toBeGreaterThan(0);
    expect(byNode.get('w2')).toBeGreaterThan(byNode.get('w1') ?? 0);
    expect(q.stats().retries).toBeGreaterThan(0);
  });

  it('a fan-out with workers on another process leaves none behind there, finished or aborted', async () => {
    const w = await workerNode('w3');
    const sys = coordinator();
    await sys.connect(`ws://127.0.0.1:${w.port}`);
    const meter = sys.ref('troupe://w3/meter');
    const count = async () => (await meter.ask<{ count: number }>({ type: 'actors' }, { timeoutMs: 2000 })).count;
    const baseline = await count();
    const items = Array.from({ length: 20 }, (_, i) => ({ i, ms: 5 }));
    const results = await fanOut(sys, { worker: { node: 'w3', logic: 'worker' }, items, concurrency: 5 });
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    await waitFor(async () => (await count()) === baseline);

    const controller = new AbortController();
    const slow = Array.from({ length: 6 }, (_, i) => ({ i, ms: 60_000 }));
    const run = fanOut(sys, {
      worker: { node: 'w3', logic: 'worker' },
      items: slow,
      concurrency: 3,
      signal: controller.signal,
      timeoutMs: 120_000,
    });
    await waitFor(async () => (await count()) === baseline + 3);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    await waitFor(async () => (await count()) === baseline);
  });
});

/** Polls `check` every 20 ms for up to 10 s. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
