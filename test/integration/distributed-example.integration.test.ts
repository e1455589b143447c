import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let alpha: ChildProcess | undefined;

afterEach(async () => {
  if (alpha !== undefined && alpha.exitCode === null && alpha.signalCode === null) {
    const exited = new Promise((resolve) => alpha?.once('exit', resolve));
    alpha.kill('SIGTERM');
    const timer = setTimeout(() => alpha?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  alpha = undefined;
});

function run(file: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `examples/distributed/${file}`, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first stdout match of `pattern`, or rejects after `ms`. */
function waitFor(proc: ChildProcess, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; output so far:\n${out}`)), ms);
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

describe('examples/distributed', () => {
  it('runs beta against alpha in two processes, as the README shows', async () => {
    alpha = run('alpha.ts', [], { PORT: '0' });
    const [, url] = await waitFor(alpha, /alpha listening on (ws:\/\/\S+)/, 20_000);
    const alphaLog = waitFor(alpha, /troupe:\/\/alpha\/sum-1 stopped/, 30_000);
    const alphaOut: string[] = [];
    alpha.stdout?.on('data', (chunk: Buffer) => alphaOut.push(chunk.toString()));
    const shutDownLog = waitFor(alpha, /\[alpha\] node beta: shut down/, 40_000);

    const beta = run('beta.ts', [url], {});
    let out = '';
    beta.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        beta.kill('SIGKILL');
        reject(new Error(`beta did not finish; output:\n${out}`));
      }, 30_000);
      beta.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });

    expect(code).toBe(0);
    expect(out).toContain('beta connected to alpha');
    expect(out).toContain(
      'summary: {"type":"summary","firstSentence":"Actors on different processes talk as if local.","words":16,"seen":1}',
    );
    expect(out).toContain('streamed 16 words');
    expect(out).toContain('gathered: ok, ok');
    expect(out).toContain('refused: TROUPE_ERR_NOT_ALLOWED');
    expect(out).toContain('done');
    // Stopping beta's lead reaped the summarizer it parented on alpha.
    await alphaLog;
    // beta shut down on purpose: alpha says so, and does not wait for it as for a lost link
    await shutDownLog;
    expect(alphaOut.join('')).not.toMatch(/node beta: (down|reconnecting)/);
  });

  it('prints one line, not a stack trace, when alpha is not running', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const beta = run('beta.ts', [`ws://127.0.0.1:${port}`], {});
    let out = '';
    let err = '';
    beta.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    beta.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        beta.kill('SIGKILL');
        reject(new Error(`beta did not finish; stderr:\n${err}`));
      }, 30_000);
      beta.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    expect(out).toBe('');
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^beta: cannot reach ws://127.0.0.1:${port}: .*ECONNREFUSED.*is the node running`));
  });
});
