/**
 * `troupe demo` (`npm run demo`): the main job. A coordinator node forks two worker node processes,
 * links them over WebSocket with a random secret, and audits a source tree (troupe's own by
 * default) with a work queue of per-file tasks checkpointed to SQLite. Midway it SIGKILLs one
 * worker node; the queue re-queues that node's tasks on the other, and none is lost.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseAddress } from '../../actors/address.js';
import type { ActorSystem } from '../../actors/system.js';
import { openaiClient } from '../../agents/llm/openai.js';
import { createSystem } from '../../create-system.js';
import { inspector } from '../../inspect/inspector.js';
import { workQueue } from '../../patterns/work-queue.js';
import { sqliteStore } from '../../store/sqlite.js';
import type { Store } from '../../store/store.js';
import { CliError } from '../cli-error.js';
import type { FileAudit } from '../demo/audit.js';
import { collectFiles } from '../demo/files.js';
import { forkWorkerNodes, killNode, stopNodes, type WorkerNode } from '../demo/nodes.js';
import { DEMO_WORKERS, PACKAGE_ROOT } from '../demo/paths.js';
import { deterministicPlanner, llmPlanner, type Planner } from '../demo/planner.js';
import { createProgress } from '../demo/progress.js';
import { formatReport, summarize } from '../demo/report.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The tree to audit. Default: troupe's own package. */
  dir?: string;
  /** Nodes started by hand (`troupe node … --logic <demo workers>`): used instead of forking two. */
  nodes?: string[];
  /** The cluster's secret: needed with `nodes`. Default: `TROUPE_SECRET`, else a random one. */
  secret?: string;
  /** Serve the inspector and keep running until Ctrl-C. */
  inspect?: boolean;
  /** Least time a task takes, ms, so a person can watch the bars. Default 25. */
  paceMs?: number;
  /** Fraction of tasks done when the second worker node is killed (forked nodes only). Default 0.4. */
  killAt?: number;
  /** Worker slots per node. Default 2. */
  slots?: number;
  /** Module the forked nodes host; for tests that need a node to fail. */
  workerModule?: string;
  print?: (line: string) => void;
  /** Draw bars (a terminal); plain lines otherwise. Default: whether stdout is a TTY. */
  tty?: boolean;
  /** Resolves when an `--inspect` run should stop. Default: SIGINT or SIGTERM. */
  untilStopped?: () => Promise<void>;
}

/** What a finished demo returns (and the process's exit code follows). */
export interface DemoOutcome {
  tasks: number;
  done: number;
  lost: number;
  requeued: number;
  perNode: Record<string, number>;
}

const START_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 120_000;

