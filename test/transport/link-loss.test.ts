import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { createSystem, type Link, type Transport, WsTransport } from '../../src/index.js';
import { CloseCode, MemoryNetwork } from '../../src/internal.js';
import { advanceUntil, memoryPair, nodeEvents, type Pair, recorder, until } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
let pair: Pair | undefined;
afterEach(async () => {
  await pair?.shutdown();
  pair = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TCP proxy to `port` on 127.0.0.1; `freeze()` stops forwarding on the connections open now (a hung peer). */
async function proxyTo(port: number): Promise<{ port: number; freeze(): void }> {
  const conns: { frozen: boolean }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const state = { frozen: false };
    conns.push(state);
    const s = net.connect(port, '127.0.0.1');
    sockets.add(c).add(s);
    c.on('data', (d) => {
      if (!state.frozen) s.write(d);
    });
    s.on('data', (d) => {
      if (!state.frozen) c.write(d);
    });
    c.on('error', () => {});
    s.on('error', () => {});
    c.on('close', () => s.destroy());
    s.on('close', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    server.close();
    for (const s of sockets) s.destroy();
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      for (const c of conns) c.frozen = true;
    },
  };
}

describe('a link troupe closes itself is down at once (real sockets)', () => {
  it('heartbeat failure: down with 4009 before the socket closes; asks fail, later tells are held and delivered', async () => {
    const hb = { intervalMs: 50, maxMissed: 2 };
    const alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'k', heartbeat: hb });
    cleanups.push(() => alpha.shutdown());
    await alpha.ready;
    const got: AnyEventObject[] = [];
    alpha.spawn(recorder(got), { name: 'rec' });
    const proxy = await proxyTo(alpha.listenAddress?.port as number);
    // beta's links hold their socket closes back until the test ends: the 'down' can only come from troupe itself
    const ws = new WsTransport();
    const held: (() => void)[] = [];
    const transport: Transport = {
      listen: (o, onLink) => ws.listen(o, onLink),
      dial: async (url, o) => {
        const link: Link = await ws.dial(url, o);
        const close = link.close.bind(link);
        link.close = (code, reason) => {
          held.push(() => close(code, reason));
        };
        return link;
      },
    };
    const beta = createSystem({ node: 'beta', secret: 'k', heartbeat: hb, transport, reconnect: { minMs: 10, maxMs: 50 } });
    cleanups.push(async () => {
      await beta.shutdown();
      for (const c of held) c();
    });
    const events = nodeEvents(beta);
    await beta.connect(`ws://127.0.0.1:${proxy.port}`);
    const rec = beta.ref('troupe://alpha/rec');
    proxy.freeze();
    const ask = rec.ask({ type: 'q' }, { timeoutMs: 60_000 }).then(
      () => 'resolved',
      (e: { code: string }) => e.code,
    );
    await until(() => events.some((e) => e.status === 'down'), 10_000, 'beta to declare alpha down');
    expect(events.find((e) => e.status === 'down')?.code).toBe(CloseCode.HEARTBEAT_TIMEOUT);
    expect(held.length).toBeGreaterThan(0); // the socket's close is still held back
    await expect(ask).resolves.toBe('TROUPE_ERR_NODE_DOWN');
    for (let i = 0; i < 5; i++) rec.send({ type: 'after-down', i });
    await until(() => got.filter((e) => e.type === 'after-down').length === 5, 10_000, 'held tells to arrive over the new link');
    expect(beta.deadLetters.count).toBe(0);
  });
});

/** A TCP proxy to `port` that forwards client-to-server bytes at about `bytesPerSecond` (a slow uplink). */
async function slowProxyTo(port: number, bytesPerSecond: number): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const s = net.connect(port, '127.0.0.1');
    sockets.add(c).add(s);
    const queue: Buffer[] = [];
    let busy = false;
    const pump = () => {
      const d = queue.shift();
      busy = d !== undefined;
      if (d === undefined || s.destroyed) return;
      s.write(d);
      setTimeout(pump, (d.length / bytesPerSecond) * 1000);
    };
    c.on('data', (d) => {
      for (let i = 0; i < d.length; i += 8192) queue.push(d.subarray(i, i + 8192));
      if (!busy) pump();
    });
    s.on('data', (d) => c.write(d));
    c.on('error', () => {});
    s.on('error', () => {});
    c.on('close', () => s.destroy());
    s.on('close', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    server.close();
    for (const s of sockets) s.destroy();
  });
  return (server.address() as net.AddressInfo).port;
}

