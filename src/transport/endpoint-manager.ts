import { type ParsedAddress, parseAddress, validateNodeId } from '../actors/address.js';
import type { NodeInspectionEvent } from '../actors/inspection.js';
import { LocalRef } from '../actors/local-ref.js';
import type { BaseRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import type { RemoteProvider, RemoteSpawnOptions } from '../actors/system-options.js';
import { errorToWire } from '../error-wire.js';
import { TransportError, TroupeError } from '../errors.js';
import type { RefResolver } from './codec.js';
import { Connection } from './connection.js';
import { Endpoint, type EndpointHost, lowerNode } from './endpoint.js';
import { Kind, reasonFromWire } from './envelope.js';
import { handleFrame, type InboundHost } from './inbound.js';
import type { ResolvedNetworkOptions } from './options.js';
import { OrphanGuard, type OrphanGuardHost } from './orphan-guard.js';
import { PendingHandshakes } from './pending-handshakes.js';
import { RemoteRef, type RemoteRefHost } from './remote-ref.js';
import { CloseCode, isRefused, type Link, type Transport, type TransportListener } from './transport.js';
import { noconnection, WatchRegistry } from './watch-registry.js';

/** Longest shutdown waits for links to close; transports give up on a silent peer sooner. */
const SHUTDOWN_LINK_WAIT_MS = 5000;

/**
 * A node's side of the cluster: listens, dials, authenticates links, keeps one {@link Endpoint}
 * per peer node, serves what peers ask of it (tells, asks, watches, spawns, stops) and reaps
 * actors whose parent on another node is gone. Installed into its system as the `RemoteProvider`.
 * @internal
 */
export class EndpointManager implements RemoteProvider, EndpointHost, InboundHost, OrphanGuardHost, RemoteRefHost {
  readonly system: ActorSystem;
  readonly options: ResolvedNetworkOptions;
  readonly watches = new WatchRegistry();
  readonly resolveRef: RefResolver;
  readonly #transport: Transport;
  readonly #endpoints = new Map<string, Endpoint>();
  /** Links this node dialed that are still authenticating. */
  readonly #pending = new Set<Connection>();
  /** Accepted links still authenticating. */
  readonly #accepting: PendingHandshakes<Connection>;
  /** Every connection whose link has not closed yet (shutdown waits for them). */
  readonly #links = new Set<Connection>();
  readonly #guards = new Map<string, Set<OrphanGuard>>();
  /** Node found at each URL this node dialed. */
  readonly #urlNodes = new Map<string, string>();
  #listener: TransportListener | undefined;
  #closing = false;

  constructor(system: ActorSystem, transport: Transport, options: ResolvedNetworkOptions) {
    this.system = system;
    this.options = options;
    this.#transport = transport;
    this.#accepting = new PendingHandshakes({
      maxPending: options.maxPendingHandshakes,
      maxPerAddress: options.maxPendingHandshakesPerAddress,
    });
    this.resolveRef = (address) => system.ref(address) as unknown as BaseRef;
    system._installRemote(this);
    if (options.listen !== undefined) {
      const ready = this.#listen();
      ready.catch(() => {});
      system.ready = ready;
    }
  }

  // ---- ConnectionHost ----

  get node(): string {
    return this.system.node;
  }
  get secret(): string {
    return this.options.secret;
  }
  get clock() {
    return this.system.clock;
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
  get orphanGraceMs(): number {
    return this.options.orphanGraceMs;
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
      endpoint = new Endpoint(this, node);
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
    const idle = new Endpoint(this, node, true);
    if (this.#closing) idle.status = 'closed';
    return idle;
  }

  /** Every peer this node has heard of, with its link status. */
  peers(): { node: string; status: Endpoint['status']; url: string | undefined }[] {
    return [...this.#endpoints.values()].map((e) => ({ node: e.node, status: e.status, url: e.url }));
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

  _frame(conn: Connection, frame: Uint8Array): void {
    const endpoint = this.#endpoints.get(conn.peer as string);
    if (endpoint !== undefined) handleFrame(this, endpoint, conn, frame);
  }

  _closed(conn: Connection, code: number, reason: string): void {
    this.#pending.delete(conn);
    this.#accepting.delete(conn);
    if (conn.peer !== undefined) this.#endpoints.get(conn.peer)?.detach(conn, code, reason);
  }

  _report(status: NodeInspectionEvent['status'], peer: string | undefined, detail?: string, code?: number): void {
    const inspection = this.system.inspection;
    if (!inspection.active) return;
    const event: NodeInspectionEvent = { type: '@troupe.node', node: this.node, status };
    if (peer !== undefined) event.peer = peer;
    if (detail !== undefined) event.detail = detail;
    if (code !== undefined) event.code = code;
    inspection.emit(event);
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
      throw new TroupeError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} shut down before it was listening`);
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

  /** Accepted links evicted while still authenticating (see {@link PendingHandshakes}). */
  get handshakeEvictions(): number {
    return this.#accepting.evictions;
  }

  #track(conn: Connection): Connection {
    this.#links.add(conn);
    conn.linkClosed.then(() => this.#links.delete(conn));
    return conn;
  }

  /** Opens a link to `url`; resolves with the connection once the transport connected (not yet authenticated). */
  async #open(url: string, expect?: string): Promise<Connection> {
    if (this.#closing) throw new TroupeError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} is shutting down`);
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
      throw new TransportError('TROUPE_ERR_NODE_DOWN', `cannot reach ${url}: ${(err as Error)?.message ?? String(err)}${hint}`, {
        cause: err,
      });
    }
    if (this.#closing) {
      link.close(CloseCode.GOING_AWAY, 'node shutting down');
      throw new TroupeError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} is shutting down`);
    }
    const conn = this.#track(new Connection(this, link, 'dialer', expect));
    this.#pending.add(conn);
    return conn;
  }

  async _dial(url: string, node: string): Promise<string> {
    const conn = await this.#open(url, node);
    return conn.opened;
  }

  _linkUp(endpoint: Endpoint): void {
    const guards = this.#guards.get(endpoint.node);
    if (guards !== undefined) for (const g of [...guards]) g.linkUp();
  }

  _linkDown(endpoint: Endpoint): void {
    const node = endpoint.node;
    for (const w of this.watches.takeAll('out', node)) w.watcher._down(noconnection(w.target));
    for (const w of this.watches.takeAll('in', node)) w.targetRef?._unwatch(w.watcher);
  }

  /**
   * A peer this node never dialed (it has no URL to re-dial) stayed away for `bufferMs`: its
   * endpoint is dropped when nothing refers to it any more (no watches, no orphan guards, nothing
   * waiting), so peers that come and go do not accumulate. It is created again if the peer returns.
   */
  _unreachable(endpoint: Endpoint): void {
    const node = endpoint.node;
    if (this.#endpoints.get(node) !== endpoint || !endpoint.idle || this.#guards.has(node)) return;
    const watches = this.watches.count(node);
    if (watches.in > 0 || watches.out > 0) return;
    this.#endpoints.delete(node);
    endpoint.removed = true;
  }

  _guardDone(guard: OrphanGuard): void {
    const guards = this.#guards.get(guard.node);
    guards?.delete(guard);
    if (guards?.size === 0) this.#guards.delete(guard.node);
  }

  // ---- RemoteProvider ----

  ref(address: string, parsed: ParsedAddress): BaseRef {
    return new RemoteRef(this, parsed.node, address, parsed.path);
  }

  async connect(url: string): Promise<string> {
    if (typeof url !== 'string') throw new TroupeError('TROUPE_ERR_INVALID_OPTION', `connect needs a URL string, got ${typeof url}`);
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

  async spawnOn(node: string, logicName: string, options: RemoteSpawnOptions): Promise<BaseRef> {
    validateNodeId(node);
    if (typeof logicName !== 'string') throw new TroupeError('TROUPE_ERR_INVALID_OPTION', 'spawnOn needs a logic name string');
    const parent = options.parent;
    if (parent !== undefined && !(parent instanceof LocalRef && parent._cell.host === this.system)) {
      throw new TroupeError('TROUPE_ERR_NOT_LOCAL', `spawnOn's parent ${String(parent?.address)} must be an actor of this system`);
    }
    if (node === this.node) {
      const logic = this.options.logic.get(logicName);
      if (logic === undefined) throw notAllowed(logicName, node);
      return this.system.spawn(logic, { name: options.name, input: options.input, parent }) as unknown as BaseRef;
    }
    const args = { logic: logicName, name: options.name, input: options.input, parent: parent?.address };
    const address = await this.endpointFor(node).call('spawn', args, options.timeoutMs ?? this.system.askTimeoutMs);
    if (typeof address !== 'string') throw new TransportError('TROUPE_ERR_PROTOCOL', `node ${node} answered a spawn without an address`);
    return this.system.ref(address) as unknown as BaseRef;
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

  // ---- control calls from peers ----

  _call(endpoint: Endpoint, id: number, op: unknown, args: unknown): void {
    const answer = (result: Promise<unknown>) =>
      result.then(
        (value) => endpoint.enqueue([Kind.RESULT, id, true, value]),
        (err: unknown) => endpoint.enqueue([Kind.RESULT, id, false, ...errorToWire(err)]),
      );
    if (op === 'spawn') answer(this.#serveSpawn(endpoint, args));
    else if (op === 'stop') answer(this.#serveStop(args));
    else {
      this._report('frame-error', endpoint.node, `unknown call ${String(op).slice(0, 40)}`);
      answer(Promise.reject(new TransportError('TROUPE_ERR_PROTOCOL', `unknown call ${String(op).slice(0, 40)}`)));
    }
  }

  async #serveSpawn(endpoint: Endpoint, args: unknown): Promise<string> {
    if (typeof args !== 'object' || args === null) throw new TransportError('TROUPE_ERR_PROTOCOL', 'spawn needs arguments');
    const { logic: logicName, name, input, parent } = args as Record<string, unknown>;
    if (typeof logicName !== 'string') throw new TransportError('TROUPE_ERR_PROTOCOL', 'spawn needs a logic name');
    const logic = this.options.logic.get(logicName);
    if (logic === undefined) {
      this._report('refused', endpoint.node, `spawn of ${JSON.stringify(logicName.slice(0, 100))}: not in the logic allowlist`);
      throw notAllowed(logicName, this.node);
    }
    if (name !== undefined && typeof name !== 'string') throw new TroupeError('TROUPE_ERR_INVALID_NAME', 'a spawn name must be a string');
    if (parent !== undefined && (typeof parent !== 'string' || parseAddress(parent).node !== endpoint.node)) {
      throw new TransportError('TROUPE_ERR_PROTOCOL', `a remote parent must be an actor of node ${endpoint.node}`);
    }
    const child = this.system.spawn(logic, { name, input }) as unknown as BaseRef;
    if (parent !== undefined) {
      const guard = new OrphanGuard(this, parent as string, endpoint.node, child);
      let guards = this.#guards.get(endpoint.node);
      if (guards === undefined) {
        guards = new Set();
        this.#guards.set(endpoint.node, guards);
      }
      guards.add(guard);
      guard.arm();
    }
    return child.address;
  }

  async #serveStop(args: unknown): Promise<null> {
    const { path, reason } = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
    if (typeof path !== 'string') throw new TransportError('TROUPE_ERR_PROTOCOL', 'stop needs a path');
    const r = reasonFromWire(reason);
    await this.system.stop(this.system.ref(`troupe://${this.node}/${path}`), r === 'noproc' ? 'shutdown' : r);
    return null;
  }

  /** Actors spawned here whose parent lives on `node`. */
  orphanGuards(node: string): readonly OrphanGuard[] {
    return [...(this.#guards.get(node) ?? [])];
  }
}

function notAllowed(logicName: string, node: string): TroupeError {
  return new TroupeError(
    'TROUPE_ERR_NOT_ALLOWED',
    `logic ${JSON.stringify(logicName.slice(0, 100))} is not in node ${node}'s logic allowlist`,
  );
}
