import type { ParsedAddress } from '../actors/address.js';
import type { NodeInspectionEvent } from '../actors/inspection.js';
import type { BaseRef } from '../actors/ref.js';
import type { RemoteProvider, RemoteSpawnOptions } from '../actors/system-options.js';
import type { PeerInfo, TransportHost } from '../actors/transport-host.js';
import { createError, TroupeError } from '../errors.js';
import { Connection, type ConnectionHost } from './connection.js';
import { Endpoint, type EndpointLinks, lowerNode } from './endpoint.js';
import type { NodeContext } from './node-context.js';
import type { ResolvedNetworkOptions } from './options.js';
import type { OrphanGuard } from './orphan-guard.js';
import { PendingHandshakes } from './pending-handshakes.js';
import { RemoteCalls } from './remote-calls.js';
import { RemoteRef } from './remote-ref.js';
import { CloseCode, isRefused, type Link, type Transport, type TransportListener } from './transport.js';
import { noconnection, WatchRegistry } from './watch-registry.js';

/** Longest shutdown waits for links to close; transports give up on a silent peer sooner. */
const SHUTDOWN_LINK_WAIT_MS = 5000;

/**
 * A node's side of the cluster: listens, dials, authenticates links and keeps one {@link Endpoint}
 * per peer node. Once a link is open its frames go straight to its endpoint; remote spawn, stop
 * and orphan guards live in {@link RemoteCalls}. Installed into its system as the `RemoteProvider`,
 * through the {@link TransportHost} seam.
 * @internal
 */
export class EndpointManager implements RemoteProvider, ConnectionHost, EndpointLinks {
  readonly host: TransportHost;
  readonly options: ResolvedNetworkOptions;
  readonly #ctx: NodeContext;
  readonly #calls: RemoteCalls;
  readonly #transport: Transport;
  readonly #endpoints = new Map<string, Endpoint>();
  /** Links this node dialed that are still authenticating. */
  readonly #pending = new Set<Connection>();
  /** Accepted links still authenticating. */
  readonly #accepting: PendingHandshakes<Connection>;
  /** Every connection whose link has not closed yet (shutdown waits for them). */
  readonly #links = new Set<Connection>();
  /** Node found at each URL this node dialed. */
  readonly #urlNodes = new Map<string, string>();
  #listener: TransportListener | undefined;
  #closing = false;

