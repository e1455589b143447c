import type { AnyEventObject } from 'xstate';
import { nodePrefix } from '../actors/address.js';
import type { AskHolder, TempRef } from '../actors/ask.js';
import { errorFromWire } from '../error-wire.js';
import { createError, type TroupeError } from '../errors.js';
import { backoffDelay } from '../util/backoff.js';
import type { TimerHandle } from '../util/clock.js';
import type { Connection } from './connection.js';
import { type Envelope, Kind } from './envelope.js';
import { handleFrame } from './inbound.js';
import type { EndpointStatus, NodeContext, PeerEndpoint } from './node-context.js';
import { Outbox, type OutboxOwner } from './outbox.js';
import { CloseCode, isRefused } from './transport.js';
import { noconnection } from './watch-registry.js';

export type { EndpointStatus } from './node-context.js';

/** What an endpoint tells, and asks of, the manager that keeps it. */
export interface EndpointLinks {
  /** Dials `url`, expecting `node` there; resolves once the link is open and attached. */
  dial(url: string, node: string): Promise<string>;
  linkUp(endpoint: Endpoint): void;
  linkDown(endpoint: Endpoint): void;
  /** The endpoint gave up waiting for a link (`unreachable`): the manager may forget it. */
  unreachable(endpoint: Endpoint): void;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: TimerHandle;
}

/**
 * Everything this node holds about one peer node: its link, the envelopes waiting for it, the
 * asks and control calls waiting on it, and its reconnect loop. Created once per peer, lazily,
 * and kept for the life of the system (compare protoactor-go `remote/endpoint_manager.go`).
 */
export class Endpoint implements AskHolder, OutboxOwner, PeerEndpoint {
  readonly node: string;
  status: EndpointStatus = 'idle';
  /** Where the peer listens, when this node dialed it. */
  url: string | undefined;
  /** Asks from the peer being served here. */
  inboundAsks = 0;
  readonly #ctx: NodeContext;
  readonly #links: EndpointLinks;
  /** `troupe://<this node>/`: what the reply refs of asks sent from here start with. */
  readonly #localPrefix: string;
  #conn: Connection | undefined;
  readonly #outbox: Outbox;
  /** Asks sent to the peer and not settled yet (they fail through `_failTempsTo` when it goes down). */
  #pendingAsks = 0;
  readonly #calls = new Map<number, PendingCall>();
  #callSeq = 0;
  #attempt = 0;
  #retryTimer: TimerHandle | undefined;
  #bufferTimer: TimerHandle | undefined;
  #upWaiters: ((up: boolean) => void)[] = [];
  /** Open links to the peer that are not the one in use (see {@link Endpoint.attach}). */
  readonly #standby = new Set<Connection>();

  /** True for a stand-in of a node this system has no link or URL for; it is not kept. */
  readonly transient: boolean;
  /** Set once its host forgot it: refs that cached it look the node up again. */
  removed = false;

  constructor(ctx: NodeContext, links: EndpointLinks, node: string, transient = false) {
    this.#ctx = ctx;
    this.#links = links;
    this.#localPrefix = nodePrefix(ctx.host.node);
    this.node = node;
    this.transient = transient;
    this.#outbox = new Outbox(ctx, this);
  }

