import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, type CreateSystemOptions, createSystem, type Link, type Transport, WsTransport } from '../../src/index.js';
import { CloseCode, MemoryNetwork } from '../../src/internal.js';
import { codecStats } from '../../src/transport/codec.js';
import { nodeEvents, until } from './helpers.js';

const systems: ActorSystem[] = [];
const links: Link[] = [];
afterEach(async () => {
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

  it('refuses links beyond maxPendingHandshakes with 1013, and accepts again once they end', async () => {
    const net = new MemoryNetwork();
    const transport = net.transport();
    const { sys, url } = await listening(transport, 'memory', { maxPendingHandshakes: 2 });
    const events = nodeEvents(sys);
    const first = await rawLink(transport, url);
    const second = await rawLink(transport, url);
    const third = await rawLink(transport, url);
    await until(() => third.closed() !== undefined, 5000, 'the third link to be refused');
    expect(third.closed()).toBe(CloseCode.TRY_AGAIN_LATER);
    expect(first.closed()).toBeUndefined();
    expect(events.some((e) => e.status === 'refused' && e.code === CloseCode.TRY_AGAIN_LATER)).toBe(true);
    first.link.close(1000, 'bye');
    second.link.close(1000, 'bye');
    await until(() => first.closed() !== undefined && second.closed() !== undefined, 5000, 'the pending links to end');
    const beta = createSystem({ node: 'beta', secret: 'k', transport });
    systems.push(beta);
    await expect(beta.connect(url)).resolves.toBe('alpha');
  });

  it('refuses links beyond maxPendingHandshakesPerAddress from one address (ws)', async () => {
    const transport = new WsTransport();
    const { url } = await listening(transport, 'ws', { maxPendingHandshakesPerAddress: 2 });
    const pending = [await rawLink(transport, url), await rawLink(transport, url)];
    const extra = await rawLink(transport, url);
    await until(() => extra.closed() !== undefined, 5000, 'the extra link to be refused');
    expect(extra.closed()).toBe(CloseCode.TRY_AGAIN_LATER);
    expect(pending.map((p) => p.closed())).toEqual([undefined, undefined]);
  });
});
