import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../fixtures/transport-node.ts', import.meta.url));

interface Reply {
  ev: 'reply';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { code?: string; message: string };
}

/** A troupe node in a forked Node process (test/fixtures/transport-node.ts), driven over IPC. */
export class ChildNode {
  readonly node: string;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly exited: Promise<number | string | null>;
  #seq = 0;
  readonly #waiting = new Map<number, (r: Reply) => void>();

  private constructor(node: string, port: number, proc: ChildProcess, exited: Promise<number | string | null>) {
    this.node = node;
    this.port = port;
    this.proc = proc;
    this.exited = exited;
    proc.on('message', (m: Reply) => {
      if (m.ev === 'reply') this.#waiting.get(m.id)?.(m);
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Forks a node listening on `port` (0: any) and resolves once it is listening. */
  static start(node: string, port = 0, timeoutMs = 20_000): Promise<ChildNode> {
    const proc = fork(fixture, [node, String(port)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, TROUPE_SECRET: 'integration' },
    });
    const exited = new Promise<number | string | null>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`node ${node} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      proc.once('message', (m: { ev: string; port: number }) => {
        clearTimeout(timer);
        if (m.ev === 'ready') resolve(new ChildNode(node, m.port, proc, exited));
        else reject(new Error(`unexpected first message from ${node}: ${JSON.stringify(m)}`));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`node ${node} exited with ${code} before it was ready`));
      });
    });
  }

  /** Sends a command and resolves with its result (rejects with the child's error). */
  call(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<unknown> {
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${cmd} on ${this.node} timed out`));
      }, timeoutMs);
      this.#waiting.set(id, (r) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        if (r.ok) resolve(r.value);
        else reject(Object.assign(new Error(r.error?.message), { code: r.error?.code }));
      });
      this.proc.send({ id, cmd, ...args });
    });
  }

  /** `kill -9`: no goodbye, the OS closes its sockets. */
  async kill9(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful shutdown, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await Promise.race([this.call('exit', {}, 5000).catch(() => {}), this.exited]);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
