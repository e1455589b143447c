import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type StartedInspect, startInspect } from '../../src/cli/commands/inspect.js';
import { createProgram } from '../../src/cli/main.js';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { allowInspection } from '../../src/inspect/collect.js';
import { recordTrace } from '../../src/inspect/recorder.js';
import { counterMachine } from '../support/machines.js';

let node: ActorSystem | undefined;
let started: StartedInspect | undefined;
let dir: string | undefined;
afterEach(async () => {
  await started?.close();
  await node?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  started = node = dir = undefined;
});

async function tree(url: string): Promise<string[]> {
  const res = await fetch(new URL('/api/tree?limit=100', url));
  const body = (await res.json()) as { rows: { address: string }[] };
  return body.rows.map((r) => r.address);
}

describe('troupe inspect', () => {
  it('joins a running cluster as an observer node and shows its actors', async () => {
    node = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'cli-secret' });
    await node.ready;
    allowInspection(node, { batchMs: 10 });
    node.spawn(counterMachine, { name: 'counter' });
    started = await startInspect({ connect: [`ws://127.0.0.1:${node.listenAddress?.port}`], secret: 'cli-secret', name: 'watcher' });
    expect(started.nodes).toEqual(['alpha']);
    await expect.poll(() => tree(started?.url as string), { timeout: 5000 }).toContain('troupe://alpha/counter');
  });

  it('replays a trace file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-cli-'));
    node = createSystem({ node: 'alpha' });
    node.spawn(counterMachine, { name: 'counter' });
    const file = join(dir, 'run.jsonl');
    await recordTrace(node, file).close();
    started = await startInspect({ trace: file });
    expect(await tree(started.url)).toContain('troupe://alpha/counter');
  });

  it('needs either --connect with --secret or --trace', async () => {
    await expect(startInspect({})).rejects.toThrow('give either --connect URL (with --secret) or --trace FILE');
    await expect(startInspect({ connect: ['ws://127.0.0.1:1'] })).rejects.toThrow(/needs --secret/);
    await expect(startInspect({ trace: '/nonexistent/trace.jsonl' })).rejects.toThrow('no such trace file');
  });

  it('never prints the cluster secret or the page token from the environment in --help', () => {
    const saved = { secret: process.env.TROUPE_SECRET, token: process.env.TROUPE_INSPECT_TOKEN };
    process.env.TROUPE_SECRET = 'cluster-secret-from-env';
    process.env.TROUPE_INSPECT_TOKEN = 'page-token-from-env';
    try {
      const inspect = createProgram().commands.find((c) => c.name() === 'inspect');
      const help = inspect?.helpInformation() ?? '';
      expect(help).toContain('--token');
      expect(help).not.toContain('cluster-secret-from-env');
      expect(help).not.toContain('page-token-from-env');
    } finally {
      for (const [key, value] of [
        ['TROUPE_SECRET', saved.secret],
        ['TROUPE_INSPECT_TOKEN', saved.token],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
