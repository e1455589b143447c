import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, type CoordinatorResult, createSystem, defineCoordinator, defineWorker, openaiClient } from '../../src/index.js';
import { type ScriptedModel, scriptedModel } from '../../src/testing/index.js';

const fixture = fileURLToPath(new URL('./fixtures/agents-worker-node.ts', import.meta.url));
const opened: { procs: ChildProcess[]; systems: ActorSystem[]; models: ScriptedModel[] } = { procs: [], systems: [], models: [] };

afterEach(async () => {
  for (const p of opened.procs.splice(0)) p.kill('SIGKILL');
  await Promise.all(opened.systems.splice(0).map((s) => s.shutdown()));
  await Promise.all(opened.models.splice(0).map((m) => m.close()));
});

/** Forks a worker node; resolves with its process, its port and a promise of its first started task. */
function workerNode(node: string): Promise<{ proc: ChildProcess; port: number; started: Promise<string> }> {
  const proc = fork(fixture, [node], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  opened.procs.push(proc);
  const started = new Promise<string>((resolve) =>
    proc.on('message', (m: { ev: string; task?: string }) => m.ev === 'started' && resolve(m.task ?? '')),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${node} did not start`)), 20_000);
    proc.on('message', (m: { ev: string; port?: number }) => {
      if (m.ev !== 'listening') return;
      clearTimeout(timer);
      resolve({ proc, port: m.port ?? 0, started });
    });
    proc.once('exit', (code) => reject(new Error(`${node} exited with ${code}`)));
  });
}

describe('agents across processes', () => {
  it('a worker node killed with SIGKILL mid-call: NODE_DOWN, retried on the replica that is up', async () => {
    const victim = await workerNode('victim');
    const lead = createSystem({ node: 'lead', secret: 'integration', heartbeat: { intervalMs: 200, maxMissed: 2 } });
    opened.systems.push(lead);
    await lead.connect(`ws://127.0.0.1:${victim.port}`);
    const remote = await lead.spawnOn('victim', 'slow', { name: 'build-remote' });
    const local = lead.spawn(
      defineWorker({ name: 'build', description: 'Builds here.', run: async ({ input }) => ({ answer: `built ${input.task} locally` }) }),
      {
        name: 'build-local',
      },
    );
    const model = await scriptedModel([{ toolCalls: [{ name: 'build', arguments: { task: 'app' } }] }, 'built']);
    opened.models.push(model);
    const retries: string[] = [];
    lead.inspect((e) => {
      if (e.type === '@troupe.pattern' && e.step === 'task-retry') retries.push(e.detail ?? '');
    });
    const coordinator = defineCoordinator({
      name: 'coordinator',
      description: 'Builds.',
      llm: openaiClient({ model: 'm', baseURL: model.url, apiKey: 'k', maxRetries: 0 }),
      instructions: 'Build.',
      workers: [[remote, local]],
      limits: { maxRetries: 1, workerTimeoutMs: 20_000 },
    });
    const run = lead.spawn(coordinator).ask<CoordinatorResult>({ type: 'task', input: { task: 'ship' } }, { timeoutMs: 30_000 });
    expect(await victim.started).toBe('app');
    victim.proc.kill('SIGKILL');
    const result = await run;
    expect(retries).toEqual([expect.stringMatching(/build: TROUPE_ERR_NODE_DOWN/)]);
    expect(result.decisions[0]!.results[0]).toMatchObject({ ok: true, summary: JSON.stringify({ answer: 'built app locally' }) });
    expect(result.output.answer).toBe('built');
  });

  /** Serves a worker here, has a forked asker node ask it (mode), kills the asker, resolves with the task's abort reason. */
  async function killTheAsker(mode: 'ask' | 'caller'): Promise<unknown> {
    const here = createSystem({ node: 'worker', listen: { port: 0 }, secret: 'integration', heartbeat: { intervalMs: 200, maxMissed: 2 } });
    opened.systems.push(here);
    await here.ready;
    let resolveStarted!: () => void;
    let resolveAborted!: (reason: unknown) => void;
    const started = new Promise<void>((r) => (resolveStarted = r));
    const aborted = new Promise<unknown>((r) => (resolveAborted = r));
    const worker = here.spawn(
      defineWorker({
        name: 'long',
        description: 'Runs until cancelled.',
        run: ({ signal }) =>
          new Promise((_resolve, reject) => {
            resolveStarted();
            signal.addEventListener('abort', () => {
              resolveAborted(signal.reason);
              reject(signal.reason);
            });
          }),
      }),
      { name: 'long' },
    );
    const asker = fork(
      fileURLToPath(new URL('./fixtures/agents-asker-node.ts', import.meta.url)),
      [`ws://127.0.0.1:${here.listenAddress?.port}`, worker.address, mode],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    opened.procs.push(asker);
    await started;
    asker.kill('SIGKILL');
    return aborted;
  }

  // The serving node's reply address of a raw remote ask settles at the ask's timeout, not when the
  // asking node goes down, so the task is cancelled then: nothing is left running past it.
  it("a task whose asker's node dies is cancelled when its ask expires", async () => {
    expect(await killTheAsker('ask')).toMatchObject({ code: 'TROUPE_ERR_CANCELLED', message: expect.stringMatching(/lost its asker/) });
  });

  // A coordinator names itself as its tasks' caller: the worker watches it, and its node's loss
  // cancels the task as soon as the link is down, long before the 30 s ask would expire.
  it("a task whose caller's node dies is cancelled when the link goes down", async () => {
    const reason = await Promise.race([
      killTheAsker('caller'),
      new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000)),
    ]);
    expect(reason).toMatchObject({ code: 'TROUPE_ERR_CANCELLED', message: expect.stringMatching(/lost its caller/) });
  });
});