  /** A frame arrived on one of this peer's links: straight from the connection, decoded and handled here. */
  receive(conn: Connection, frame: Uint8Array): void {
    handleFrame(this.#ctx, this, conn, frame);
  }

  /** The open link, if any. */
  get connection(): Connection | undefined {
    return this.#conn;
  }

  /** Resolves true once the link is up, false after `timeoutMs`. */
  whenUp(timeoutMs: number): Promise<boolean> {
    if (this.status === 'up') return Promise.resolve(true);
    const clock = this.#ctx.host.clock;
    if (this.status === 'closed') return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = (up: boolean) => {
        clock.clearTimeout(timer);
        resolve(up);
      };
      const timer = clock.setTimeout(() => {
        this.#upWaiters = this.#upWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.#upWaiters.push(waiter);
    });
  }

  /** Asks this node has waiting on the peer. */
  get pendingAsks(): number {
    return this.#pendingAsks;
  }

  // ---- outbound ----

  /** Queues an envelope for the peer: sent this tick when up, held while (re)connecting, dropped otherwise. */
  enqueue(envelope: Envelope): void {
    this.#outbox.enqueue(envelope);
  }

  /** Sends an ask; `temp` settles with the reply or a failure. */
  ask(path: string, event: AnyEventObject, temp: TempRef, timeoutMs: number): void {
    if (this.#pendingAsks >= this.#ctx.options.maxPendingAsks) {
      this.#ctx.report('refused', this.node, `more than ${this.#ctx.options.maxPendingAsks} asks pending`);
      temp.fail('TROUPE_ERR_TOO_MANY_PENDING', `${this.#pendingAsks} asks to node ${this.node} are already pending`);
      return;
    }
    this.#pendingAsks++;
    temp._holdBy(this);
    this.enqueue([Kind.ASK, path, event, temp.address.slice(this.#localPrefix.length), timeoutMs]);
  }

  /** @internal */
  _releaseAsk(): void {
    this.#pendingAsks--;
  }

  /** A control request to the peer (`spawn`, `stop`); rejects on timeout or when the node goes down. */
  call(op: string, args: unknown, timeoutMs: number): Promise<unknown> {
    if (this.#calls.size >= this.#ctx.options.maxPendingAsks) {
      return Promise.reject(createError('TROUPE_ERR_TOO_MANY_PENDING', `too many calls pending on node ${this.node}`));
    }
    const id = ++this.#callSeq;
    const clock = this.#ctx.host.clock;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        if (this.#calls.delete(id)) reject(createError('TROUPE_ERR_TIMEOUT', `${op} on node ${this.node} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#calls.set(id, { resolve, reject, timer });
      this.enqueue([Kind.CALL, id, op, args]);
    });
  }

  /** @internal */
  _callPending(id: number): boolean {
    return this.#calls.has(id);
  }

  /** Settles a call with the peer's answer. */
  settleCall(id: number, ok: boolean, value: unknown, message: unknown): void {
    const pending = this.#calls.get(id);
    if (pending === undefined) return;
    this.#calls.delete(id);
    this.#ctx.host.clock.clearTimeout(pending.timer);
    if (ok) pending.resolve(value);
    else pending.reject(errorFromWire(value, message));
  }

  // ---- link lifecycle ----

  /** Which node dialed `conn`. */
  #dialerOf(conn: Connection): string {
    return conn.role === 'dialer' ? this.#ctx.host.node : this.node;
  }

  /**
   * Takes a newly opened link. With no link yet it becomes the link. A node that dials again
   * replaces its own stale link. When both nodes dialed, both ends prefer the link the lower node
   * id dialed: it carries what is sent from now on; the other stays open, still delivering what
   * the peer sent on it, until the lower node closes it (so nothing in flight on it is lost).
   */
  attach(conn: Connection): void {
    conn.receiver = this;
    const current = this.#conn;
    this.#clearTimers();
    this.#attempt = 0;
    const wasUp = this.status === 'up';
    this.status = 'up';
    if (current === undefined || current === conn) {
      this.#conn = conn;
    } else if (this.#dialerOf(current) === this.#dialerOf(conn)) {
      this.#conn = conn;
      current.close(CloseCode.REPLACED, 'replaced by a newer link');
    } else {
      const self = this.#ctx.host.node;
      const lower = lowerNode(self, this.node);
      const keep = this.#dialerOf(conn) === lower ? conn : current;
      const spare = keep === conn ? current : conn;
      this.#conn = keep;
      this.#standby.add(spare);
      if (self === lower) this.#closeStandby();
    }
    if (wasUp) return;
    this.#ctx.report('up', this.node, conn.link.remote);
    this.#outbox.wake();
    this.#links.linkUp(this);
    const waiters = this.#upWaiters;
    this.#upWaiters = [];
    for (const w of waiters) w(true);
  }

  #closeStandby(): void {
    for (const spare of this.#standby) spare.close(CloseCode.DUPLICATE, 'the link dialed by the lower node id is kept');
  }

  /** The link `conn` closed; if it was the one in use and no other is open, the peer is down from here on. */
  detach(conn: Connection, code: number, reason: string): void {
    if (this.#standby.delete(conn)) return;
    if (conn !== this.#conn) return;
    this.#conn = undefined;
    if (this.status === 'closed') return;
    const spare = this.#standby.values().next().value;
    if (spare !== undefined) {
      this.#standby.delete(spare);
      this.#conn = spare;
      this.#outbox.wake();
      return;
    }
    this.status = 'reconnecting';
    // 1001 from the peer: it shut down on purpose, which is not a failure to report as one
    const left = code === CloseCode.GOING_AWAY;
    const why = reason === '' ? `link closed (code ${code})` : `link closed: ${reason} (code ${code})`;
    if (left) this.#ctx.report('closed', this.node, `node ${this.node} shut down`, code);
    else this.#ctx.report('down', this.node, why, code);
    const message = left ? `node ${this.node} shut down` : `node ${this.node} went down: ${why}`;
    this.#ctx.host.failWaitingOn(this.node, 'TROUPE_ERR_NODE_DOWN', message);
    for (const id of [...this.#calls.keys()]) this.settleCall(id, false, 'TROUPE_ERR_NODE_DOWN', message);
    this.#outbox.trim('the reconnect buffer is full');
    this.#links.linkDown(this);
    this.#bufferTimer = this.#ctx.host.clock.setTimeout(() => this.#giveUp(), this.#ctx.options.bufferMs);
    if (this.url !== undefined) {
      this.#ctx.report('reconnecting', this.node, `re-dialing ${this.url}`);
      this.#scheduleDial();
    } else if (!left) {
      this.#ctx.report('reconnecting', this.node, 'waiting for the peer to dial again');
    }
  }

  #scheduleDial(): void {
    if (this.#attempt >= this.#ctx.options.maxAttempts) {
      if (this.status === 'reconnecting') this.#giveUp();
      return;
    }
    const delay = backoffDelay(this.#attempt++, this.#ctx.options.backoff);
    this.#retryTimer = this.#ctx.host.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#dialNow();
    }, delay);
  }

  #dialNow(): void {
    const url = this.url;
    if (url === undefined || this.status === 'up' || this.status === 'closed') return;
    this.#ctx.report('connecting', this.node, url);
    this.#links.dial(url, this.node).then(
      () => {},
      (err: TroupeError) => {
        if (this.status === 'up' || this.status === 'closed') return;
        this.#ctx.report(err.code === 'TROUPE_ERR_AUTH_FAILED' ? 'auth-failed' : 'connecting', this.node, `dial failed: ${err.message}`);
        if (isRefused(err)) this.#outbox.failRequests(`nothing listens at ${url} (connection refused)`);
        this.#scheduleDial();
      },
    );
  }

  #giveUp(): void {
    this.#bufferTimer = undefined;
    if (this.status === 'up' || this.status === 'closed') return;
    this.status = 'unreachable';
    this.#ctx.report('unreachable', this.node, `no link for ${this.#ctx.options.bufferMs} ms`);
    this.#outbox.dropAll('gave up waiting for the link');
    // Watches made while waiting never reached the peer.
    for (const w of this.#ctx.watches.takeAll('out', this.node)) w.watcher._down(noconnection(w.target));
    this.#links.unreachable(this);
  }

  /** True when nothing is waiting here any more: no link, URL, queue, asks or calls. */
  get idle(): boolean {
    return (
      this.#conn === undefined &&
      this.#standby.size === 0 &&
      this.url === undefined &&
      this.#outbox.length === 0 &&
      this.#pendingAsks === 0 &&
      this.inboundAsks === 0 &&
      this.#calls.size === 0 &&
      this.#upWaiters.length === 0
    );
  }

  /** Shutdown: sends what is queued, then closes the link. */
  close(): void {
    if (this.status === 'closed') return;
    this.#outbox.flush();
    this.status = 'closed';
    this.#clearTimers();
    const waiters = this.#upWaiters;
    this.#upWaiters = [];
    for (const w of waiters) w(false);
    for (const id of [...this.#calls.keys()]) this.settleCall(id, false, 'TROUPE_ERR_SYSTEM_STOPPED', 'this node shut down');
    this.#outbox.dropAll('this node shut down');
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.close(1001, 'node shutting down');
    for (const spare of this.#standby) spare.close(1001, 'node shutting down');
    this.#standby.clear();
  }

  #clearTimers(): void {
    const clock = this.#ctx.host.clock;
    if (this.#retryTimer !== undefined) clock.clearTimeout(this.#retryTimer);
    if (this.#bufferTimer !== undefined) clock.clearTimeout(this.#bufferTimer);
    this.#outbox.stopDrainCheck();
    this.#retryTimer = undefined;
    this.#bufferTimer = undefined;
  }
}

/** The node id that sorts first: its dial wins when two nodes dial each other. */
export function lowerNode(a: string, b: string): string {
  return [a, b].sort()[0];
}
