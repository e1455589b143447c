/**
 * Remote asks under load across three processes: this process (node `bench`) asks two forked
 * peers (`peer-0`, `peer-1`), alternating peers ask by ask, keeping `inFlight` asks outstanding.
 * Each peer hosts both servers of the comparison:
 *
 * - troupe: a node whose allowlisted `echo` machine answers `{ type: 'ping', seq }` with
 *   `sendTo(event.replyTo, { type: 'pong', seq })`; this process `spawnOn`s one per peer and calls
 *   `ref.ask(...)`.
 * - baseline: a raw `ws` server that unpacks each msgpackr frame — an array of requests
 *   `{ id, type: 'ping', seq }` — and answers with one frame holding the array of replies
 *   `{ id, type: 'pong', seq }`. The raw client here sends every request issued in one tick as
 *   one frame per peer (flushed in a microtask, as troupe's outbox does) and settles a promise per
 *   request from a `Map` of ids. No timeouts, no reply addresses, no actors.
 *
 * Run as a module by the `remote-ask-load-*.bench.ts` and `remote-ask-memory.bench.ts` scripts;
 * run directly with `--peer <name>` it is a peer.
 */
import { pack, unpack } from 'msgpackr';
import WebSocket, { WebSocketServer } from 'ws';
import { sendTo, setup } from 'xstate';
import { type ActorRef, type ActorSystem, createSystem, type ReplyTo } from '../src/index.js';
import { forkPeer } from './peer.js';
import { alternate, median, paired, percentile, rangeFields, report, reportPaired, round, spread } from './report.js';

const SECRET = 'bench-secret';
const PEERS = 2;

const echo = setup({ types: { events: {} as { type: 'ping'; seq: number; replyTo: ReplyTo } } }).createMachine({
  on: {
    ping: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ event }) => ({ type: 'pong', seq: event.seq }),
      ),
    },
  },
});

interface RawRequest {
  id: number;
  type: 'ping';
  seq: number;
}

async function peer(node: string): Promise<void> {
  const system = createSystem({ node, listen: { port: 0 }, secret: SECRET, logic: { echo } });
  await system.ready;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const requests = unpack(data) as RawRequest[];
      const replies = new Array(requests.length);
      for (let i = 0; i < requests.length; i++) replies[i] = { id: requests[i].id, type: 'pong', seq: requests[i].seq };
      socket.send(pack(replies));
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  process.send?.({ troupePort: system.listenAddress?.port, rawPort: (wss.address() as { port: number }).port });
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system: sys } = process.cpuUsage();
      process.send?.({ cpu: user + sys });
      return;
    }
    wss.close();
    await system.shutdown();
    process.exit(0);
  });
}

/**
 * One side's way to ask peer `p` for `{ type: 'ping', seq }`; resolves with the reply (which
 * carries `seq`). Both sides hand back their own promise, so both cost the caller one hop.
 */
export type Asker = (p: number, seq: number) => Promise<{ seq: number }>;

/** A raw ws client to one peer: requests of one tick leave as one frame. */
class RawClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, (reply: { seq: number }) => void>();
  #batch: RawRequest[] = [];
  #nextId = 0;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      for (const reply of unpack(data) as { id: number; seq: number }[]) {
        const resolve = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        resolve?.(reply);
      }
    });
  }

  ask(seq: number): Promise<{ seq: number }> {
    const id = this.#nextId++;
    if (this.#batch.length === 0) queueMicrotask(this.#flush);
    this.#batch.push({ id, type: 'ping', seq });
    return new Promise((resolve) => this.#pending.set(id, resolve));
  }

  #flush = () => {
    const batch = this.#batch;
    this.#batch = [];
    this.#socket.send(pack(batch));
  };

  close(): void {
    this.#socket.close();
  }
}

/** The three processes, both sides connected; `close` ends the peers. */
export interface LoadRig {
  troupe: Asker;
  raw: Asker;
  system: ActorSystem;
  /** CPU time the two peers have used so far, µs. */
  peersCpu(): Promise<number>;
  close(): Promise<void>;
}

/** Forks the two peers and connects both sides to each. */
export async function startRig(): Promise<LoadRig> {
  const peers = await Promise.all(Array.from({ length: PEERS }, (_, i) => forkPeer(import.meta.url, `--peer=peer-${i}`)));
  const system = createSystem({ node: 'bench', secret: SECRET, heartbeat: { intervalMs: 5000 } });
  const refs: ActorRef[] = [];
  const clients: RawClient[] = [];
  for (let i = 0; i < PEERS; i++) {
    const { ports } = peers[i];
    await system.connect(`ws://127.0.0.1:${ports.troupePort}`);
    refs.push(await system.spawnOn(`peer-${i}`, 'echo', { name: 'echo' }));
    const socket = new WebSocket(`ws://127.0.0.1:${ports.rawPort}`, { perMessageDeflate: false });
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    clients.push(new RawClient(socket));
  }
  return {
    system,
    troupe: (p, seq) => refs[p].ask<{ seq: number }>({ type: 'ping', seq }, { timeoutMs: 60_000 }),
    raw: (p, seq) => clients[p].ask(seq),
    async peersCpu() {
      const each = await Promise.all(
        peers.map(
          ({ child }) =>
            new Promise<number>((resolve) => {
              child.once('message', (m) => resolve((m as { cpu: number }).cpu));
              child.send('cpu');
            }),
        ),
      );
      return each.reduce((a, b) => a + b, 0);
    },
    async close() {
      for (const c of clients) c.close();
      await system.shutdown();
      for (const { child } of peers) child.send('exit');
    },
  };
}

