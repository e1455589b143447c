/**
 * MAKER, reproduced ("Solving a Million-Step LLM Task with Zero Errors", arXiv 2511.09030): the
 * Towers of Hanoi solved one move at a time, each move decided by a first-to-ahead-by-k vote among
 * micro-agents, with malformed answers red-flagged. The micro-agents are simulated worker actors:
 * given the state, one returns the optimal next move, a wrong well-formed move with probability
 * `p`, or a malformed answer with probability `q` (seeded). With `OPENAI_BASE_URL` set and
 * `--llm`, they ask a real model instead (for small disk counts).
 *
 *   npx tsx examples/maker-hanoi.ts --disks 10 --p 0.01 --q 0.005 [--k 3] [--nodes 2] [--seed 1] [--agents 8]
 *
 * `--nodes N` runs the micro-agents on N worker node processes (this file, forked) over WebSocket.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fromCallback } from 'xstate';
import { type ActorRef, type ActorSystem, createSystem, kFor, openaiClient, type ReplyTo, vote } from '../src/index.js';

/** Pegs 0, 1, 2, each bottom to top; disks are 1 (smallest) … n. */
export type Pegs = [number[], number[], number[]];
/** A move of the top disk of `from` onto `to`. */
export interface Move {
  disk: number;
  from: number;
  to: number;
}
/** What a micro-agent is asked: the state and the step's number (0-based). */
export interface StepInput {
  pegs: Pegs;
  step: number;
  disks: number;
}

/**
 * The optimal next move (the paper's strategy, given to its agents in the prompt): on even steps move
 * disk 1 one peg along its cycle (0→1→2 for an even number of disks, 0→2→1 for odd); on odd steps make
 * the only legal move that does not touch disk 1.
 */
export function optimalMove({ pegs, step, disks }: StepInput): Move {
  if (step % 2 === 0) {
    let from = 0;
    while (pegs[from][pegs[from].length - 1] !== 1) from++;
    return { disk: 1, from, to: (from + (disks % 2 === 0 ? 1 : 2)) % 3 };
  }
  // the two pegs without disk 1: the smaller top disk moves onto the other peg
  let a = -1;
  let b = -1;
  for (let p = 0; p < 3; p++) {
    if (pegs[p][pegs[p].length - 1] === 1) continue;
    if (a < 0) a = p;
    else b = p;
  }
  const topA = pegs[a].length > 0 ? pegs[a][pegs[a].length - 1] : Number.POSITIVE_INFINITY;
  const topB = pegs[b].length > 0 ? pegs[b][pegs[b].length - 1] : Number.POSITIVE_INFINITY;
  return topA < topB ? { disk: topA, from: a, to: b } : { disk: topB, from: b, to: a };
}

/** True when `value` is not a well-formed move: MAKER's red flag (format only, never legality). */
export function isMalformed(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const m = value as Partial<Move>;
  const peg = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 2;
  return !(Number.isInteger(m.disk) && (m.disk as number) >= 1 && peg(m.from) && peg(m.to) && m.from !== m.to);
}

/** The vote key of a move. */
export const moveKey = (m: Move): string => `${m.disk}:${m.from}>${m.to}`;

type Reply = { output: Move };
const replyMalformed = (reply: Reply): boolean => isMalformed(reply.output);
const replyKey = (reply: Reply): string => moveKey(reply.output);

/** A seeded PRNG (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type TaskEvent = { type: string; input?: StepInput; taskId?: string; replyTo?: ReplyTo };

/**
 * A simulated micro-agent (worker protocol): answers each task with the optimal move, a wrong
 * well-formed move (probability `p`) or a malformed answer (probability `q`). Input: `{ p, q, seed }`.
 */
