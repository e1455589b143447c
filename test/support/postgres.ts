/**
 * A throwaway PostgreSQL server for tests and benchmarks: initdb in a temporary directory, start
 * `postgres` on a free 127.0.0.1 port, stop it by PID. Uses Debian's `postgresql` package
 * (/usr/lib/postgresql/<version>/bin). initdb refuses to run as root, so under root the server runs
 * as the `postgres` user the package creates.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest `bin` directory holding both `initdb` and `postgres`, or `undefined`. */
export function findPostgresBin(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(PG_ROOT, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin;
  }
  return undefined;
}

/** Why the server cannot start here, for a clear test failure. */
export const MISSING_POSTGRES = `PostgreSQL server binaries not found under ${PG_ROOT}/*/bin: install Debian's 'postgresql' package (apt-get install -y postgresql; .ci/run does)`;

interface RunAs {
  uid: number;
  gid: number;
}

function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (line === undefined)
    throw new Error("running as root, but there is no 'postgres' user to run the server as (the postgresql package creates it)");
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A running throwaway server. */
export interface PostgresServer {
  readonly port: number;
  readonly pid: number;
  /** Connection string of database `name` (created by {@link PostgresServer.createDatabase}). */
  url(name: string): string;
  /** Creates database `name` and resolves to its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Runs one SQL text on database `name` (default `postgres`). */
  sql(text: string, name?: string): Promise<void>;
  /** Fast shutdown by PID (SIGINT), SIGKILL if it lingers, then removes the directory. */
  stop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function exited(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a server in a fresh temporary directory (fsync off: it holds only test data). Throws
 * {@link MISSING_POSTGRES} when the binaries are absent.
 */
export async function startPostgres(options: { startTimeoutMs?: number } = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error(MISSING_POSTGRES);
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'troupe-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  mkdirSync(sockets);
  if (user !== undefined) {
    chownSync(dir, user.uid, user.gid);
    chownSync(sockets, user.uid, user.gid);
  }
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'troupe', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...user,
  });
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    sockets,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'max_connections=100',
  ];
  const proc = spawn(join(bin, 'postgres'), args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], ...user });
  let log = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  const url = (name: string) => `postgres://troupe@127.0.0.1:${port}/${name}`;

  const stop = async () => {
    process.off('exit', kill);
    if (!(await exited(proc, 0))) {
      process.kill(proc.pid!, 'SIGINT');
      if (!(await exited(proc, 10_000))) {
        process.kill(proc.pid!, 'SIGKILL');
        await exited(proc, 5000);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await stop();
      throw new Error(`postgres exited before accepting connections:\n${log}`);
    }
    try {
      await withClient(url('postgres'), (c) => c.query('SELECT 1'));
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not accept connections within the start timeout: ${String(err)}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    port,
    pid: proc.pid!,
    url,
    async createDatabase(name) {
      await withClient(url('postgres'), (c) => c.query(`CREATE DATABASE "${name}"`));
      return url(name);
    },
    async sql(text, name = 'postgres') {
      await withClient(url(name), (c) => c.query(text));
    },
    stop,
  };
}
