/**
 * Chunks/s of a stream between two processes over real WebSockets, and the consumer's memory.
 * A forked producer process runs node `alpha` with a `fromStream` actor yielding N chunks of
 * `{ i, text }` (80 bytes of text); this process runs node `beta` and consumes
 * `ref.stream({ type: 'go' })` with the default credit (64), summing `i` (checked).
 * Baseline: the same producer process also runs a raw `ws` server that, per connection, sends the
 * same N chunks msgpackr-encoded, one per message, as fast as the socket takes them (no protocol,
 * no flow control); a raw `ws` client here decodes and sums them.
 * Result: chunks/s, troupe ÷ raw. Target: ratio ≥ 0.2. Rounds alternate which side goes first
 * (after one warm-up round of each); each round starts from a collected heap. Extras: the
 * consumer's largest heap growth in one round of each side (MB over the heap before the round,
 * sampled every 1000 chunks), and this process's peak RSS.
 */
import { Packr, Unpackr } from 'msgpackr';
import WebSocket, { WebSocketServer } from 'ws';
import { createSystem, fromStream } from '../src/index.js';
import { forkPeer } from './peer.js';
import { alternate, gc, paired, reportPaired, round } from './report.js';

const N = 100_000;
const ROUNDS = 5;
const TARGET = 0.2;
const SECRET = 'bench-secret';
const TEXT = 'x'.repeat(80);
const EXPECTED = ((N - 1) * N) / 2;

interface Chunk {
  i: number;
  text: string;
}

async function* chunks(): AsyncGenerator<Chunk> {
  for (let i = 0; i < N; i++) yield { i, text: TEXT };
}

if (process.argv[2] === 'producer') {
  await producer();
} else {
  await consumer();
}

/** The forked side: node alpha and a raw ws server; reports both ports over IPC. */
async function producer(): Promise<void> {
  const alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: SECRET });
  alpha.spawn(fromStream(chunks), { name: 'chunks' });
  await alpha.ready;
  const packr = new Packr();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    for (let i = 0; i < N; i++) ws.send(packr.pack({ i, text: TEXT }));
  });
  const rawPort = (wss.address() as { port: number }).port;
  process.send?.({ troupePort: alpha.listenAddress?.port, rawPort });
  process.on('message', async () => {
    wss.close();
    await alpha.shutdown();
    process.exit(0);
  });
}

async function consumer(): Promise<void> {
  const { child, ports } = await forkPeer(import.meta.url, 'producer', { execArgv: ['--expose-gc'], stdout: 'ignore' });
  const beta = createSystem({ node: 'beta', secret: SECRET });
  await beta.connect(`ws://127.0.0.1:${ports.troupePort}`);
  const ref = beta.ref('troupe://alpha/chunks');
  const unpackr = new Unpackr();
  let peakRss = 0;
  let heapStart = 0;
  let heapPeak = 0;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed - heapStart > heapPeak) heapPeak = m.heapUsed - heapStart;
  };

  async function troupeRound(): Promise<number> {
    let sum = 0;
    let n = 0;
    const t0 = performance.now();
    for await (const c of ref.stream<Chunk>({ type: 'go' })) {
      sum += c.i;
      if (++n % 1000 === 0) sample();
    }
    const ms = performance.now() - t0;
    if (sum !== EXPECTED) throw new Error(`troupe stream lost chunks: sum ${sum}, expected ${EXPECTED}`);
    return (N / ms) * 1000;
  }

  async function rawRound(): Promise<number> {
    const ws = new WebSocket(`ws://127.0.0.1:${ports.rawPort}`, { perMessageDeflate: false });
    let sum = 0;
    let n = 0;
    let t0 = 0;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        t0 = performance.now();
      });
      ws.on('message', (data: Buffer) => {
        sum += (unpackr.unpack(data) as Chunk).i;
        if (++n % 1000 === 0) sample();
        if (n === N) resolve();
      });
      ws.once('error', reject);
    });
    const ms = performance.now() - t0;
    ws.close();
    if (sum !== EXPECTED) throw new Error(`raw ws lost chunks: sum ${sum}, expected ${EXPECTED}`);
    return (N / ms) * 1000;
  }

  /** One round of one side: collects garbage first, so the heap peak is this round's growth alone. */
  const measured = (round: () => Promise<number>) => async (): Promise<{ rate: number; heapPeakMb: number }> => {
    gc();
    heapStart = process.memoryUsage().heapUsed;
    heapPeak = 0;
    const rate = await round();
    return { rate, heapPeakMb: heapPeak / 2 ** 20 };
  };

  // Alternating rounds; each round starts from a collected heap, so a raw round's unbounded
  // buffering is freed before the troupe round after it measures its own peak.
  const { troupe, baseline } = await alternate({ rounds: ROUNDS, warmup: 1, troupe: measured(troupeRound), baseline: measured(rawRound) });
  const result = paired(
    ROUNDS,
    troupe.map((s) => s.rate),
    baseline.map((s) => s.rate),
  );

  child.send('exit');
  await beta.shutdown();
  reportPaired(
    {
      bench: 'stream-remote',
      unit: 'chunks/s',
      baselineName: 'raw ws + msgpackr, one chunk per message, no flow control',
      target: TARGET,
    },
    result,
    {
      chunks: N,
      credit: 64,
      troupeHeapPeakMb: round(Math.max(...troupe.map((s) => s.heapPeakMb))),
      baselineHeapPeakMb: round(Math.max(...baseline.map((s) => s.heapPeakMb))),
      consumerPeakRssMb: round(peakRss / 2 ** 20),
    },
  );
}