/**
 * Runs `total` asks through `ask`, `inFlight` outstanding at a time, alternating peers; returns
 * the elapsed ms and, when `latencies` is given, pushes each ask's latency in µs.
 */
export async function load(ask: Asker, total: number, inFlight: number, latencies?: number[]): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < total) {
      const seq = next++;
      const s = latencies === undefined ? 0 : performance.now();
      const { seq: got } = await ask(seq % PEERS, seq);
      if (latencies !== undefined) latencies.push((performance.now() - s) * 1000);
      if (got !== seq) throw new Error(`reply ${got} for ask ${seq}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
  return performance.now() - t0;
}

/** Asks per round of the load benches (`BENCH_ASKS` overrides). */
const ASKS = Number(process.env.BENCH_ASKS ?? 100_000);
const ROUNDS = 5;

/**
 * Asks/s with `inFlight` asks outstanding, troupe ÷ the raw client, alternating rounds of
 * {@link ASKS} asks after one warm-up round of each. Target: ratio ≥ 0.6.
 */
export async function throughputBench(inFlight: number): Promise<void> {
  const rig = await startRig();
  const measure = (ask: Asker) => () => measured(rig, ASKS, () => load(ask, ASKS, inFlight));
  const rounds = await alternate({ rounds: ROUNDS, warmup: 1, troupe: measure(rig.troupe), baseline: measure(rig.raw) });
  await rig.close();
  const rate = (r: Round) => (ASKS / r.ms) * 1000;
  reportPaired(
    {
      bench: `remote-ask-load-${inFlight}`,
      unit: `asks/s, ${inFlight} in flight, one node asking two (3 processes)`,
      baselineName: 'raw ws + msgpackr client batching per tick (a promise and a Map entry per request)',
      target: 0.6,
    },
    paired(ROUNDS, rounds.troupe.map(rate), rounds.baseline.map(rate)),
    { inFlight, asksPerRound: ASKS, peers: PEERS, ...cpuFields(rounds) },
  );
}

/** One round: wall time, and CPU time per ask of this process and of the peers. */
interface Round {
  ms: number;
  askingCpuUs: number;
  servingCpuUs: number;
}

async function measured(rig: LoadRig, asks: number, run: () => Promise<number>): Promise<Round> {
  const peers0 = await rig.peersCpu();
  const own0 = process.cpuUsage();
  const ms = await run();
  const own = process.cpuUsage(own0);
  const peers = (await rig.peersCpu()) - peers0;
  return { ms, askingCpuUs: (own.user + own.system) / asks, servingCpuUs: peers / asks };
}

/**
 * CPU µs per ask on each side (medians of the rounds, min-max beside): less disturbed by other
 * processes than wall time, and where the time goes.
 */
function cpuFields(rounds: { troupe: Round[]; baseline: Round[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [side, key] of [
    ['troupe', 'askingCpuUs'],
    ['troupe', 'servingCpuUs'],
    ['baseline', 'askingCpuUs'],
    ['baseline', 'servingCpuUs'],
  ] as const) {
    const name = `${side}${key[0].toUpperCase()}${key.slice(1)}PerAsk`;
    const s = spread(rounds[side].map((r) => r[key]));
    out[name] = round(s.median, 2);
    Object.assign(out, rangeFields(name, s, 2));
  }
  return out;
}

/**
 * p50 latency with one ask in flight, troupe ÷ raw request/response, alternating rounds of
 * {@link ASKS} ÷ 20 asks after one warm-up round of each. Target: ratio ≤ 1.3.
 */
export async function latencyBench(): Promise<void> {
  const rig = await startRig();
  const asks = Math.max(100, Math.round(ASKS / 20));
  const samples = (ask: Asker) => async () => {
    const out: number[] = [];
    await load(ask, asks, 1, out);
    return out;
  };
  const rounds = await alternate({ rounds: ROUNDS, warmup: 1, troupe: samples(rig.troupe), baseline: samples(rig.raw) });
  await rig.close();
  const t = rounds.troupe.flat();
  const b = rounds.baseline.flat();
  const ratios = spread(rounds.troupe.map((r, i) => median(r) / median(rounds.baseline[i])));
  const ratio = median(t) / median(b);
  report({
    bench: 'remote-ask-load-1',
    unit: 'µs p50 per ask, 1 in flight, one node asking two (3 processes)',
    troupe: round(median(t)),
    baseline: round(median(b)),
    baselineName: 'raw ws + msgpackr request/response',
    ratio: round(ratio, 3),
    target: 'ratio <= 1.3',
    met: ratio <= 1.3,
    rounds: ROUNDS,
    asksPerRound: asks,
    stat: 'p50 of all samples (min-max of round p50s beside); ratio: p50 ÷ p50 (min-max of per-round ratios)',
    ...rangeFields('troupe', spread(rounds.troupe.map(median)), 1),
    ...rangeFields('baseline', spread(rounds.baseline.map(median)), 1),
    ...rangeFields('ratio', ratios, 3),
    troupeP99: round(percentile(t, 99)),
    baselineP99: round(percentile(b, 99)),
  });
}

const peerArg = process.argv.find((a) => a.startsWith('--peer='));
if (peerArg !== undefined) await peer(peerArg.slice('--peer='.length));
