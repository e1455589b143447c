/**
 * Remote ask latency over loopback between two Node processes. This script forks itself as the
 * peer (`--peer`), which hosts both servers of the comparison:
 *
 * - troupe: a node listening on 127.0.0.1:0 whose allowlisted `echo` machine answers
 *   `{ type: 'ping', seq }` with `sendTo(event.replyTo, { type: 'pong', seq })`; the bench process
 *   is a second node that `spawnOn`s it and awaits `ref.ask(...)` one at a time.
 * - baseline: a raw `ws` server on 127.0.0.1:0 that unpacks each msgpackr request `{ id, seq }` and
 *   sends back `pack({ id, seq })`; the bench process sends one request and awaits its reply, one at
 *   a time, over one raw `ws` client.
 *
 * Both sides run in the same process pair, alternating rounds (troupe first on even rounds), after a
 * warm-up of each. Result: p50 and p99 of per-request latency in µs, ratio = troupe p50 ÷ raw p50.
 * Target: ≤ 1.3.
 */
import { pack, unpack } from 'msgpackr';
import WebSocket, { WebSocketServer } from 'ws';
import { sendTo, setup } from 'xstate';
import { createSystem, type ReplyTo } from '../src/index.js';
import { forkPeer } from './peer.js';
import { median, percentile, rangeFields, report, round, spread } from './report.js';

const ROUNDS = 7;
const ASKS_PER_ROUND = 4000;
const WARMUP = 3000;
const TARGET = 1.3;
const SECRET = 'bench-secret';

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

async function peer(): Promise<void> {
  const system = createSystem({ node: 'peer', listen: { port: 0 }, secret: SECRET, logic: { echo } });
  await system.ready;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const request = unpack(data) as { id: number; seq: number };
      socket.send(pack({ id: request.id, seq: request.seq }));
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const rawPort = (wss.address() as { port: number }).port;
  process.send?.({ troupePort: system.listenAddress?.port, rawPort });
  process.on('message', async () => {
    wss.close();
    await system.shutdown();
    process.exit(0);
  });
}

async function main(): Promise<void> {
  const { child, ports } = await forkPeer(import.meta.url, '--peer');

  const system = createSystem({ node: 'bench', secret: SECRET });
  await system.connect(`ws://127.0.0.1:${ports.troupePort}`);
  const ref = await system.spawnOn('peer', 'echo', { name: 'echo' });

  const socket = new WebSocket(`ws://127.0.0.1:${ports.rawPort}`, { perMessageDeflate: false });
  await new Promise<void>((resolve) => socket.once('open', () => resolve()));
  let pending: ((reply: { id: number; seq: number }) => void) | undefined;
  socket.on('message', (data: Buffer) => pending?.(unpack(data)));
  const rawAsk = (seq: number) =>
    new Promise<{ id: number; seq: number }>((resolve) => {
      pending = resolve;
      socket.send(pack({ id: seq, seq }));
    });

  async function troupeRound(n: number): Promise<number[]> {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const reply = await ref.ask<{ seq: number }>({ type: 'ping', seq: i }, { timeoutMs: 10_000 });
      samples.push((performance.now() - t0) * 1000);
      if (reply.seq !== i) throw new Error(`troupe reply out of order: ${reply.seq} for ${i}`);
    }
    return samples;
  }

  async function rawRound(n: number): Promise<number[]> {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const reply = await rawAsk(i);
      samples.push((performance.now() - t0) * 1000);
      if (reply.seq !== i) throw new Error(`raw reply out of order: ${reply.seq} for ${i}`);
    }
    return samples;
  }

  await troupeRound(WARMUP);
  await rawRound(WARMUP);
  const troupeSamples: number[] = [];
  const rawSamples: number[] = [];
  const troupeMedians: number[] = [];
  const rawMedians: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.();
    let t: number[];
    let b: number[];
    if (r % 2 === 0) {
      t = await troupeRound(ASKS_PER_ROUND);
      b = await rawRound(ASKS_PER_ROUND);
    } else {
      b = await rawRound(ASKS_PER_ROUND);
      t = await troupeRound(ASKS_PER_ROUND);
    }
    troupeSamples.push(...t);
    rawSamples.push(...b);
    troupeMedians.push(median(t));
    rawMedians.push(median(b));
    ratios.push(median(t) / median(b));
  }

  socket.close();
  await system.shutdown();
  child.send('exit');

  const p50 = median(troupeSamples);
  const raw50 = median(rawSamples);
  const ratio = p50 / raw50;
  report({
    bench: 'remote-ask',
    unit: 'µs p50 per ask',
    troupe: round(p50),
    baseline: round(raw50),
    baselineName: 'raw ws + msgpackr request/response',
    ratio: round(ratio, 3),
    target: `≤ ${TARGET}`,
    met: ratio <= TARGET,
    stat: 'p50 of all samples (min-max of round p50s beside); ratio: p50 ÷ p50 (min-max of per-round ratios)',
    ...rangeFields('troupe', spread(troupeMedians), 1),
    ...rangeFields('baseline', spread(rawMedians), 1),
    ...rangeFields('ratio', spread(ratios), 3),
    troupeP99: round(percentile(troupeSamples, 99)),
    baselineP99: round(percentile(rawSamples, 99)),
    rounds: ROUNDS,
    asksPerRound: ASKS_PER_ROUND,
  });
}

if (process.argv.includes('--peer')) await peer();
else await main();
