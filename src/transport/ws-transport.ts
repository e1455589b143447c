import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { createError } from '../errors.js';
import {
  CloseCode,
  type Link,
  type Transport,
  type TransportDialOptions,
  type TransportListener,
  type TransportListenOptions,
} from './transport.js';

const kLink = Symbol('troupe.link');
type Socket = WebSocket & { [kLink]?: WsLink };

/** How long an accepted socket may take to become a WebSocket (its HTTP upgrade), ms. */
export const DEFAULT_UPGRADE_TIMEOUT_MS = 5000;

/** How long a closing link waits for the peer's close frame before the socket is destroyed, ms. */
const CLOSE_GRACE_MS = 2000;

/**
 * Bytes an accepted socket may deliver before its peer authenticated: the handshake needs a few
 * hundred. Past this the link is closed (4004) and nothing more is read from it, so an
 * unauthenticated client cannot make this node buffer a large frame.
 */
export const PREAUTH_MAX_BYTES = 8 * 1024;

/** A link over one WebSocket. Socket events reach it through `kLink`, so there are no per-link closures. */
class WsLink implements Link {
  readonly remote: string;
  readonly #socket: Socket;
  #closing = false;
  #onFrame: ((frame: Uint8Array) => void) | undefined;
  /** Frames (and a close) that arrived before the owner's handlers: a dialed socket can receive in the tick it opens. */
  #backlog: Uint8Array[] | undefined = [];
  #backlogClose: [number, string] | undefined;
  #draining = false;
  onClose: ((code: number, reason: string) => void) | undefined;
  onActivity: (() => void) | undefined;
  /** Set by the socket's error event: the close that follows reports it. */
  error: Error | undefined;
  /** The close was reported already (the link gave up on the socket itself). */
  #reported = false;
  readonly #raw: NetSocket | undefined;
  /** Bytes left before authentication, for an accepted socket; undefined once unbounded. */
  #preauthLeft: number | undefined;

  /**
   * @param raw the TCP socket underneath, to watch raw bytes
   * @param preauthBytes for an accepted socket: how much it may send before {@link authenticated}
   */
  /** Stops counting this socket among its address's unauthenticated ones. */
  readonly #proven: (() => void) | undefined;

  constructor(socket: Socket, remote: string, raw?: NetSocket, preauthBytes?: number, proven?: () => void) {
    this.#socket = socket;
    this.#proven = proven;
    this.remote = remote;
    this.#raw = raw;
    this.#preauthLeft = preauthBytes;
    socket[kLink] = this;
    socket.binaryType = 'nodebuffer';
    socket.on('message', socketOnMessage);
    socket.on('close', socketOnClose);
    socket.on('error', socketOnError);
    if (raw !== undefined && preauthBytes !== undefined) raw.prependListener('data', this.#onData);
    raw?.on('data', this.#onBytes);
  }

  readonly #onBytes = (): void => {
    this.onActivity?.();
  };

  readonly #onData = (chunk: Buffer): void => {
    const left = this.#preauthLeft;
    if (left === undefined) return;
    this.#preauthLeft = left - chunk.byteLength;
    if (this.#preauthLeft < 0) this.#abort(CloseCode.PROTOCOL, 'too many bytes before authentication');
  };

  authenticated(): void {
    this.#proven?.();
    this.#preauthLeft = undefined;
    this.#raw?.off('data', this.#onData);
  }

  /** Closes with `code`, stops reading from the socket, and reports the close now. */
  #abort(code: number, reason: string): void {
    this.#preauthLeft = undefined;
    this.#raw?.off('data', this.#onData);
    this.close(code, reason);
    this.#raw?.pause();
    this.#raw?.end();
    this._closed(code, reason);
  }

  get writable(): boolean {
    return this.#socket.readyState === WebSocket.OPEN && !this.#closing;
  }

  get buffered(): number {
    return this.#socket.bufferedAmount;
  }

  get onFrame(): ((frame: Uint8Array) => void) | undefined {
    return this.#onFrame;
  }

