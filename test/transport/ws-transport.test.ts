import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { AnyEventObject } from 'xstate';
import { type ActorSystem, type CreateSystemOptions, createSystem, type Transport, WsTransport } from '../../src/index.js';
import { CloseCode, createNonce, encodeFrame, Kind, PROTOCOL_VERSION } from '../../src/internal.js';
import { counterMachine } from '../support/machines.js';
import { nodeEvents, recorder, until } from './helpers.js';

/** TCP sockets of this process, not yet destroyed, to or from one of `ports`. */
function openSockets(ports: number[]): number {
  return tcpSockets().filter((s) => ports.includes(s.localPort as number) || ports.includes(s.remotePort as number)).length;
}

/** Sockets this process dialed to `port`. */
function dialedSockets(port: number): number {
  return tcpSockets().filter((s) => s.remotePort === port).length;
}

function tcpSockets(): Socket[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h): h is Socket => h instanceof Socket && !h.destroyed && h.remotePort !== undefined);
}

const systems: ActorSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0).reverse()) await s.shutdown();
});

function system(options: CreateSystemOptions): ActorSystem {
  const s = createSystem({ secret: 'k', ...options });
  systems.push(s);
  return s;
}

async function listening(options: CreateSystemOptions = {}): Promise<{ sys: ActorSystem; url: string }> {
  const sys = system({ node: 'alpha', listen: { port: 0 }, logic: { counter: counterMachine }, ...options });
  await sys.ready;
  const scheme = options.tls?.key !== undefined ? 'wss' : 'ws';
  return { sys, url: `${scheme}://127.0.0.1:${sys.listenAddress?.port}` };
}

