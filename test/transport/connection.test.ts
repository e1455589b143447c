import { afterEach, describe, expect, it } from 'vitest';
import { type Link, realClock } from '../../src/index.js';
import { encode } from '../../src/transport/codec.js';
import { Connection, type ConnectionHost, errorForClose, PREAUTH_MAX_FRAME_BYTES } from '../../src/transport/connection.js';
import { Kind } from '../../src/transport/envelope.js';
import { MemoryNetwork } from '../../src/transport/memory-transport.js';
import { CloseCode } from '../../src/transport/transport.js';
import { until } from './helpers.js';

const opened: Connection[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close(1000, 'test over');
});

/** A host for one side of a handshake, recording what the connection tells it. */
function host(node: string, secret = 'k', verdict: true | number = true) {
  const log: string[] = [];
  const frames: unknown[] = [];
  const h: ConnectionHost = {
    node,
    secret,
    clock: realClock,
    handshakeTimeoutMs: 5000,
    heartbeatIntervalMs: 3_600_000,
    heartbeatMaxMissed: 3,
    _admit: () => verdict,
    _opened(conn) {
      log.push(`opened ${conn.peer}`);
      conn.receiver = { receive: (_c, frame) => frames.push(frame) };
    },
    _closed(_conn, code) {
      log.push(`closed ${code}`);
    },
    _report(status) {
      log.push(status);
    },
  };
  return { h, log, frames };
}

/** A listening side and a dialed link to it, over the in-process network. */
async function linked(listener: ConnectionHost): Promise<{ dialed: Link; accepted: Promise<Connection> }> {
  const transport = new MemoryNetwork().transport();
  let accept!: (c: Connection) => void;
  const accepted = new Promise<Connection>((resolve) => {
    accept = resolve;
  });
  const server = await transport.listen({ host: '127.0.0.1', port: 0, maxFrameBytes: 1 << 20 }, (link) => {
    const conn = new Connection(listener, link, 'listener');
    opened.push(conn);
    accept(conn);
  });
  const dialed = await transport.dial(`memory://127.0.0.1:${server.port}`, { maxFrameBytes: 1 << 20, timeoutMs: 1000 });
  return { dialed, accepted };
}

describe('Connection', () => {
  describe('handshake', () => {
    it('opens both ends with each other’s node id, and hands later frames to the receiver', async () => {
      const alpha = host('alpha');
      const beta = host('beta');
      const { dialed, accepted } = await linked(alpha.h);
      const dialer = new Connection(beta.h, dialed, 'dialer');
      opened.push(dialer);
      await expect(dialer.opened).resolves.toBe('alpha');
      const listener = await accepted;
      await expect(listener.opened).resolves.toBe('beta');
      expect([alpha.log, beta.log]).toEqual([['opened beta'], ['opened alpha']]);
      dialer.send(encode([[Kind.PING]]));
      await until(() => alpha.frames.length === 1, 5000, 'a frame at the receiver');
      expect(listener.state).toBe('open');
    });

    it('fails with TROUPE_ERR_AUTH_FAILED on both ends when the secrets differ', async () => {
      const alpha = host('alpha', 'one');
      const { dialed, accepted } = await linked(alpha.h);
      const dialer = new Connection(host('beta', 'two').h, dialed, 'dialer');
      await expect((await accepted).opened).rejects.toMatchObject({ code: 'TROUPE_ERR_AUTH_FAILED' });
      await expect(dialer.opened).rejects.toMatchObject({ code: 'TROUPE_ERR_AUTH_FAILED' });
      expect(alpha.log).toContain('auth-failed');
    });

    it('closes a link that sends more than a handshake frame before authenticating', async () => {
      const alpha = host('alpha');
      const { dialed, accepted } = await linked(alpha.h);
      dialed.onFrame = () => {};
      dialed.send(new Uint8Array(PREAUTH_MAX_FRAME_BYTES + 1));
      await expect((await accepted).opened).rejects.toMatchObject({ code: 'TROUPE_ERR_PROTOCOL' });
      expect(alpha.log).toContain(`closed ${CloseCode.PROTOCOL}`);
    });

    it('is refused with the host’s verdict (a duplicate link)', async () => {
      const { dialed, accepted } = await linked(host('alpha', 'k', CloseCode.DUPLICATE).h);
      const dialer = new Connection(host('beta').h, dialed, 'dialer');
      await expect((await accepted).opened).rejects.toMatchObject({ code: 'TROUPE_ERR_PROTOCOL' });
      await expect(dialer.opened).rejects.toMatchObject({ code: 'TROUPE_ERR_PROTOCOL' });
    });
  });

  describe('errorForClose', () => {
    it('maps close codes to error codes', () => {
      expect(errorForClose(CloseCode.AUTH_FAILED, '', 'r').code).toBe('TROUPE_ERR_AUTH_FAILED');
      expect(errorForClose(CloseCode.TOO_BIG, '', 'r').code).toBe('TROUPE_ERR_FRAME_TOO_LARGE');
      expect(errorForClose(CloseCode.DUPLICATE, 'x', 'r').code).toBe('TROUPE_ERR_PROTOCOL');
      expect(errorForClose(CloseCode.GOING_AWAY, '', 'r').message).toBe('link to r closed before it opened: code 1001');
    });
  });
});