  set onFrame(handler: ((frame: Uint8Array) => void) | undefined) {
    this.#onFrame = handler;
    if (handler !== undefined && this.#backlog !== undefined && !this.#draining) {
      this.#draining = true;
      queueMicrotask(() => this.#drain());
    }
  }

  /** @internal */
  _frame(frame: Uint8Array): void {
    if (this.#reported) return;
    if (this.#backlog !== undefined) this.#backlog.push(frame);
    else this.#onFrame?.(frame);
  }

  /** @internal */
  _closed(code: number, reason: string): void {
    if (this.#reported) return;
    this.#reported = true;
    if (this.#backlog !== undefined) this.#backlogClose = [code, reason];
    else this.onClose?.(code, reason);
  }

  #drain(): void {
    const backlog = this.#backlog as Uint8Array[];
    while (backlog.length > 0) this.#onFrame?.(backlog.shift() as Uint8Array);
    this.#backlog = undefined;
    const close = this.#backlogClose;
    this.#backlogClose = undefined;
    if (close !== undefined) this.onClose?.(close[0], close[1]);
  }

  send(frame: Uint8Array): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    const socket = this.#socket;
    if (socket.readyState === WebSocket.CLOSED) return;
    try {
      socket.close(code, Buffer.byteLength(reason) > 120 ? reason.slice(0, 60) : reason);
    } catch {
      socket.terminate();
      return;
    }
    setTimeout(() => {
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    }, CLOSE_GRACE_MS).unref();
  }
}

function socketOnMessage(this: Socket, data: Buffer): void {
  this[kLink]?._frame(data);
}

function socketOnClose(this: Socket, code: number, reason: Buffer): void {
  const link = this[kLink];
  if (link === undefined) return;
  this[kLink] = undefined;
  const text = reason.length > 0 ? reason.toString() : (link.error?.message ?? '');
  link._closed(code, text);
}

function socketOnError(this: Socket, error: Error): void {
  const link = this[kLink];
  if (link !== undefined) link.error = error;
}

/** The TCP socket under a TLS one (the one the server's `connection` event saw). */
function tcpOf(socket: NetSocket): NetSocket {
  return (socket as NetSocket & { _parent?: NetSocket })._parent ?? socket;
}

function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value);
}

function caOf(ca: string | Uint8Array | (string | Uint8Array)[] | undefined): string | Buffer | (string | Buffer)[] | undefined {
  if (ca === undefined) return undefined;
  return Array.isArray(ca) ? ca.map(pem) : pem(ca);
}

function remoteOf(req: IncomingMessage): string {
  const s = req.socket;
  return s.remoteFamily === 'IPv6' ? `[${s.remoteAddress}]:${s.remotePort}` : `${s.remoteAddress}:${s.remotePort}`;
}

/**
 * The WebSocket transport: one `ws` server per listening node (over `https` when given a key and
 * certificate), one `ws` client per dialed link. Compression is off: frames are small msgpack
 * batches, and deflate would cost more CPU than it saves on a LAN.
 *
 * @example
 * ```ts
 * const system = createSystem({ node: 'alpha', listen: { port: 7400 }, transport: new WsTransport() });
 * ```
 */
export class WsTransport implements Transport {
  async listen(options: TransportListenOptions, onLink: (link: Link) => void): Promise<TransportListener> {
    const tls = options.tls;
    const upgradeMs = options.upgradeTimeoutMs ?? DEFAULT_UPGRADE_TIMEOUT_MS;
    const server: Server =
      tls === undefined
        ? createHttpServer({ headersTimeout: upgradeMs, requestTimeout: upgradeMs })
        : createHttpsServer({
            key: pem(tls.key),
            cert: pem(tls.cert),
            handshakeTimeout: upgradeMs,
            headersTimeout: upgradeMs,
            requestTimeout: upgradeMs,
          });
    // Node checks headersTimeout only every 30 s, and an upgrade is not a request that ends: each
    // socket gets its own deadline to become a WebSocket (a byte every 200 ms keeps it no longer).
    const upgrades = new WeakMap<NetSocket, NodeJS.Timeout>();
    const releases = new WeakMap<NetSocket, () => void>();
    // Sockets not yet authenticated, per remote address: past the limit a new one is dropped at
    // once, before any HTTP or WebSocket work (the cheapest answer to a flood from one address).
    const unproven = new Map<string, number>();
    const perAddress = options.maxUnauthenticatedPerAddress ?? Number.POSITIVE_INFINITY;
    server.on('connection', (socket: NetSocket) => {
      const host = socket.remoteAddress ?? '';
      const count = unproven.get(host) ?? 0;
      if (count >= perAddress) {
        socket.destroy();
        options.onRefused?.(`${host}:${socket.remotePort}`, `${count} unauthenticated connections from ${host} already`);
        return;
      }
      unproven.set(host, count + 1);
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        const left = (unproven.get(host) ?? 1) - 1;
        if (left === 0) unproven.delete(host);
        else unproven.set(host, left);
      };
      releases.set(socket, release);
      socket.once('close', release);
    });
    server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: NetSocket) => {
      if (socket.destroyed) return;
      const timer = setTimeout(() => {
        options.onRefused?.(`${socket.remoteAddress}:${socket.remotePort}`, `no WebSocket upgrade within ${upgradeMs} ms`);
        socket.destroy();
      }, upgradeMs);
      timer.unref();
      upgrades.set(socket, timer);
      socket.once('close', () => clearTimeout(timer));
    });
    const allowOrigins = new Set(options.allowOrigins ?? []);
    const wss = new WebSocketServer({
      server,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: true,
      // A web page can open a WebSocket to any address its browser reaches, loopback included; it
      // cannot hide its Origin. Node peers send none, so a listed origin is the only way in for a page.
      verifyClient: (
        info: { origin: string | undefined; req: IncomingMessage },
        done: (ok: boolean, code?: number, message?: string) => void,
      ) => {
        const origin = info.origin ?? info.req.headers.origin;
        if (origin === undefined || allowOrigins.has(origin)) {
          done(true);
          return;
        }
        options.onRefused?.(remoteOf(info.req), `a connection from origin ${JSON.stringify(origin.slice(0, 200))} (not in allowOrigins)`);
        done(false, 403, 'Forbidden origin');
      },
    });
    wss.on('connection', (socket: Socket, req: IncomingMessage) => {
      const raw = req.socket as NetSocket;
      clearTimeout(upgrades.get(raw));
      onLink(new WsLink(socket, remoteOf(req), raw, PREAUTH_MAX_BYTES, releases.get(tcpOf(raw))));
    });
    wss.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) =>
        reject(createError('TROUPE_ERR_NODE_DOWN', `cannot listen on ${options.host}:${options.port}: ${err.message}`, { cause: err }));
      server.once('error', onError);
      server.listen(options.port, options.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', () => {});
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      host: address.address,
      port: address.port,
      url: `${tls === undefined ? 'ws' : 'wss'}://${host}:${address.port}`,
      close: () => closeServer(server, wss),
    };
  }

  dial(url: string, options: TransportDialOptions): Promise<Link> {
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) {
      return Promise.reject(createError('TROUPE_ERR_INVALID_OPTION', `not a ws:// or wss:// URL: ${String(url)}`));
    }
    return new Promise<Link>((resolve, reject) => {
      let socket: Socket;
      try {
        socket = new WebSocket(url, {
          maxPayload: options.maxFrameBytes,
          perMessageDeflate: false,
          handshakeTimeout: options.timeoutMs,
          ca: caOf(options.tls?.ca),
          rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
        });
      } catch (err) {
        reject(createError('TROUPE_ERR_INVALID_OPTION', `bad URL ${url}: ${(err as Error).message}`));
        return;
      }
      const onError = (err: Error) => {
        socket.off('open', onOpen);
        const hint = (err as { code?: unknown }).code === 'ECONNREFUSED' ? ' (is the node running and listening there?)' : '';
        reject(createError('TROUPE_ERR_NODE_DOWN', `cannot reach ${url}: ${err.message}${hint}`, { cause: err }));
      };
      let raw: NetSocket | undefined;
      const onOpen = () => {
        socket.off('error', onError);
        resolve(new WsLink(socket, url, raw));
      };
      socket.once('upgrade', (response: IncomingMessage) => {
        raw = response.socket as NetSocket;
      });
      socket.once('error', onError);
      socket.once('open', onOpen);
    });
  }
}

/** Waits briefly for links to finish their close handshakes, then drops the rest and the server. */
async function closeServer(server: Server, wss: WebSocketServer): Promise<void> {
  const open = [...wss.clients].filter((s) => s.readyState !== WebSocket.CLOSED);
  for (const s of open) if (s.readyState === WebSocket.OPEN) s.close(CloseCode.GOING_AWAY, 'node shutting down');
  await Promise.race([
    Promise.all(
      open.map((s) => new Promise<void>((resolve) => (s.readyState === WebSocket.CLOSED ? resolve() : s.once('close', () => resolve())))),
    ),
    new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
  ]);
  for (const s of wss.clients) s.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