export const microAgent = fromCallback<TaskEvent, { p: number; q: number; seed: number }>(({ receive, input }) => {
  const random = seeded(input.seed);
  receive((event) => {
    if (event.type !== 'task' || event.replyTo === undefined || event.input === undefined) return;
    const best = optimalMove(event.input);
    const r = random();
    let output: unknown = best;
    if (r < input.q) output = random() < 0.5 ? `${'let me think step by step… '.repeat(40)}` : { disk: best.disk, from: best.from };
    else if (r < input.q + input.p) {
      const to = 3 - best.from - best.to; // the other target peg: well-formed, wrong
      output = { disk: best.disk, from: best.from, to };
    }
    event.replyTo.send({ type: 'result', output, taskId: event.taskId });
  });
});

/** A micro-agent that asks a real model (OPENAI_BASE_URL, OPENAI_MODEL) for the next move. */
export const llmMicroAgent = fromCallback<TaskEvent>(({ receive }) => {
  const llm = openaiClient({ model: process.env.OPENAI_MODEL ?? 'gpt-4.1-mini' });
  receive((event) => {
    const { replyTo, input } = event;
    if (event.type !== 'task' || replyTo === undefined || input === undefined) return;
    const rule =
      input.step % 2 === 0
        ? `Move disk 1 one peg ${input.disks % 2 === 0 ? 'to the right (0→1→2→0)' : 'to the left (0→2→1→0)'}.`
        : 'Make the only legal move that does not move disk 1.';
    const content = `Towers of Hanoi, pegs bottom to top: ${JSON.stringify(input.pegs)}. ${rule} Answer only JSON {"disk":n,"from":p,"to":p}.`;
    llm
      .chat({ messages: [{ role: 'user', content }] })
      .then((r) => {
        let output: unknown = r.message.content;
        try {
          output = JSON.parse((r.message.content ?? '').trim());
        } catch {
          // unparsable: red-flagged by the vote
        }
        replyTo.send({ type: 'result', output, taskId: event.taskId });
      })
      .catch((err: Error) =>
        replyTo.send({ type: 'troupe.error', code: 'TROUPE_ERR_WORKER_FAILED', error: { name: 'Error', message: err.message } }),
      );
  });
});

/** Options of {@link solveHanoi}. */
export interface SolveOptions {
  agents: readonly ActorRef[];
  disks: number;
  k: number;
  /** Per-vote sample cap. Default 20·k. */
  maxSamples?: number;
  /** Called with each step's sample count (for a baseline that replays them). */
  onStep?: (samples: number) => void;
}

/** What {@link solveHanoi} returns. */
export interface SolveReport {
  steps: number;
  /** Steps whose winning move was not the optimal one. */
  errors: number;
  samples: number;
  redFlagged: number;
  solved: boolean;
}

/** Solves the puzzle move by move, one vote per move; each sample is one ask to the next micro-agent. */
export async function solveHanoi(options: SolveOptions): Promise<SolveReport> {
  const { agents, disks, k, onStep } = options;
  const maxSamples = options.maxSamples ?? 20 * k;
  const pegs: Pegs = [Array.from({ length: disks }, (_, i) => disks - i), [], []];
  const total = 2 ** disks - 1;
  let next = 0;
  let errors = 0;
  let samples = 0;
  let redFlagged = 0;
  // One sampler for the whole run (it reads the current step's input), not a closure per step.
  let input: StepInput = { pegs, step: 0, disks };
  const sample = (signal: AbortSignal) => agents[next++ % agents.length].ask<Reply>({ type: 'task', input }, { signal, timeoutMs: 30_000 });
  for (let step = 0; step < total; step++) {
    input = { pegs, step, disks };
    // Each sample is one micro-agent call; the vote reads the move out of its reply.
    const result = await vote<Reply>({ sample, k, maxSamples, redFlag: replyMalformed, key: replyKey });
    samples += result.samples;
    redFlagged += result.redFlagged;
    onStep?.(result.samples);
    const move = result.winner.output;
    if (moveKey(move) !== moveKey(optimalMove(input))) errors++;
    const from = pegs[move.from];
    if (from[from.length - 1] !== move.disk || (pegs[move.to].length > 0 && (pegs[move.to].at(-1) as number) < move.disk)) {
      return { steps: step + 1, errors: errors + 1, samples, redFlagged, solved: false };
    }
    from.pop();
    pegs[move.to].push(move.disk);
  }
  return { steps: total, errors, samples, redFlagged, solved: pegs[2].length === disks };
}

