/**
 * The narrow seam between troupe's node-to-node protocol and the bytes underneath: a `Transport`
 * listens and dials, and hands over `Link`s that carry whole binary frames. `ws-transport.ts`
 * implements it over WebSocket; `memory-transport.ts` in-process, for tests. Nothing here imports ws.
 */

/** A bidirectional channel of whole binary frames, authenticated or not (see {@link Transport}). */
export interface Link {
  /** Human-readable remote end, for inspection (`127.0.0.1:53122`). */
  readonly remote: string;
  /** Bytes accepted by `send` but not yet written. */
  readonly buffered: number;
  /** Queues one frame. Ignored once the link is closed. */
  send(frame: Uint8Array): void;
  /**
   * Optional: false once the link no longer accepts frames (it is closing, e.g. the peer's close
   * frame arrived but the socket has not closed yet). Undefined counts as true.
   */
  readonly writable?: boolean;
  /** Closes with a WebSocket close code (4000–4999 are troupe's). Idempotent. */
  close(code: number, reason: string): void;
  /** Called for each received frame, in order. */
  onFrame: ((frame: Uint8Array) => void) | undefined;
  /** Called once, when the link is closed by either side or fails. */
  onClose: ((code: number, reason: string) => void) | undefined;
  /**
   * Optional: called whenever bytes arrive, even in the middle of a frame. A peer busy sending
   * one large frame over a slow link is alive; heartbeats count this as traffic.
   */
  onActivity?: (() => void) | undefined;
  /**
   * Optional: the peer proved the secret. Until then a transport may bound what it reads from an
   * accepted link (the WebSocket transport closes one that sends more than a handshake's worth).
   */
  authenticated?(): void;
}

/** Where and how to listen. */
export interface TransportListenOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  tls?: { key: string | Uint8Array; cert: string | Uint8Array };
  /**
   * Browser origins allowed to open links. A connection that carries an `Origin` header (every
   * browser sends one; node clients send none) is refused unless its origin is listed here.
   */
  allowOrigins?: readonly string[];
  /**
   * How long an accepted connection may take to become a link (for WebSocket: its TLS handshake
   * and HTTP upgrade request), ms; slower ones are dropped. Default 5000.
   */
  upgradeTimeoutMs?: number;
  /**
   * Connections from one remote address that may be open without having authenticated; more
   * are dropped as they arrive, before any HTTP or WebSocket work. Default: no limit.
   */
  maxUnauthenticatedPerAddress?: number;
  /** Told about a connection refused before it became a link (e.g. its origin). */
  onRefused?(remote: string, detail: string): void;
}

/** How to dial. */
export interface TransportDialOptions {
  maxFrameBytes: number;
  /** Gives up opening the socket after this long, ms. */
  timeoutMs: number;
  tls?: { ca?: string | Uint8Array | (string | Uint8Array)[]; rejectUnauthorized?: boolean };
}

/** A bound listener. */
export interface TransportListener {
  readonly host: string;
  readonly port: number;
  /** The URL other nodes dial. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Opens links. `listen` calls `onLink` for every accepted connection; `dial` resolves with an
 * open link or rejects (refused, unreachable, timed out). troupe runs its handshake, heartbeats
 * and envelopes over any implementation; the default is {@link WsTransport}.
 *
 * @example
 * ```ts
 * // count the frames a node sends, over the default WebSocket transport
 * const ws = new WsTransport();
 * let frames = 0;
 * const counting: Transport = {
 *   listen: (options, onLink) => ws.listen(options, onLink),
 *   dial: async (url, options) => {
 *     const link = await ws.dial(url, options);
 *     const send = link.send.bind(link);
 *     link.send = (frame) => (frames++, send(frame));
 *     return link;
 *   },
 * };
 * const system = createSystem({ node: 'beta', transport: counting });
 * ```
 */
export interface Transport {
  listen(options: TransportListenOptions, onLink: (link: Link) => void): Promise<TransportListener>;
  dial(url: string, options: TransportDialOptions): Promise<Link>;
}

/**
 * True when a dial failed because nothing listens at the address (`ECONNREFUSED` anywhere in the
 * cause chain): the peer's process is gone, not merely slow.
 */
export function isRefused(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
  }
  return false;
}

/** The host part of a link's `remote` (`127.0.0.1:53122` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
export function remoteHost(remote: string): string {
  const colon = remote.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(remote.slice(colon + 1)) ? remote.slice(0, colon) : remote;
}

/** Close codes troupe uses, with the standard ones it relies on. */
export const CloseCode = {
  /** Normal closure: the node shut down or the link was replaced on purpose. */
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** Closed without a close frame (peer crashed, socket reset). */
  ABNORMAL: 1006,
  /** A frame exceeded `maxFrameBytes`. */
  TOO_BIG: 1009,
  AUTH_FAILED: 4001,
  /** Two links to the same peer: this one lost the tie-break (the lower node id's dial is kept). */
  DUPLICATE: 4002,
  /** The peer dialed again; the newer link replaces this one. */
  REPLACED: 4003,
  /** The handshake broke the protocol. */
  PROTOCOL: 4004,
  /** The peer claimed this node's own id. */
  SAME_NODE: 4005,
  HANDSHAKE_TIMEOUT: 4008,
  /** Too many links are authenticating (in all, or from this address); dial again later. */
  TRY_AGAIN_LATER: 1013,
  /** Heartbeats went unanswered. */
  HEARTBEAT_TIMEOUT: 4009,
} as const;
