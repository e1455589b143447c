/** Runs the conformance suite's races in forked child processes (test/store/fixtures/racer.ts). */

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StoreSpec } from './open-store.js';

const racer = fileURLToPath(new URL('./fixtures/racer.ts', import.meta.url));

interface Win {
  worker: number;
  from: number;
}

function waitFor<T>(proc: ChildProcess, ev: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`racer ${proc.pid} sent no '${ev}' within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { ev: string } & T) => {
      if (m.ev !== ev) return;
      clearTimeout(timer);
      proc.off('message', onMessage);
      resolve(m);
    };
    proc.on('message', onMessage);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`racer ${proc.pid} exited (${signal ?? code}) before '${ev}'`));
    });
  });
}

/** Forks `workers` racers on `spec`, starts them together, and collects their wins. */
export async function raceInProcesses(
  spec: StoreSpec,
  opts: { mode: 'cas' | 'lease'; key: string; workers: number; rounds: number },
): Promise<Win[]> {
  const procs = Array.from({ length: opts.workers }, (_, i) =>
    fork(racer, [JSON.stringify(spec), opts.mode, opts.key, String(opts.rounds), String(i)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  try {
    await Promise.all(procs.map((p) => waitFor(p, 'ready', 30_000)));
    const done = procs.map((p) => waitFor<{ wins: Win[] }>(p, 'done', 30_000));
    for (const p of procs) p.send('go');
    return (await Promise.all(done)).flatMap((d) => d.wins);
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
}
