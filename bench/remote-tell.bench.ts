/**
 * Remote one-way tell throughput over loopback between two Node processes, 100 messages per frame.
 * This script forks itself as the peer (`--peer`), which hosts both sides of the comparison:
 *
 * - troupe: a node whose allowlisted `sink` (a `fromCallback` actor whose `receive` counts, the
 *   closest actor to the raw loop) counts `{ type: 'm', i }` events and answers the `arm` ask it was
 *   given once it has counted N. The bench process `spawnOn`s
 *   it, asks `arm`, then calls `ref.send` 100 times per tick (troupe batches one tick's sends into
 *   one frame) and waits for the `arm` reply.
 * - baseline: a raw `ws` server that unpacks each msgpackr frame (an array of 100 `{ type: 'm', i }`)
 *   and counts, and answers when it has counted N; the bench process sends `pack(batch)` once per
 *   tick over one raw `ws` client and waits for that answer.
 *
 * Rounds alternate which side goes first, after a warm-up of each. Result: messages/s, troupe ÷
 * raw (the median of per-round ratios). Target: ≥ 0.6.
 */
import { pack, unpack } from 'msgpackr';
import WebSocket, { WebSocketServer } from 'ws';
import { type AnyEventObject, fromCallback } from 'xstate';
import { createSystem, type ReplyTo } from '../src/index.js';
import { forkPeer } from './peer.js';
import { median, rangeFields, report, spread } from './report.js';

const N = 500_000;
const PER_FRAME = 100;
const ROUNDS = 7;
const TARGET = 0.6;
const SECRET = 'bench-secret';

const sink = fromCallback<AnyEventObject>(({ receive }) => {
  let count = 0;
  let target = 0;
  let replyTo: ReplyTo | undefined;
  receive((event) => {
    if (event.type === 'm') {
      if (++count === target) replyTo?.send({ type: 'done', count });
    } else if (event.type === 'arm') {
      count = 0;
      target = event.n as number;
      replyTo = event.replyTo as ReplyTo;
    }
  });
});

async function peer(): Promise<void> {
  const system = createSystem({ node: 'peer', listen: { port: 0 }, secret: SECRET, logic: { sink } });
  await system.ready;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    let count = 0;
    let target = 0;
    socket.on('message', (data: Buffer) => {
      const message = unpack(data) as { type: 'm'; i: number }[] | { arm: number };
      if (Array.isArray(message)) {
        for (const m of message) if (m.type === 'm') count++;
        if (count === target) socket.send(pack({ done: count }));
      } else {
        count = 0;
        target = message.arm;
      }
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  process.send?.({ troupePort: system.listenAddress?.port, rawPort: (wss.address() as { port: number }).port });
  process.on('message', async () => {
    wss.close();
    await system.shutdown();
    process.exit(0);
  });
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const { child, ports } = await forkPeer(import.meta.url, '--peer');

  const system = createSystem({ node: 'bench', secret: SECRET, heartbeat: { intervalMs: 5000 } });
  await system.connect(`ws://127.0.0.1:${ports.troupePort}`);
  const ref = await system.spawnOn('peer', 'sink', { name: 'sink' });

  const socket = new WebSocket(`ws://127.0.0.1:${ports.rawPort}`, { perMessageDeflate: false });
  await new Promise<void>((resolve) => socket.once('open', () => resolve()));
  let rawDone: (() => void) | undefined;
  socket.on('message', () => rawDone?.());

  async function troupeRound(n: number): Promise<number> {
    const done = ref.ask<{ count: number }>({ type: 'arm', n }, { timeoutMs: 120_000 });
    await tick();
    const t0 = performance.now();
    for (let i = 0; i < n; ) {
      for (const end = Math.min(n, i + PER_FRAME); i < end; i++) ref.send({ type: 'm', i });
      await tick();
    }
    const reply = await done;
    const ms = performance.now() - t0;
    if (reply.count !== n) throw new Error(`troupe sink counted ${reply.count} of ${n}`);
    return (n / ms) * 1000;
  }

  async function rawRound(n: number): Promise<number> {
    const done = new Promise<void>((resolve) => (rawDone = resolve));
    socket.send(pack({ arm: n }));
    await tick();
    const t0 = performance.now();
    for (let i = 0; i < n; ) {
      const batch: { type: 'm'; i: number }[] = [];
      for (const end = Math.min(n, i + PER_FRAME); i < end; i++) batch.push({ type: 'm', i });
      socket.send(pack(batch));
      await tick();
    }
    await done;
    return (n / (performance.now() - t0)) * 1000;
  }

  await troupeRound(N / 5);
  await rawRound(N / 5);
  const troupeRates: number[] = [];
  const rawRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.();
    let t: number;
    let b: number;
    if (r % 2 === 0) {
      t = await troupeRound(N);
      b = await rawRound(N);
    } else {
      b = await rawRound(N);
      t = await troupeRound(N);
    }
    troupeRates.push(t);
    rawRates.push(b);
    ratios.push(t / b);
  }

  socket.close();
  await system.shutdown();
  child.send('exit');

  const ratio = median(ratios);
  report({
    bench: 'remote-tell',
    unit: 'msg/s',
    troupe: Math.round(median(troupeRates)),
    baseline: Math.round(median(rawRates)),
    baselineName: `raw ws + msgpackr, ${PER_FRAME} messages per frame`,
    ratio: Math.round(ratio * 1000) / 1000,
    target: `≥ ${TARGET}`,
    met: ratio >= TARGET,
    stat: 'median of rounds (min-max beside); ratio: median of per-round paired ratios',
    ...rangeFields('troupe', spread(troupeRates)),
    ...rangeFields('baseline', spread(rawRates)),
    ...rangeFields('ratio', spread(ratios), 3),
    rounds: ROUNDS,
    messagesPerRound: N,
    messagesPerFrame: PER_FRAME,
  });
}

if (process.argv.includes('--peer')) await peer();
else await main();
