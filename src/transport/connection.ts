import { validateNodeId } from '../actors/address.js';
import { createError, type TroupeError } from '../errors.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { decode, encode } from './codec.js';
import { Kind, PROTOCOL_VERSION } from './envelope.js';
import { createNonce, createProof, type HandshakeRole, type HandshakeTranscript, isNonce, verifyProof } from './handshake.js';
import { Heartbeat } from './heartbeat.js';
import { CloseCode, type Link } from './transport.js';

/**
 * - `hello`: the listener sent its challenge and waits for the dialer's answer (or, on the dialer,
 *   the dialer waits for that challenge).
 * - `auth`: the dialer answered and waits for the listener's proof.
 * - `open`: both sides proved the secret; envelopes flow.
 * - `closed`: final.
 */
export type ConnectionState = 'hello' | 'auth' | 'open' | 'closed';

/** What a connection needs from the node that owns it. */
export interface ConnectionHost {
  readonly node: string;
  readonly secret: string;
  readonly clock: Clock;
  readonly handshakeTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatMaxMissed: number;
  /**
   * The peer proved the secret: keep this link (true), or the close code to drop it with
   * (4002 for a duplicate, 1001 while shutting down). No side effects.
   */
  _admit(conn: Connection): true | number;
  /** The connection is open: route the peer's traffic through it. */
  _opened(conn: Connection): void;
  /** The connection closed, in any state. */
  _closed(conn: Connection, code: number, reason: string): void;
  /** Reports a handshake event to inspection. */
  _report(status: 'auth-failed' | 'frame-error' | 'refused', peer: string | undefined, detail: string, code?: number): void;
}

/** Where an open connection's frames go: the endpoint of its peer. */
export interface FrameReceiver {
  receive(conn: Connection, frame: Uint8Array): void;
}

/**
 * Largest frame accepted before the peer proved the secret. Handshake frames are a few hundred
 * bytes (node ids are at most 100 characters); anything larger is closed unread, so an
 * unauthenticated peer cannot make this node decode (and allocate for) a large frame.
 */
export const PREAUTH_MAX_FRAME_BYTES = 1024;

const PING_FRAME = encode([[Kind.PING]]);
const PONG_FRAME = encode([[Kind.PONG]]);

/**
 * One link to one peer, through its handshake and heartbeats. It knows nothing of actors: once
 * open it hands frames to its host.
 */
export class Connection {
  readonly link: Link;
  readonly role: HandshakeRole;
  /** The peer's node id, known from its first handshake message. */
  peer: string | undefined;
  state: ConnectionState = 'hello';
  /** The close code, once closed. */
  closeCode: number | undefined;
  /** Takes the frames once open (set when the connection is attached to its endpoint). */
  receiver: FrameReceiver | undefined;
  /** Resolves with the peer's node id when open; rejects if the link closes first. */
  readonly opened: Promise<string>;
  /** Resolves once the link underneath has closed (after a local close, possibly much later). */
  readonly linkClosed: Promise<void>;
  #linkClosed!: () => void;
  /** Closed here after it was open: frames the peer sent before it saw the close are still delivered. */
  #lingering = false;
  readonly #host: ConnectionHost;
  readonly #expect: string | undefined;
  readonly #heartbeat: Heartbeat;
  #nonce: Uint8Array = createNonce();
  #transcript: HandshakeTranscript | undefined;
  #timer: TimerHandle | undefined;
  #resolve!: (node: string) => void;
  #reject!: (error: unknown) => void;
  #failure: TroupeError | undefined;