/** Forks `n` worker node processes (this file with `--worker-node`) and resolves with their ports. */
export async function forkWorkerNodes(n: number): Promise<{ children: ChildProcess[]; ports: number[] }> {
  const file = fileURLToPath(import.meta.url);
  const children = Array.from({ length: n }, (_, i) =>
    fork(file, ['--worker-node', `maker-${i + 1}`], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const ports = await Promise.all(
    children.map(
      (child) =>
        new Promise<number>((resolve, reject) => {
          child.once('message', (m) => resolve((m as { port: number }).port));
          child.once('exit', (code) => reject(new Error(`a worker node exited with ${code}`)));
        }),
    ),
  );
  return { children, ports };
}

/** Spawns `count` micro-agents, spread over `nodes` (empty: locally), seeded from `seed`. */
export async function spawnAgents(
  system: ActorSystem,
  options: { count: number; p: number; q: number; seed: number; nodes?: string[]; llm?: boolean },
): Promise<ActorRef[]> {
  const { count, p, q, seed, nodes = [] } = options;
  const agents: ActorRef[] = [];
  for (let i = 0; i < count; i++) {
    const input = { p, q, seed: seed * 1000 + i };
    if (nodes.length > 0)
      agents.push(await system.spawnOn(nodes[i % nodes.length], options.llm ? 'llm-micro-agent' : 'micro-agent', { input }));
    else agents.push(options.llm ? system.spawn(llmMicroAgent) : system.spawn(microAgent, { input }));
  }
  return agents;
}

/** Runs the example with `options`; returns the report. */
export async function main(
  options: { disks?: number; p?: number; q?: number; k?: number; nodes?: number; seed?: number; agents?: number; llm?: boolean } = {},
) {
  const { disks = 10, p = 0.01, q = 0.005, nodes = 0, seed = 1, agents: count = 8, llm = false } = options;
  const steps = 2 ** disks - 1;
  const k = options.k ?? kFor({ steps, errorRate: p / (1 - q), target: 0.95 });
  const secret = 'maker-example';
  const workers = nodes > 0 ? await forkWorkerNodes(nodes) : { children: [], ports: [] };
  const system = createSystem({ node: 'maker', secret });
  try {
    const names: string[] = [];
    for (const port of workers.ports) names.push(await system.connect(`ws://127.0.0.1:${port}`));
    const agents = await spawnAgents(system, { count, p, q, seed, nodes: names, llm });
    const started = performance.now();
    const report = await solveHanoi({ agents, disks, k });
    const seconds = (performance.now() - started) / 1000;
    return { ...report, k, seconds, stepsPerSecond: Math.round(steps / seconds), samplesPerStep: report.samples / steps };
  } finally {
    await system.shutdown();
    for (const child of workers.children) child.kill('SIGTERM');
  }
}

async function workerNode(name: string): Promise<void> {
  const system = createSystem({
    node: name,
    listen: { port: 0 },
    secret: 'maker-example',
    logic: { 'micro-agent': microAgent, 'llm-micro-agent': llmMicroAgent },
  });
  await system.ready;
  process.send?.({ port: system.listenAddress?.port });
  process.once('SIGTERM', () => void system.shutdown().then(() => process.exit(0)));
  process.once('disconnect', () => void system.shutdown().then(() => process.exit(0)));
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--worker-node')) await workerNode(arg('worker-node') ?? 'maker-worker');
  else {
    const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
    const llm = process.argv.includes('--llm') && process.env.OPENAI_BASE_URL !== undefined;
    const report = await main({
      disks: num('disks'),
      p: num('p'),
      q: num('q'),
      k: num('k'),
      nodes: num('nodes'),
      seed: num('seed'),
      agents: num('agents'),
      llm,
    });
    console.log(JSON.stringify(report));
  }
}
