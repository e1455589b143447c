/**
 * Chunks/s of a stream between two processes over real WebSockets, and the consumer's memory.
 * A forked producer process runs node `alpha` with a `fromStream` actor yielding N chunks of
 * `{ i, text }` (80 bytes of text); this process runs node `beta` and consumes
 * `ref.stream({ type: 'go' })` with the default credit (64), summing `i` (checked).
 * Baseline: the same producer process also runs a raw `ws` server that, per connection, sends the
 * same N chunks msgpackr-encoded, one per message, as fast as the socket takes them (no protocol,
 * no flow control); a raw `ws` client here decodes and sums them.
 * Result: chunks/s, troupe ÷ raw. Target: ratio ≥ 0.2. Extras: the consumer's peak heap growth
 * during the troupe and raw phases (MB over the heap before the phase, sampled every 1000 chunks),
 * and this process's peak RSS.
 */
import { Packr, Unpackr } from 'msgpackr';
import WebSocket, { WebSocketServer } from 'ws';
import { createSystem, fromStream } from '../src/index.js';
import { forkPeer } from './peer.js';
import { gc, median, report, versus } from './report.js';

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

  const phase = async (round: () => Promise<number>, rounds: number): Promise<{ rates: number[]; heapPeakMb: number }> => {
    const rates: number[] = [];
    gc();
    heapStart = process.memoryUsage().heapUsed;
    heapPeak = 0;
    for (let r = 0; r < rounds; r++) rates.push(await round());
    return { rates, heapPeakMb: heapPeak / 2 ** 20 };
  };

  await phase(troupeRound, 1);
  await phase(rawRound, 1);
  // Phases, not alternating rounds: a raw round's unbounded buffering would show up in the heap
  // peak of the troupe round after it.
  const troupe = await phase(troupeRound, ROUNDS);
  const raw = await phase(rawRound, ROUNDS);

  child.send('exit');
  await beta.shutdown();
  report({
    ...versus({
      bench: 'stream-remote',
      unit: 'chunks/s',
      troupe: median(troupe.rates),
      baseline: median(raw.rates),
      baselineName: 'raw ws + msgpackr, one chunk per message, no flow control',
      ratio: median(troupe.rates) / median(raw.rates),
      target: TARGET,
      rounds: ROUNDS,
    }),
    chunks: N,
    credit: 64,
    stat: 'median of rounds (troupe rounds, then raw rounds)',
    troupeHeapPeakMb: Number(troupe.heapPeakMb.toFixed(1)),
    baselineHeapPeakMb: Number(raw.heapPeakMb.toFixed(1)),
    consumerPeakRssMb: Number((peakRss / 2 ** 20).toFixed(1)),
  });
}