/**
 * Runs the demo: the report, then the line `demo: <N> tasks, <N> done, 0 lost, <R> re-queued`.
 *
 * @example
 * ```ts
 * const outcome = await runDemo({ dir: './src' });
 * process.exitCode = outcome.lost === 0 ? 0 : 1;
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoOutcome> {
  const print = options.print ?? ((line: string) => console.log(line));
  const started = Date.now();
  const dir = options.dir ?? PACKAGE_ROOT;
  const files = await collectFiles(dir);
  const secret = options.secret ?? nonEmpty(process.env.TROUPE_SECRET) ?? randomBytes(24).toString('base64url');
  const system = createSystem({ node: 'coordinator', listen: { port: 0, host: '127.0.0.1' }, secret });
  const workDir = await mkdtemp(join(tmpdir(), 'troupe-demo-'));
  let nodes: WorkerNode[] = [];
  let store: Store | undefined;
  let closeInspector: (() => Promise<void>) | undefined;
  try {
    await system.ready;
    const at = system.listenAddress!;
    const planner = plannerFromEnv((line) => print(`  note: ${line}`));
    print(`troupe demo: auditing ${files.length} files under ${dir}`);
    print(`  coordinator  ws://${at.host}:${at.port}, planner: ${planner.kind}`);

    if (options.inspect === true) {
      const ins = await inspector({ system, port: 0 });
      closeInspector = () => ins.close();
      print(`  inspector    ${ins.url}`);
    }

    let nodeIds: string[];
    if (options.nodes !== undefined && options.nodes.length > 0) {
      nodeIds = await connectNodes(system, options.nodes);
      print(`  worker nodes ${nodeIds.join(', ')} (started by hand: none will be killed)`);
    } else {
      nodes = await forkWorkerNodes(system, {
        ids: ['worker-1', 'worker-2'],
        logic: options.workerModule ?? DEMO_WORKERS,
        connect: `ws://${at.host}:${at.port}`,
        secret,
        startTimeoutMs: START_TIMEOUT_MS,
      });
      nodeIds = nodes.map((n) => n.id);
      print(`  worker nodes ${nodes.map((n) => `${n.id} (pid ${n.pid})`).join(', ')}`);
    }

    const checks = await planner.plan(overviewOf(files.map((f) => f.path)));
    print(`  checks       ${checks.join(', ')}`);
    store = sqliteStore({ path: join(workDir, 'demo.db') });
    const runId = `audit-${Date.now().toString(36)}`;
    print(`  checkpoints  ${join(workDir, 'demo.db')} (run ${runId})`);

    const tasks = files.map((f) => ({ id: f.path, input: { path: f.path, content: f.content, checks, paceMs: options.paceMs ?? 25 } }));
    const progress = createProgress(nodeIds, tasks.length, print, options.tty ?? process.stdout.isTTY === true);
    const perNode: Record<string, number> = Object.fromEntries(nodeIds.map((id) => [id, 0]));
    const runningOn = new Map<string, string>();
    let finished = 0;
    const victim = nodes[1];
    const killAt = Math.max(1, Math.floor(tasks.length * (options.killAt ?? 0.4)));
    const sub = system.inspect((e) => {
      if (e.type !== '@troupe.pattern' || e.pattern !== 'work-queue' || e.taskId === undefined) return;
      if (e.step === 'task-start' && e.worker !== undefined) runningOn.set(e.taskId, parseAddress(e.worker).node);
      else if (e.step === 'task-requeued') progress.note(`  re-queued ${e.taskId} (${e.detail ?? 'worker lost'})`);
      else if (e.step === 'task-done') {
        const node = runningOn.get(e.taskId) ?? 'unknown';
        perNode[node] = (perNode[node] ?? 0) + 1;
        finished++;
        progress.tick(node, finished);
        if (victim !== undefined && finished === killAt) {
          killNode(victim);
          progress.note(
            `  SIGKILL ${victim.id} (pid ${victim.pid}) after ${finished} of ${tasks.length} tasks: its tasks go back to the queue`,
          );
        }
      }
    });

    const q = workQueue<(typeof tasks)[number]['input'], FileAudit>(system, {
      workers: nodeIds.map((node) => ({ worker: { node, logic: 'auditor' }, count: options.slots ?? 2 })),
      tasks,
      maxAttempts: 3,
      taskTimeoutMs: 10_000,
      backoff: { minMs: 10, maxMs: 200 },
      store,
      runId,
    });
    let results: Map<string, FileAudit>;
    try {
      results = await withTimeout(q.done, RUN_TIMEOUT_MS, `the audit did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
    } finally {
      sub.unsubscribe();
      progress.stop();
    }
    const stats = q.stats();
    const findings = summarize([...results.values()]);
    const summary = await planner.summarize(findings);
    const outcome: DemoOutcome = {
      tasks: tasks.length,
      done: results.size,
      lost: tasks.length - results.size,
      requeued: stats.retries,
      perNode,
    };
    for (const line of formatReport(
      findings,
      { ...outcome, ...(victim !== undefined ? { killed: victim.id } : {}), elapsedMs: Date.now() - started },
      summary,
    )) {
      print(line);
    }
    if (closeInspector !== undefined) {
      print('inspector still serving; Ctrl-C to stop');
      await (options.untilStopped ?? untilSignal)();
    }
    return outcome;
  } finally {
    await stopNodes(nodes);
    await closeInspector?.().catch(() => undefined);
    await system.shutdown();
    await store?.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function plannerFromEnv(warn: (line: string) => void): Planner {
  if (process.env.OPENAI_BASE_URL === undefined || process.env.OPENAI_BASE_URL === '') return deterministicPlanner();
  return llmPlanner(openaiClient({ model: process.env.TROUPE_MODEL ?? 'gpt-4.1-mini', timeoutMs: 60_000 }), warn);
}

async function connectNodes(system: ActorSystem, urls: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const url of urls) {
    try {
      ids.push(await system.connect(url));
    } catch (err) {
      throw new CliError(`cannot reach worker node ${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return ids;
}

function overviewOf(paths: string[]): { files: number; extensions: Record<string, number> } {
  const extensions: Record<string, number> = {};
  for (const p of paths) extensions[extname(p)] = (extensions[extname(p)] ?? 0) + 1;
  return { files: paths.length, extensions };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
