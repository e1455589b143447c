/**
 * The demo's worker node processes: forked `troupe node` commands that dial the coordinator, and
 * are killed by PID at the end whatever happened.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { ActorSystem } from '../../actors/system.js';
import { CliError } from '../cli-error.js';
import { CLI_MAIN } from './paths.js';

/** A forked worker node. */
export interface WorkerNode {
  id: string;
  pid: number;
  process: ChildProcess;
}

/** Options of {@link forkWorkerNodes}. */
export interface ForkOptions {
  ids: string[];
  /** The module whose logic the nodes host. */
  logic: string;
  /** The coordinator's URL the nodes dial. */
  connect: string;
  secret: string;
  /** How long a node may take to start and link, ms. */
  startTimeoutMs: number;
}

/**
 * Forks one `troupe node` process per id and waits until each has linked to `system`. A node that
 * exits or does not link in time is an error naming it (the others are killed).
 */
export async function forkWorkerNodes(system: ActorSystem, options: ForkOptions): Promise<WorkerNode[]> {
  const up = new Set<string>();
  const sub = system.inspect((e) => {
    if (e.type === '@troupe.node' && e.status === 'up' && e.peer !== undefined) up.add(e.peer);
  });
  const nodes = options.ids.map((id) => {
    const child = fork(CLI_MAIN, ['node', '--logic', options.logic, '--name', id, '--connect', options.connect, '--allow-inspection'], {
      // the secret travels in the environment, not on a command line other users can read
      env: { ...process.env, TROUPE_SECRET: options.secret },
      // TypeScript sources need tsx's loader in the child whatever loader the parent runs under
      execArgv: CLI_MAIN.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    if (child.pid === undefined) throw new CliError(`worker node ${id} failed to start`);
    return { id, pid: child.pid, process: child };
  });
  try {
    await Promise.all(nodes.map((n) => linked(up, n, options.startTimeoutMs)));
  } catch (err) {
    killAll(nodes);
    throw err;
  } finally {
    sub.unsubscribe();
  }
  return nodes;
}

function linked(up: ReadonlySet<string>, node: WorkerNode, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stderr = '';
    node.process.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    const done = (err?: Error) => {
      clearInterval(poll);
      clearTimeout(timer);
      node.process.off('exit', onExit);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      const why = lastLine(stderr) ?? `exited with ${code ?? signal}`;
      done(new CliError(`worker node ${node.id} failed to start: ${why}`));
    };
    node.process.on('exit', onExit);
    const timer = setTimeout(() => done(new CliError(`worker node ${node.id} did not link within ${timeoutMs} ms`)), timeoutMs);
    const poll = setInterval(() => {
      if (up.has(node.id)) done();
    }, 20);
  });
}

function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const last = lines.at(-1);
  return last?.replace(/^troupe: /, '');
}

/** SIGKILLs one node. */
export function killNode(node: WorkerNode): void {
  if (node.process.exitCode === null && node.process.signalCode === null) node.process.kill('SIGKILL');
}

/** Kills every node still running and waits (bounded) until they are gone. */
export async function stopNodes(nodes: readonly WorkerNode[], graceMs = 2000): Promise<void> {
  const running = nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  await Promise.all(
    running.map(
      (n) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            n.process.kill('SIGKILL');
            resolve();
          }, graceMs);
          n.process.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          n.process.kill('SIGTERM');
        }),
    ),
  );
}

function killAll(nodes: readonly WorkerNode[]): void {
  for (const n of nodes) killNode(n);
}
