import { describe, expect, it } from 'vitest';
import type { Link } from '../../src/index.js';
import { CloseCode, MemoryNetwork } from '../../src/internal.js';
import { until } from './helpers.js';

async function linkPair(net = new MemoryNetwork(), maxFrameBytes = 1 << 20) {
  const transport = net.transport();
  let server: Link | undefined;
  const listener = await transport.listen({ host: '127.0.0.1', port: 0, maxFrameBytes }, (link) => {
    server = link;
  });
  const client = await transport.dial(listener.url, { maxFrameBytes, timeoutMs: 1000 });
  return { net, listener, client, server: server as unknown as Link };
}

function collect(link: Link) {
  const got: { frames: number[][]; closed: [number, string] | undefined } = { frames: [], closed: undefined };
  link.onFrame = (f) => got.frames.push([...f]);
  link.onClose = (code, reason) => {
    got.closed = [code, reason];
  };
  return got;
}

describe('MemoryNetwork', () => {
  describe('links', () => {
    it('deliver frames in order, asynchronously, as copies', async () => {
      const { client, server } = await linkPair();
      const got = collect(server);
      const frame = Uint8Array.from([1]);
      client.send(frame);
      frame[0] = 9;
      client.send(Uint8Array.from([2]));
      expect(got.frames).toEqual([]);
      await until(() => got.frames.length === 2, 1000, 'frames');
      expect(got.frames).toEqual([[1], [2]]);
    });

    it('close behind the frames sent before, on both ends', async () => {
      const { client, server } = await linkPair();
      const atServer = collect(server);
      const atClient = collect(client);
      client.send(Uint8Array.from([1]));
      client.close(4002, 'bye');
      client.send(Uint8Array.from([2]));
      await until(() => atServer.closed !== undefined && atClient.closed !== undefined, 1000, 'close');
      expect(atServer).toEqual({ frames: [[1]], closed: [4002, 'bye'] });
      expect(atClient.closed).toEqual([4002, 'bye']);
    });

    it('close with 1009 when a frame exceeds the receiver’s maxFrameBytes', async () => {
      const { client, server } = await linkPair(new MemoryNetwork(), 4);
      const atServer = collect(server);
      const atClient = collect(client);
      client.send(new Uint8Array(5));
      await until(() => atClient.closed !== undefined, 1000, 'close');
      expect(atClient.closed?.[0]).toBe(CloseCode.TOO_BIG);
      expect(atServer.frames).toEqual([]);
    });
  });

  describe('#sever', () => {
    it('closes both ends with 1006 and loses frames in flight', async () => {
      const { net, listener, client, server } = await linkPair();
      const atServer = collect(server);
      const atClient = collect(client);
      client.send(Uint8Array.from([1]));
      net.sever(listener.port);
      await until(() => atServer.closed !== undefined && atClient.closed !== undefined, 1000, 'close');
      expect(atServer.frames).toEqual([]);
      expect(atServer.closed?.[0]).toBe(CloseCode.ABNORMAL);
      expect(atClient.closed?.[0]).toBe(CloseCode.ABNORMAL);
      expect(net.openLinks).toBe(0);
    });
  });

  describe('#blackhole', () => {
    it('drops frames silently while on', async () => {
      const { net, listener, client, server } = await linkPair();
      const atServer = collect(server);
      net.blackhole(listener.port);
      client.send(Uint8Array.from([1]));
      net.blackhole(listener.port, false);
      client.send(Uint8Array.from([2]));
      await until(() => atServer.frames.length === 1, 1000, 'frame');
      expect(atServer.frames).toEqual([[2]]);
    });
  });

  describe('#dial', () => {
    it('is refused where nothing listens', async () => {
      await expect(
        new MemoryNetwork().transport().dial('memory://127.0.0.1:9', { maxFrameBytes: 1024, timeoutMs: 10 }),
      ).rejects.toMatchObject({
        code: 'TROUPE_ERR_NODE_DOWN',
      });
    });
  });
});
