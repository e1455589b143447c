/** Two-process benchmarks: the bench script forks itself as the peer that hosts both servers. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ActorSystem } from '../src/index.js';

/** The ports the peer listens on: troupe's node and the raw ws baseline. */
export interface PeerPorts {
  troupePort: number;
  rawPort: number;
}

/**
 * Forks the script at `scriptUrl` with `arg` (the peer mode) and resolves once the peer reported
 * its ports over IPC; rejects if it exits first. `BENCH_PROF=<dir>` writes the peer's CPU profile
 * there.
 */
export async function forkPeer(
  scriptUrl: string,
  arg: string,
  options: { execArgv?: string[]; stdout?: 'inherit' | 'ignore' } = {},
): Promise<{ child: ChildProcess; ports: PeerPorts }> {
  const profile = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = fork(fileURLToPath(scriptUrl), [arg], {
    execArgv: [...(options.execArgv ?? []), '--import', 'tsx', ...profile],
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'],
  });
  const ports = await new Promise<PeerPorts>((resolve, reject) => {
    child.once('message', (m) => resolve(m as PeerPorts));
    child.once('exit', (code) => reject(new Error(`the peer exited with ${code} before reporting its ports`)));
  });
  return { child, ports };
}

/**
 * The forked side of {@link forkPeer} for a troupe-only peer: once `system` listens, reports its port
 * to the parent, and shuts it down when the parent sends any message or goes away.
 */
export async function servePeer(system: ActorSystem): Promise<void> {
  await system.ready;
  process.send?.({ troupePort: system.listenAddress?.port ?? 0, rawPort: 0 } satisfies PeerPorts);
  const stop = () => void system.shutdown().then(() => process.exit(0));
  process.once('message', stop);
  process.once('disconnect', stop);
}
