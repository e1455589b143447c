import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ActorSystem, type CreateSystemOptions, createSystem, type Link, type Transport, WsTransport } from '../../src/index.js';
import { CloseCode, MemoryNetwork } from '../../src/internal.js';
import { codecStats } from '../../src/transport/codec.js';
import { nodeEvents, until } from './helpers.js';

const systems: ActorSystem[] = [];
const links: Link[] = [];
const sockets: { destroy?(): void; terminate?(): void }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate ? s.terminate() : s.destroy?.();
  for (const l of links.splice(0)) l.close(1000, 'test over');
  for (const s of systems.splice(0).reverse()) await s.shutdown();
});

async function listening(transport: Transport, scheme: string, options: CreateSystemOptions = {}) {
  const sys = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'k', transport, ...options });
  systems.push(sys);
  await sys.ready;
  return { sys, url: `${scheme}://127.0.0.1:${sys.listenAddress?.port}` };
}

/** A link that never speaks the handshake; records its close code. */
async function rawLink(transport: Transport, url: string): Promise<{ link: Link; closed: () => number | undefined }> {
  const link = await transport.dial(url, { maxFrameBytes: 64 * 1024 * 1024, timeoutMs: 5000 });
  links.push(link);
  let code: number | undefined;
  link.onFrame = () => {};
  link.onClose = (c) => {
    code = c;
  };
  return { link, closed: () => code };
}

/** `n` bytes that would decode into n - 5 empty maps: the amplification the bound prevents. */
function emptyMaps(n: number): Uint8Array {
  const frame = Buffer.alloc(n, 0x80);
  frame[0] = 0xdd;
  frame.writeUInt32BE(n - 5, 1);
  return frame;
}

describe('before authentication', () => {
  for (const [name, make, scheme] of [
    ['memory', () => new MemoryNetwork().transport(), 'memory'],
    ['ws', () => new WsTransport(), 'ws'],
  ] as const) {
    it(`closes a frame over 1 KiB unread with 4004 (${name})`, async () => {
      const transport = make();
      const { sys, url } = await listening(transport, scheme);
      const events = nodeEvents(sys);
      const { link, closed } = await rawLink(transport, url);
      const decodes = codecStats.decodes;
      link.send(emptyMaps(2048));
      await until(() => closed() !== undefined, 10_000, 'the listener to close the link');
      expect(closed()).toBe(CloseCode.PROTOCOL);
      expect(codecStats.decodes).toBe(decodes);
      expect(events.some((e) => e.status === 'frame-error' && e.code === CloseCode.PROTOCOL)).toBe(true);
    });
  }

  it('stops reading a socket that sends a large frame before authenticating (ws)', async () => {
    const transport = new WsTransport();
    const { url } = await listening(transport, 'ws');
    const { link, closed } = await rawLink(transport, url);
    const decodes = codecStats.decodes;
    link.send(emptyMaps(4 * 1024 * 1024));
    await until(() => closed() !== undefined, 10_000, 'the listener to close the link');
    expect(closed()).toBe(CloseCode.PROTOCOL);
    expect(codecStats.decodes).toBe(decodes);
  });

  it('evicts the oldest pending link beyond maxPendingHandshakes with 1013, and keeps the newcomer', async () => {
    const net = new MemoryNetwork();
    const transport = net.transport();
    const { sys, url } = await listening(transport, 'memory', { maxPendingHandshakes: 2 });
    const events = nodeEvents(sys);
    const first = await rawLink(transport, url);
    const second = await rawLink(transport, url);
    const third = await rawLink(transport, url);
    await until(() => first.closed() !== undefined, 5000, 'the oldest link to be evicted');
    expect(first.closed()).toBe(CloseCode.TRY_AGAIN_LATER);
    expect([second.closed(), third.closed()]).toEqual([undefined, undefined]);
    expect(events.some((e) => e.status === 'refused' && e.code === CloseCode.TRY_AGAIN_LATER && e.detail?.includes('evicted'))).toBe(true);
    const beta = createSystem({ node: 'beta', secret: 'k', transport });
    systems.push(beta);
    await expect(beta.connect(url)).resolves.toBe('alpha');
  });

  it('drops a connection beyond maxPendingHandshakesPerAddress from one address as it arrives (ws)', async () => {
    const transport = new WsTransport();
    const { sys, url } = await listening(transport, 'ws', { maxPendingHandshakesPerAddress: 2 });
    const events = nodeEvents(sys);
    const pending = [await rawLink(transport, url), await rawLink(transport, url)];
    await expect(rawLink(transport, url)).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    expect(pending.map((p) => p.closed())).toEqual([undefined, undefined]);
    expect(events.some((e) => e.status === 'refused' && e.detail?.includes('unauthenticated connections'))).toBe(true);
  });

  it('links a real node while silent sockets from other addresses hold every pending slot (ws)', async () => {
    const { sys, url } = await listening(new WsTransport(), 'ws', { maxPendingHandshakes: 8, maxPendingHandshakesPerAddress: 4 });
    const events = nodeEvents(sys);
    const silent: WebSocket[] = [];
    const opened: Promise<unknown>[] = [];
    // 6 from 127.0.0.2 (2 over its address limit), 3 from each of 127.0.0.3–5: 13 for 8 slots
    for (const [address, n] of [
      ['127.0.0.2', 6],
      ['127.0.0.3', 3],
      ['127.0.0.4', 3],
      ['127.0.0.5', 3],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const socket = new WebSocket(url, { localAddress: address });
        socket.on('error', () => {});
        silent.push(socket);
        opened.push(new Promise((resolve) => socket.once('open', resolve).once('close', resolve)));
      }
    }
    sockets.push(...silent);
    await Promise.all(opened);
    const refusals = () => events.filter((e) => e.status === 'refused');
    await until(() => refusals().filter((e) => e.detail?.includes('evicted')).length >= 1, 5000, 'an eviction');
    expect(refusals().some((e) => e.detail?.includes('unauthenticated connections from 127.0.0.2'))).toBe(true);
    const beta = createSystem({ node: 'beta', secret: 'k' });
    systems.push(beta);
    await expect(beta.connect(url)).resolves.toBe('alpha');
    expect(silent.filter((s) => s.readyState === WebSocket.OPEN).length).toBeGreaterThan(0);
  });

  it('drops a socket whose HTTP upgrade request is slower than handshakeTimeoutMs (ws)', async () => {
    const { sys, url } = await listening(new WsTransport(), 'ws', { handshakeTimeoutMs: 300 });
    const events = nodeEvents(sys);
    const port = Number(new URL(url).port);
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed && sent < request.length) socket.write(request[sent++]);
    }, 50);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 10 s')), 10_000))]);
    clearInterval(drip);
    expect(sent).toBeLessThan(request.length);
    expect(events.some((e) => e.status === 'refused' && e.detail?.includes('no WebSocket upgrade'))).toBe(true);
  });
});