  constructor(host: TransportHost, transport: Transport, options: ResolvedNetworkOptions) {
    this.host = host;
    this.options = options;
    this.#transport = transport;
    this.#accepting = new PendingHandshakes({
      maxPending: options.maxPendingHandshakes,
      maxPerAddress: options.maxPendingHandshakesPerAddress,
    });
    this.#ctx = {
      host,
      options,
      watches: new WatchRegistry(),
      resolveRef: (address) => host.ref(address),
      endpointFor: (node) => this.endpointFor(node),
      serveCall: (endpoint, id, op, args) => this.#calls.serve(endpoint, id, op, args),
      report: (status, peer, detail, code) => this._report(status, peer, detail, code),
    };
    this.#calls = new RemoteCalls(this.#ctx);
    let ready: Promise<void> | undefined;
    if (options.listen !== undefined) {
      ready = this.#listen();
      ready.catch(() => {});
    }
    host.install(this, ready);
  }

  /** Watches across links, in both directions. */
  get watches(): WatchRegistry {
    return this.#ctx.watches;
  }

  // ---- ConnectionHost ----

  get node(): string {
    return this.host.node;
  }
  get secret(): string {
    return this.options.secret;
  }
  get clock() {
    return this.host.clock;
  }
  get handshakeTimeoutMs(): number {
    return this.options.handshakeTimeoutMs;
  }
  get heartbeatIntervalMs(): number {
    return this.options.heartbeatIntervalMs;
  }
  get heartbeatMaxMissed(): number {
    return this.options.heartbeatMaxMissed;
  }
  get listenAddress(): { host: string; port: number } | undefined {
    const l = this.#listener;
    return l === undefined ? undefined : { host: l.host, port: l.port };
  }

  /** The URL peers dial to reach this node, once listening. */
  get url(): string | undefined {
    return this.#listener?.url;
  }

  /** The endpoint of `node`, created and kept on first use (a link or a URL for it exists). */
  endpoint(node: string): Endpoint {
    let endpoint = this.#endpoints.get(node);
    if (endpoint === undefined) {
      endpoint = new Endpoint(this.#ctx, this, node);
      if (this.#closing) endpoint.status = 'closed';
      this.#endpoints.set(node, endpoint);
    }
    return endpoint;
  }

  /**
   * The endpoint of `node` if this node knows it, else a throwaway idle one (everything sent
   * through it is undeliverable). Refs to arbitrary nodes, e.g. inside a peer's events, then cost
   * nothing until a link to that node exists.
   */
  endpointFor(node: string): Endpoint {
    const known = this.#endpoints.get(node);
    if (known !== undefined) return known;
    const idle = new Endpoint(this.#ctx, this, node, true);
    if (this.#closing) idle.status = 'closed';
    return idle;
  }

  /** Every peer this node knows of, with the state of its link. */
  peers(): PeerInfo[] {
    return [...this.#endpoints.values()].map((e) => {
      const status = e.status === 'up' ? 'up' : e.status === 'reconnecting' && e.url !== undefined ? 'connecting' : 'down';
      return e.url === undefined ? { node: e.node, status } : { node: e.node, status, url: e.url };
    });
  }

  /**
   * Decides, on the listening end before it answers, whether a freshly authenticated link is
   * kept; the dialing end keeps whatever the listener answered (it may already be sending on it,
   * see {@link Endpoint.attach}). A second link is refused when a link the lower node id dialed
   * exists or is being dialed: two nodes dialing each other at once end with that one.
   */
  _admit(conn: Connection): true | number {
    if (this.#closing) return CloseCode.GOING_AWAY;
    if (conn.role === 'dialer') return true;
    const peer = conn.peer as string;
    const lower = lowerNode(this.node, peer);
    if (peer === lower) return true;
    const current = this.#endpoints.get(peer)?.connection;
    if (current !== undefined && current.state === 'open' && current.role === 'dialer') return CloseCode.DUPLICATE;
    return this.#dialingTo(peer) ? CloseCode.DUPLICATE : true;
  }

  _opened(conn: Connection): void {
    this.#pending.delete(conn);
    this.#accepting.delete(conn);
    this.endpoint(conn.peer as string).attach(conn);
  }

  _closed(conn: Connection, code: number, reason: string): void {
    this.#pending.delete(conn);
    this.#accepting.delete(conn);
    if (conn.peer !== undefined) this.#endpoints.get(conn.peer)?.detach(conn, code, reason);
  }

  _report(status: NodeInspectionEvent['status'], peer: string | undefined, detail?: string, code?: number): void {
    if (!this.host.inspecting) return;
    const event: NodeInspectionEvent = { type: '@troupe.node', node: this.node, status };
    if (peer !== undefined) event.peer = peer;
    if (detail !== undefined) event.detail = detail;
    if (code !== undefined) event.code = code;
    this.host.report(event);
  }

  /**
   * True while this node re-dials `peer` at a URL it found `peer` at before. The id a listener
   * claims in its challenge is not proven until the handshake ends, so a fresh dial does not count:
   * an impostor's HELLO cannot make this node refuse the real peer.
   */
  #dialingTo(peer: string): boolean {
    for (const c of this.#pending) if (c.role === 'dialer' && c.expected === peer && c.peer === peer) return true;
    return false;
  }

  // ---- listening and dialing ----

  async #listen(): Promise<void> {
    const { host, port } = this.options.listen as { host: string; port: number };
    const tls = this.options.tls;
    const listener = await this.#transport.listen(
      {
        host,
        port,
        maxFrameBytes: this.options.maxFrameBytes,
        tls: tls?.key !== undefined && tls.cert !== undefined ? { key: tls.key, cert: tls.cert } : undefined,
        allowOrigins: this.options.allowOrigins,
        upgradeTimeoutMs: this.options.handshakeTimeoutMs,
        maxUnauthenticatedPerAddress: this.options.maxPendingHandshakesPerAddress,
        onRefused: (remote, detail) => this._report('refused', undefined, `${remote}: ${detail}`),
      },
      (link) => this.#accept(link),
    );
    if (this.#closing) {
      await listener.close();
      throw createError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} shut down before it was listening`);
    }
    this.#listener = listener;
    this._report('listening', undefined, listener.url);
  }

  #accept(link: Link): void {
    if (this.#closing) {
      link.close(CloseCode.GOING_AWAY, 'node shutting down');
      return;
    }
    const conn = this.#track(new Connection(this, link, 'listener'));
    const eviction = this.#accepting.add(conn);
    if (eviction !== undefined) {
      const old = eviction.evicted;
      this._report('refused', undefined, `${old.link.remote}: evicted, ${eviction.why}`, CloseCode.TRY_AGAIN_LATER);
      old.close(CloseCode.TRY_AGAIN_LATER, 'too many handshakes in progress');
    }
  }

  #track(conn: Connection): Connection {
    this.#links.add(conn);
    conn.linkClosed.then(() => this.#links.delete(conn));
    return conn;
  }

  /** Opens a link to `url`; resolves with the connection once the transport connected (not yet authenticated). */
  async #open(url: string, expect?: string): Promise<Connection> {
    if (this.#closing) throw createError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} is shutting down`);
    let link: Link;
    try {
      link = await this.#transport.dial(url, {
        maxFrameBytes: this.options.maxFrameBytes,
        timeoutMs: this.options.handshakeTimeoutMs,
        tls:
          this.options.tls === undefined ? undefined : { ca: this.options.tls.ca, rejectUnauthorized: this.options.tls.rejectUnauthorized },
      });
    } catch (err) {
      if (err instanceof TroupeError) throw err;
      const hint = isRefused(err) ? ' (is the node running and listening there?)' : '';
      throw createError('TROUPE_ERR_NODE_DOWN', `cannot reach ${url}: ${(err as Error)?.message ?? String(err)}${hint}`, {
        cause: err,
      });
    }
    if (this.#closing) {
      link.close(CloseCode.GOING_AWAY, 'node shutting down');
      throw createError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} is shutting down`);
    }
    const conn = this.#track(new Connection(this, link, 'dialer', expect));
    this.#pending.add(conn);
    return conn;
  }

  async dial(url: string, node: string): Promise<string> {
    const conn = await this.#open(url, node);
    return conn.opened;
  }

  linkUp(endpoint: Endpoint): void {
    this.#calls.linkUp(endpoint.node);
  }

  linkDown(endpoint: Endpoint): void {
    const node = endpoint.node;
    for (const w of this.watches.takeAll('out', node)) w.watcher._down(noconnection(w.target));
    for (const w of this.watches.takeAll('in', node)) w.targetRef?._unwatch(w.watcher);
  }

  /**
   * A peer this node never dialed (it has no URL to re-dial) stayed away for `bufferMs`: its
   * endpoint is dropped when nothing refers to it any more (no watches, no orphan guards, nothing
   * waiting), so peers that come and go do not accumulate. It is created again if the peer returns.
   */
  unreachable(endpoint: Endpoint): void {
    const node = endpoint.node;
    if (this.#endpoints.get(node) !== endpoint || !endpoint.idle || this.#calls.guards(node)) return;
    const watches = this.watches.count(node);
    if (watches.in > 0 || watches.out > 0) return;
    this.#endpoints.delete(node);
    endpoint.removed = true;
  }

  // ---- RemoteProvider ----

  ref(address: string, parsed: ParsedAddress): BaseRef {
    return new RemoteRef(this.#ctx, parsed.node, address, parsed.path);
  }

  async connect(url: string): Promise<string> {
    if (typeof url !== 'string') throw createError('TROUPE_ERR_INVALID_OPTION', `connect needs a URL string, got ${typeof url}`);
    const known = this.#urlNodes.get(url);
    if (known !== undefined && this.#endpoints.get(known)?.status === 'up') return known;
    this._report('connecting', undefined, url);
    const conn = await this.#open(url);
    try {
      const node = await conn.opened;
      this.#remember(url, node);
      return node;
    } catch (err) {
      // Both ends dialed at once and the peer's link won the tie-break: it is the link to use.
      const peer = conn.peer;
      if (peer !== undefined && conn.closeCode === CloseCode.DUPLICATE) {
        if (await this.endpoint(peer).whenUp(this.options.handshakeTimeoutMs)) {
          this.#remember(url, peer);
          return peer;
        }
      }
      throw err;
    }
  }

  #remember(url: string, node: string): void {
    this.#urlNodes.set(url, node);
    this.endpoint(node).url = url;
  }

  spawnOn(node: string, logicName: string, options: RemoteSpawnOptions): Promise<BaseRef> {
    return this.#calls.spawnOn(node, logicName, options);
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const endpoint of this.#endpoints.values()) endpoint.close();
    for (const conn of [...this.#pending, ...this.#accepting.values()]) conn.close(CloseCode.GOING_AWAY, 'node shutting down');
    this.#pending.clear();
    this.#accepting.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    const closing = [...this.#links].map((c) => c.linkClosed);
    if (listener !== undefined) await listener.close();
    // Dialed links close on their own schedule (a close handshake, or the transport's grace
    // period for a peer that does not answer): shutdown resolves once they have.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(closing),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_LINK_WAIT_MS);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
    if (listener !== undefined) this._report('closed', undefined, listener.url);
  }

  /** Actors spawned here whose parent lives on `node`. */
  orphanGuards(node: string): readonly OrphanGuard[] {
    return this.#calls.orphanGuards(node);
  }
}