describe('heartbeats on a slow link (real sockets)', () => {
  it('a peer busy delivering one large frame is not declared dead', async () => {
    const hb = { intervalMs: 50, maxMissed: 2 };
    const alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'k', heartbeat: hb });
    cleanups.push(() => alpha.shutdown());
    await alpha.ready;
    const got: AnyEventObject[] = [];
    alpha.spawn(recorder(got), { name: 'rec' });
    const alphaEvents = nodeEvents(alpha);
    const port = await slowProxyTo(alpha.listenAddress?.port as number, 512 * 1024);
    const beta = createSystem({ node: 'beta', secret: 'k', heartbeat: hb });
    cleanups.push(() => beta.shutdown());
    const betaEvents = nodeEvents(beta);
    await beta.connect(`ws://127.0.0.1:${port}`);
    // one ~600 KB message: a single frame that takes over a second to cross, ~8 heartbeat windows
    beta.ref('troupe://alpha/rec').send({ type: 'big', pad: 'x'.repeat(600_000) });
    beta.ref('troupe://alpha/rec').send({ type: 'small' });
    await until(() => got.length === 2, 10_000, 'both tells');
    expect(got.map((e) => e.type)).toEqual(['big', 'small']);
    expect([...alphaEvents, ...betaEvents].filter((e) => e.status === 'down')).toEqual([]);
  });
});

describe('a link that stops accepting frames before it closes', () => {
  it('is taken down at once and what was queued for it is held, not lost', async () => {
    const memory = new MemoryNetwork();
    let stalled: (Link & { stall(): void; dropped: number }) | undefined;
    const inner = memory.transport();
    const transport: Transport = {
      listen: inner.listen,
      dial: async (url, o) => {
        const link = await inner.dial(url, o);
        const send = link.send.bind(link);
        let stall = false;
        const wrapped = Object.assign(link, {
          dropped: 0,
          stall() {
            stall = true;
          },
        });
        Object.defineProperty(wrapped, 'writable', { get: () => !stall });
        wrapped.send = (frame: Uint8Array) => {
          if (stall) wrapped.dropped++;
          else send(frame);
        };
        stalled ??= wrapped;
        return wrapped;
      },
    };
    pair = await memoryPair({ net: memory, b: { transport, reconnect: { minMs: 10, maxMs: 50 } } });
    const { a, b, clock } = pair;
    const got: AnyEventObject[] = [];
    a.spawn(recorder(got), { name: 'rec' });
    const events = nodeEvents(b);
    (stalled as { stall(): void }).stall();
    for (let i = 0; i < 3; i++) b.ref('troupe://alpha/rec').send({ type: 't', i });
    await advanceUntil(clock, () => got.length === 3, 20, 'the tells to arrive over a new link');
    expect(stalled?.dropped).toBe(0);
    expect(events.map((e) => e.status)).toContain('down');
    expect(got.map((e) => e.i)).toEqual([0, 1, 2]);
  });
});

describe('backpressure', () => {
  it('holds messages while the link’s send buffer is over maxBufferedBytes, refuses beyond bufferLimit, and resumes when it drains', async () => {
    const memory = new MemoryNetwork();
    const inner = memory.transport();
    let buffered = 0;
    const transport: Transport = {
      listen: inner.listen,
      dial: async (url, o) => {
        const link = await inner.dial(url, o);
        Object.defineProperty(link, 'buffered', { get: () => buffered });
        return link;
      },
    };
    pair = await memoryPair({ net: memory, b: { transport, maxBufferedBytes: 1024, reconnect: { bufferLimit: 5 } } });
    const { a, b, clock } = pair;
    const got: AnyEventObject[] = [];
    a.spawn(recorder(got), { name: 'rec' });
    const rec = b.ref('troupe://alpha/rec');
    buffered = 10_000;
    for (let i = 0; i < 8; i++) rec.send({ type: 't', i });
    let outcome: string | undefined;
    rec.ask({ type: 'q' }, { timeoutMs: 60_000 }).then(
      () => {
        outcome = 'resolved';
      },
      (e: { code: string }) => {
        outcome = e.code;
      },
    );
    await advanceUntil(clock, () => outcome !== undefined, 10, 'the ask beyond bufferLimit to fail');
    expect(outcome).toBe('TROUPE_ERR_TOO_MANY_PENDING');
    expect(b.deadLetters.count).toBe(4); // three tells and the ask beyond the five held
    expect(got).toEqual([]);
    buffered = 0;
    await advanceUntil(clock, () => got.length === 5, 10, 'the held tells once the buffer drained');
    expect(got.map((e) => e.i)).toEqual([0, 1, 2, 3, 4]);
  });
});