  /**
   * @param expect for a dialer: the node id it must find at the other end (a reconnect).
   */
  constructor(host: ConnectionHost, link: Link, role: HandshakeRole, expect?: string) {
    this.#host = host;
    this.link = link;
    this.role = role;
    this.#expect = expect;
    this.opened = new Promise<string>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.opened.catch(() => {});
    this.linkClosed = new Promise<void>((resolve) => {
      this.#linkClosed = resolve;
    });
    this.#heartbeat = new Heartbeat(
      {
        ping: () => this.link.send(PING_FRAME),
        lost: (missed) => this.close(CloseCode.HEARTBEAT_TIMEOUT, `no traffic for ${missed} heartbeat intervals`),
      },
      host.clock,
      host.heartbeatIntervalMs,
      host.heartbeatMaxMissed,
    );
    link.onFrame = (frame) => this.#onFrame(frame);
    link.onActivity = () => this.#heartbeat.ok();
    link.onClose = (code, reason) => {
      this.#lingering = false;
      this.#linkClosed();
      this.#onClose(code, reason);
    };
    this.#timer = host.clock.setTimeout(
      () => this.#fail(CloseCode.HANDSHAKE_TIMEOUT, createError('TROUPE_ERR_TIMEOUT', `handshake with ${link.remote} timed out`)),
      host.handshakeTimeoutMs,
    );
    if (role === 'listener') link.send(encode([Kind.HELLO, PROTOCOL_VERSION, host.node, this.#nonce]));
  }

  /** Sends one encoded frame; dropped unless open. */
  send(frame: Uint8Array): void {
    if (this.state === 'open') this.link.send(frame);
  }

  /** Answers a heartbeat. */
  pong(): void {
    this.send(PONG_FRAME);
  }

  /**
   * Closes the link with `code` and counts it closed from now on: the host learns at once, with
   * this code, rather than when the socket finally closes (a hung peer may never answer).
   */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.#lingering = this.state === 'open';
    this.link.close(code, reason);
    this.#onClose(code, reason);
  }

  /** True while frames given to {@link send} reach the link. */
  get writable(): boolean {
    return this.state === 'open' && this.link.writable !== false;
  }

  #onFrame(frame: Uint8Array): void {
    if (this.state === 'open' || this.#lingering) {
      this.#heartbeat.ok();
      this.receiver?.receive(this, frame);
      return;
    }
    if (this.state === 'closed') return;
    if (frame.byteLength > PREAUTH_MAX_FRAME_BYTES) {
      this.#protocolError(`a ${frame.byteLength}-byte frame before authentication (at most ${PREAUTH_MAX_FRAME_BYTES})`);
      return;
    }
    let message: unknown;
    try {
      message = decode(frame);
    } catch (err) {
      this.#protocolError(`undecodable handshake frame: ${(err as Error).message}`);
      return;
    }
    if (!Array.isArray(message)) {
      this.#protocolError('handshake frame is not an array');
      return;
    }
    if (this.role === 'listener') this.#onAuth(message);
    else if (this.state === 'hello') this.#onHello(message);
    else this.#onWelcome(message);
  }

  /** Dialer: the listener's challenge. */
  #onHello(m: unknown[]): void {
    const [kind, version, node, nonce] = m;
    if (kind !== Kind.HELLO || version !== PROTOCOL_VERSION || !isNodeId(node) || !isNonce(nonce)) {
      this.#protocolError('expected HELLO');
      return;
    }
    this.peer = node;
    if (node === this.#host.node) {
      this.#fail(CloseCode.SAME_NODE, createError('TROUPE_ERR_PROTOCOL', `${this.link.remote} is this node (${node})`));
      return;
    }
    if (this.#expect !== undefined && node !== this.#expect) {
      this.#fail(
        CloseCode.PROTOCOL,
        createError('TROUPE_ERR_PROTOCOL', `expected node ${this.#expect} at ${this.link.remote}, found ${node}`),
      );
      return;
    }
    this.#transcript = { dialerNode: this.#host.node, listenerNode: node, dialerNonce: this.#nonce, listenerNonce: nonce };
    const proof = createProof(this.#host.secret, 'dialer', this.#transcript);
    this.state = 'auth';
    this.link.send(encode([Kind.AUTH, PROTOCOL_VERSION, this.#host.node, this.#nonce, proof]));
  }

  /** Dialer: the listener's proof. */
  #onWelcome(m: unknown[]): void {
    const [kind, proof] = m;
    if (kind !== Kind.WELCOME) {
      this.#protocolError('expected WELCOME');
      return;
    }
    if (!verifyProof(this.#host.secret, 'listener', this.#transcript as HandshakeTranscript, proof)) {
      this.#authFailed(`${this.peer} at ${this.link.remote} could not prove the shared secret`);
      return;
    }
    if (this.#admitted()) this.#open();
  }

  /** Listener: the dialer's answer and proof. */
  #onAuth(m: unknown[]): void {
    const [kind, version, node, nonce, proof] = m;
    if (kind !== Kind.AUTH || version !== PROTOCOL_VERSION || !isNodeId(node) || !isNonce(nonce)) {
      this.#protocolError('expected AUTH');
      return;
    }
    this.peer = node;
    this.#transcript = { dialerNode: node, listenerNode: this.#host.node, dialerNonce: nonce, listenerNonce: this.#nonce };
    if (!verifyProof(this.#host.secret, 'dialer', this.#transcript, proof)) {
      this.#authFailed(`${node} at ${this.link.remote} could not prove the shared secret`);
      return;
    }
    if (node === this.#host.node) {
      this.#fail(CloseCode.SAME_NODE, createError('TROUPE_ERR_PROTOCOL', `${this.link.remote} claims this node's id ${node}`));
      return;
    }
    if (!this.#admitted()) return;
    this.link.send(encode([Kind.WELCOME, createProof(this.#host.secret, 'listener', this.#transcript)]));
    this.#open();
  }

  #admitted(): boolean {
    const verdict = this.#host._admit(this);
    if (verdict === true) return true;
    if (verdict === CloseCode.DUPLICATE) {
      this.#fail(CloseCode.DUPLICATE, createError('TROUPE_ERR_PROTOCOL', `a link to ${this.peer} already exists`));
    } else {
      this.#fail(verdict, createError('TROUPE_ERR_NODE_DOWN', `node ${this.#host.node} is shutting down`));
    }
    return false;
  }

  /** For a dialer: the node id it must find at the other end (given for a reconnect), if any. */
  get expected(): string | undefined {
    return this.#expect;
  }

  #open(): void {
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.state = 'open';
    this.link.authenticated?.();
    this.#heartbeat.start();
    this.#host._opened(this);
    this.#resolve(this.peer as string);
  }

  #protocolError(detail: string): void {
    this.#host._report('frame-error', this.peer, `${this.link.remote}: ${detail}`, CloseCode.PROTOCOL);
    this.#fail(CloseCode.PROTOCOL, createError('TROUPE_ERR_PROTOCOL', `handshake with ${this.link.remote} failed: ${detail}`));
  }

  #authFailed(detail: string): void {
    this.#host._report('auth-failed', this.peer, detail, CloseCode.AUTH_FAILED);
    this.#fail(CloseCode.AUTH_FAILED, createError('TROUPE_ERR_AUTH_FAILED', detail));
  }

  #fail(code: number, error: TroupeError): void {
    this.#failure ??= error;
    this.close(code, error.message.slice(0, 120));
  }

  #onClose(code: number, reason: string): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.closeCode = code;
    this.#heartbeat.stop();
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!wasOpen) this.#reject(this.#failure ?? errorForClose(code, reason, this.link.remote));
    this.#host._closed(this, code, reason);
  }
}

function isNodeId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    validateNodeId(value);
    return true;
  } catch {
    return false;
  }
}

/** The error a dial gets when the other side closed the link before it opened. */
export function errorForClose(code: number, reason: string, remote: string): TroupeError {
  const why = reason === '' ? `code ${code}` : `${reason} (code ${code})`;
  switch (code) {
    case CloseCode.AUTH_FAILED:
      return createError('TROUPE_ERR_AUTH_FAILED', `${remote} rejected this node's proof: ${why}`);
    case CloseCode.TOO_BIG:
      return createError('TROUPE_ERR_FRAME_TOO_LARGE', `${remote} closed the link: ${why}`);
    case CloseCode.PROTOCOL:
    case CloseCode.SAME_NODE:
    case CloseCode.DUPLICATE:
      return createError('TROUPE_ERR_PROTOCOL', `${remote} closed the link: ${why}`);
    default:
      return createError('TROUPE_ERR_NODE_DOWN', `link to ${remote} closed before it opened: ${why}`);
  }
}
