import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { runDemo } from '../../src/cli/commands/demo.js';
import { type StartedNode, startNode } from '../../src/cli/commands/node.js';
import { type ScriptedModel, scriptedModel } from '../../src/testing/index.js';

const FIXTURE = 'test/fixtures/demo-tree';
const LAST_LINE = /^demo: (\d+) tasks, (\d+) done, (\d+) lost, (\d+) re-queued$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a person would, with a hard bound so a hang fails the test instead of stalling it. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, OPENAI_BASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`troupe ${args.join(' ')} did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function pidsIn(stdout: string): number[] {
  return [...stdout.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let model: ScriptedModel | undefined;
let temp: string | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});

// each run forks two node processes on a shared 2-core machine: bound them by the CLI's own timeout, not vitest's default
describe('troupe demo', { timeout: 120_000 }, () => {
  it("audits troupe's own tree over two worker node processes, survives a SIGKILL and leaves no process behind", async () => {
    const run = await cli(['demo']);
    expect(run.stderr).toBe('');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const last = LAST_LINE.exec(lines.at(-1)!);
    expect(last).not.toBeNull();
    const [, tasks, done, lost, requeued] = last!.map(Number);
    expect(tasks).toBeGreaterThan(100);
    expect(done).toBe(tasks);
    expect(lost).toBe(0);
    expect(requeued).toBeGreaterThanOrEqual(1);
    expect(run.stdout).toMatch(/SIGKILL worker-2 \(pid \d+\)/);
    expect(run.stdout).toMatch(/worker-2 +\d+ tasks \(killed midway\)/);
    expect(run.stdout).toContain('Longest functions');
    const pids = pidsIn(run.stdout);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('lets the model plan the checks and write the summary when OPENAI_BASE_URL is set', async () => {
    model = await scriptedModel([
      { text: 'Plan: ```json\n{"checks": ["size", "markers", "no-such-check"]}\n```' },
      'MODEL SUMMARY: a small tree with one FIXME.',
    ]);
    const run = await cli(['demo', '--dir', FIXTURE, '--pace', '5'], {
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: 'test',
      TROUPE_MODEL: 'planner',
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('planner: llm (planner)');
    expect(run.stdout).toMatch(/checks +size, markers\n/);
    expect(run.stdout).toContain('MODEL SUMMARY: a small tree with one FIXME.');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^demo: 23 tasks, 23 done, 0 lost, \d+ re-queued$/);
    expect(model.requests).toHaveLength(2);
    expect(model.requests[0]!.body.tools).toBeUndefined();
  });

  it('falls back to every check when the model is down, and says so', async () => {
    const run = await cli(['demo', '--dir', FIXTURE, '--pace', '0'], { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'x' });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/note: the model could not plan/);
    expect(run.stdout).toMatch(/checks +size, markers, longest-function, imports, licence, long-lines/);
  });

  it('with --inspect, prints the inspector URL and serves it until stopped', async () => {
    const out: string[] = [];
    let page = '';
    const outcome = await runDemo({
      dir: FIXTURE,
      paceMs: 0,
      inspect: true,
      print: (l) => out.push(l),
      untilStopped: async () => {
        const url = /inspector +(http:\/\/127\.0\.0\.1:\d+\S*)/.exec(out.join('\n'))?.[1];
        expect(url).toBeDefined();
        page = await (await fetch(url!, { signal: AbortSignal.timeout(10_000) })).text();
      },
    });
    expect(outcome).toMatchObject({ tasks: 23, done: 23, lost: 0 });
    expect(page).toContain('<html');
    expect(out).toContain('inspector still serving; Ctrl-C to stop');
  });

  it('uses nodes started by hand with --nodes (and kills none of them)', async () => {
    const secret = 'demo-by-hand-secret';
    const hand: StartedNode[] = [];
    try {
      hand.push(await startNode({ logic: 'demo', port: 0, secret, name: 'east' }));
      hand.push(await startNode({ logic: 'demo', port: 0, secret, name: 'west' }));
      const out: string[] = [];
      const outcome = await runDemo({ dir: FIXTURE, paceMs: 2, nodes: hand.map((n) => n.url!), secret, print: (l) => out.push(l) });
      expect(outcome).toMatchObject({ tasks: 23, done: 23, lost: 0, requeued: 0 });
      expect(outcome.perNode.east! + outcome.perNode.west!).toBe(23);
      expect(out.join('\n')).toContain('worker nodes east, west (started by hand: none will be killed)');
      expect(out.at(-1)).toBe('demo: 23 tasks, 23 done, 0 lost, 0 re-queued');
    } finally {
      await Promise.all(hand.map((n) => n.system.shutdown()));
    }
  });

  describe('bad input: one line and a non-zero exit', () => {
    it('a --dir that does not exist', async () => {
      const run = await cli(['demo', '--dir', '/no/such/dir']);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('troupe: --dir /no/such/dir does not exist\n');
    });

    it('an unreadable file', async () => {
      temp = await mkdtemp(join(tmpdir(), 'troupe-demo-test-'));
      await writeFile(join(temp, 'ok.ts'), 'export const ok = 1;\n');
      await symlink(join(temp, 'gone.ts'), join(temp, 'dangling.ts'));
      const run = await cli(['demo', '--dir', temp]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('troupe: cannot read dangling.ts: ENOENT\n');
    });

    it('a bad --pace', async () => {
      const run = await cli(['demo', '--pace', 'soon']);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('a worker node that fails to start', async () => {
      await expect(runDemo({ dir: FIXTURE, workerModule: 'test/fixtures/missing-workers.ts', print: () => {} })).rejects.toThrow(CliError);
      await expect(runDemo({ dir: FIXTURE, workerModule: 'test/fixtures/missing-workers.ts', print: () => {} })).rejects.toThrow(
        /worker node worker-\d failed to start: cannot load --logic/,
      );
    });
  });
});