describe('WsTransport (real sockets on 127.0.0.1)', () => {
  it('binds port 0 and reports the bound address once ready', async () => {
    const { sys } = await listening();
    expect(sys.listenAddress).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(sys.listenAddress?.port).toBeGreaterThan(0);
  });

  it('carries spawnOn, tells and asks between two nodes', async () => {
    const { url } = await listening();
    const beta = system({ node: 'beta' });
    await expect(beta.connect(url)).resolves.toBe('alpha');
    const counter = await beta.spawnOn('alpha', 'counter', { name: 'c' });
    for (let i = 0; i < 100; i++) counter.send({ type: 'inc' });
    await expect(counter.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 100 });
  });

  it('ends with exactly one link when two nodes dial each other at once', async () => {
    // both dials wait for each other, so the two handshakes overlap
    const ws = new WsTransport();
    let started = 0;
    let go!: () => void;
    const bothStarted = new Promise<void>((r) => {
      go = r;
    });
    const overlapping: Transport = {
      listen: (o, onLink) => ws.listen(o, onLink),
      dial: async (url, o) => {
        if (++started === 2) go();
        await bothStarted;
        return ws.dial(url, o);
      },
    };
    const x = system({ node: 'x', listen: { port: 0 }, logic: { counter: counterMachine }, transport: overlapping });
    const y = system({ node: 'y', listen: { port: 0 }, logic: { counter: counterMachine }, transport: overlapping });
    await Promise.all([x.ready, y.ready]);
    const ports = [x.listenAddress?.port as number, y.listenAddress?.port as number];
    const ups = { x: nodeEvents(x), y: nodeEvents(y) };
    const both = await Promise.all([x.connect(`ws://127.0.0.1:${ports[1]}`), y.connect(`ws://127.0.0.1:${ports[0]}`)]);
    expect(both).toEqual(['y', 'x']);
    // one link is two sockets in this process: the dialer's and the listener's
    await until(() => openSockets(ports) === 2, 5000, 'the surplus link to close');
    await expect((await x.spawnOn('y', 'counter')).ask({ type: 'get' })).resolves.toMatchObject({ type: 'count' });
    await expect((await y.spawnOn('x', 'counter')).ask({ type: 'get' })).resolves.toMatchObject({ type: 'count' });
    expect(openSockets(ports)).toBe(2);
    // The surplus link was dropped without the nodes ever seeing each other go down.
    expect(ups.x.some((e) => e.status === 'up')).toBe(true);
    expect([...ups.x, ...ups.y].filter((e) => e.status === 'down')).toEqual([]);
  });

  it('does not let a listener claiming a node id it has not proven block that node from dialing in', async () => {
    // an impostor that says it is 'y' in its challenge, then never finishes the handshake
    const impostor = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    impostor.on('connection', (socket) => socket.send(encodeFrame([Kind.HELLO, PROTOCOL_VERSION, 'y', createNonce()])));
    await new Promise<void>((r) => impostor.once('listening', () => r()));
    try {
      const { sys: x, url } = await listening({ handshakeTimeoutMs: 3000 });
      void x.connect(`ws://127.0.0.1:${(impostor.address() as { port: number }).port}`).catch(() => 'failed');
      const y = system({ node: 'y', handshakeTimeoutMs: 1000 });
      await expect(y.connect(url)).resolves.toBe('alpha');
    } finally {
      for (const c of impostor.clients) c.terminate();
      impostor.close();
    }
  });

  describe('shutdown', () => {
    it('resolves once its dialed and accepted sockets are closed', async () => {
      const { sys: alpha, url } = await listening();
      const port = alpha.listenAddress?.port as number;
      const beta = system({ node: 'beta' });
      await beta.connect(url);
      const counter = await beta.spawnOn('alpha', 'counter');
      await counter.ask({ type: 'get' });
      expect(openSockets([port])).toBe(2);
      await beta.shutdown();
      expect(dialedSockets(port)).toBe(0);
      await alpha.shutdown();
      expect(openSockets([port])).toBe(0);
    });
  });

  it('rejects a wrong secret with TROUPE_ERR_AUTH_FAILED', async () => {
    const { sys, url } = await listening();
    const events = nodeEvents(sys);
    const eve = system({ node: 'eve', secret: 'guess' });
    await expect(eve.connect(url)).rejects.toMatchObject({ code: 'TROUPE_ERR_AUTH_FAILED' });
    expect(events.some((e) => e.status === 'auth-failed' && e.peer === 'eve')).toBe(true);
  });

  it('rejects ready when the port is taken', async () => {
    const { sys } = await listening();
    const second = system({ node: 'other', listen: { port: sys.listenAddress?.port as number } });
    await expect(second.ready).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
  });

  it('closes a link that delivers a frame over maxFrameBytes with 1009, and both nodes carry on', async () => {
    const { sys, url } = await listening({ maxFrameBytes: 4096 });
    const got: AnyEventObject[] = [];
    sys.spawn(recorder(got), { name: 'rec' });
    const beta = system({ node: 'beta', reconnect: { minMs: 10, maxMs: 50 } });
    const events = nodeEvents(beta);
    await beta.connect(url);
    beta.ref('troupe://alpha/rec').send({ type: 'big', text: 'x'.repeat(10_000) });
    await until(() => events.some((e) => e.status === 'down'), 5000, 'down');
    expect(events.find((e) => e.status === 'down')?.code).toBe(CloseCode.TOO_BIG);
    await until(() => events.some((e) => e.status === 'up'), 5000, 'up again');
    beta.ref('troupe://alpha/rec').send({ type: 'small' });
    await until(() => got.length === 1, 5000, 'small tell');
    expect(got[0].type).toBe('small');
  });

  describe('browser origins', () => {
    /** Opens a WebSocket as a browser would (with an Origin header); resolves with how it ended. */
    function browserDial(url: string, origin: string): Promise<string> {
      return new Promise((resolve) => {
        const ws = new WebSocket(url, { origin });
        ws.on('unexpected-response', (_req, res) => {
          resolve(`http ${res.statusCode}`);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve('open');
          ws.close();
        });
        ws.on('error', () => resolve('error'));
      });
    }

    it('refuses an upgrade that carries an Origin header, even on loopback without a secret', async () => {
      const alpha = createSystem({ node: 'alpha', listen: { port: 0 }, logic: { counter: counterMachine } });
      systems.push(alpha);
      await alpha.ready;
      const events = nodeEvents(alpha);
      const url = `ws://127.0.0.1:${alpha.listenAddress?.port}`;
      await expect(browserDial(url, 'https://evil.example')).resolves.toBe('http 403');
      expect(events.some((e) => e.status === 'refused' && /evil\.example/.test(e.detail ?? ''))).toBe(true);
      // node peers send no Origin and still connect
      const beta = system({ node: 'beta', secret: '' });
      await expect(beta.connect(url)).resolves.toBe('alpha');
    });

    it('accepts an origin listed in allowOrigins', async () => {
      const { url } = await listening({ allowOrigins: ['https://app.example'] });
      await expect(browserDial(url, 'https://app.example')).resolves.toBe('open');
      await expect(browserDial(url, 'https://other.example')).resolves.toBe('http 403');
    });
  });

  it('rejects a URL that is not ws:// or wss://', async () => {
    await expect(new WsTransport().dial('http://127.0.0.1:1', { maxFrameBytes: 1024, timeoutMs: 100 })).rejects.toMatchObject({
      code: 'TROUPE_ERR_INVALID_OPTION',
    });
  });

  it('stops counting a link against maxPendingHandshakesPerAddress once it authenticated (ws)', async () => {
    const { url } = await listening({ maxPendingHandshakesPerAddress: 1 });
    for (const node of ['b1', 'b2', 'b3']) await expect(system({ node }).connect(url)).resolves.toBe('alpha');
  });

  describe('with TLS', () => {
    let dir: string;
    let key: string;
    let cert: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'troupe-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      key = readFileSync(join(dir, 'key.pem'), 'utf8');
      cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('serves wss:// to a dialer that trusts the certificate', async () => {
      const { url } = await listening({ tls: { key, cert } });
      expect(url.startsWith('wss://')).toBe(true);
      const beta = system({ node: 'beta', tls: { ca: cert } });
      await expect(beta.connect(url)).resolves.toBe('alpha');
      const counter = await beta.spawnOn('alpha', 'counter');
      await expect(counter.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 0 });
    });

    it('stops counting a link against maxPendingHandshakesPerAddress once it authenticated (wss)', async () => {
      const { url } = await listening({ tls: { key, cert }, maxPendingHandshakesPerAddress: 1 });
      for (const node of ['b1', 'b2', 'b3']) {
        await expect(system({ node, tls: { ca: cert } }).connect(url)).resolves.toBe('alpha');
      }
    });

    it('refuses a certificate the dialer does not trust', async () => {
      const { url } = await listening({ tls: { key, cert } });
      const beta = system({ node: 'beta' });
      await expect(beta.connect(url)).rejects.toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    });
  });
});
