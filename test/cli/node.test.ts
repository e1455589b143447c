import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { type StartedNode, startNode } from '../../src/cli/commands/node.js';
import { type ActorSystem, createSystem } from '../../src/index.js';

const fixture = 'test/fixtures/node-logic.ts';
const secret = 'node-command-test-secret';
const started: (StartedNode['system'] | ActorSystem)[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.shutdown()));
});

describe('troupe node', () => {
  describe('startNode', () => {
    it('hosts every logic export of the module, for spawnOn from another node', async () => {
      const node = await startNode({ logic: fixture, port: 0, secret, name: 'host-1' });
      started.push(node.system);
      expect(node.hosted).toEqual(['double', 'echo']);
      expect(node.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const client = createSystem({ node: 'client', secret });
      started.push(client);
      await client.connect(node.url!);
      const ref = await client.spawnOn('host-1', 'double', { name: 'd1', input: { n: 21 } });
      expect(ref.address).toBe('troupe://host-1/d1');
    });

    it('hosts only the exports named', async () => {
      const node = await startNode({ logic: fixture, exports: ['echo'], secret });
      started.push(node.system);
      expect(node.hosted).toEqual(['echo']);
      expect(node.url).toBeUndefined();
    });

    it('refuses a module that cannot be loaded, one without logic, and an unknown export', async () => {
      await expect(startNode({ logic: 'test/fixtures/missing.ts' })).rejects.toThrow(CliError);
      await expect(startNode({ logic: 'test/fixtures/missing.ts' })).rejects.toThrow(/cannot load --logic/);
      await expect(startNode({ logic: fixture, exports: ['notLogic'] })).rejects.toThrow(/no actor logic exported as 'notLogic'/);
    });

    it('refuses to listen beyond loopback without a secret', async () => {
      await expect(startNode({ logic: fixture, port: 0, host: '0.0.0.0' })).rejects.toThrow(/TROUPE_ERR_INSECURE/);
    });
  });

  it('never prints the cluster secret from the environment in --help', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'node', '--help'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, TROUPE_SECRET: 'do-not-print-me' },
    });
    expect(r.stdout).toContain('--secret');
    expect(r.stdout).not.toContain('do-not-print-me');
  });

  it('prints one line and exits 1 on bad input', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'node', '--logic', 'nowhere.ts'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^troupe: cannot load --logic nowhere\.ts/);
  });
});
