import type { AnyEventObject } from 'xstate';
import { formatAddress } from '../actors/address.js';
import type { AskHolder, TempRef } from '../actors/ask.js';
import type { NodeInspectionEvent } from '../actors/inspection.js';
import type { DownEvent } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import { type ErrorCode, TransportError, type TroupeError } from '../errors.js';
import { backoffDelay } from '../util/backoff.js';
import type { TimerHandle } from '../util/clock.js';
import type { Connection } from './connection.js';
import { type Envelope, Kind } from './envelope.js';
import { coalesce, writeFrames } from './frame-writer.js';
import type { ResolvedNetworkOptions } from './options.js';
import { CloseCode, isRefused } from './transport.js';
import type { WatchRegistry } from './watch-registry.js';
import { errorFromWire } from './wire-errors.js';

/**
 * - `idle`: never linked: messages become dead letters.
 * - `up`: a link is open; messages leave in per-tick batches.
 * - `reconnecting`: the link was lost (the node is down); messages wait, bounded in number and time,
 *   while a dialer re-dials with backoff (a listener waits for the peer to dial again).
 * - `unreachable`: waited too long; messages become dead letters, re-dialing may go on.
 * - `closed`: this system shut down.
 */
export type EndpointStatus = 'idle' | 'up' | 'reconnecting' | 'unreachable' | 'closed';

/** What an endpoint needs from the node it belongs to. */
export interface EndpointHost {
  readonly system: ActorSystem;
  readonly options: ResolvedNetworkOptions;
  readonly watches: WatchRegistry;
  /** Dials `url`, expecting `node` there; resolves once the link is open and attached. */
  _dial(url: string, node: string): Promise<string>;
  _linkUp(endpoint: Endpoint): void;
  _linkDown(endpoint: Endpoint): void;
  /** The endpoint gave up waiting for a link (`unreachable`): the host may forget it. */
  _unreachable(endpoint: Endpoint): void;
  _report(status: NodeInspectionEvent['status'], peer: string | undefined, detail?: string, code?: number): void;
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
export class Endpoint implements AskHolder {
  readonly node: string;
  status: EndpointStatus = 'idle';
  /** Where the peer listens, when this node dialed it. */
  url: string | undefined;
  /** Asks from the peer being served here. */
  inboundAsks = 0;
  readonly #host: EndpointHost;
  #conn: Connection | undefined;
  #queue: Envelope[] = [];
  #flushScheduled = false;
  /** Asks sent to the peer and not settled yet (they fail through `_failTempsTo` when it goes down). */
  #pendingAsks = 0;
  readonly #calls = new Map<number, PendingCall>();
  #callSeq = 0;
  #attempt = 0;
  #retryTimer: TimerHandle | undefined;
  /** Set while the link's send buffer is over `maxBufferedBytes`: the queue waits for it to drain. */
  #drainTimer: TimerHandle | undefined;
  #bufferTimer: TimerHandle | undefined;
  #upWaiters: ((up: boolean) => void)[] = [];
  /** Open links to the peer that are not the one in use (see {@link Endpoint.attach}). */
  readonly #standby = new Set<Connection>();
  readonly #flush = () => this.#flushNow();

  /** True for a stand-in of a node this system has no link or URL for; it is not kept. */
  readonly transient: boolean;
  /** Set once its host forgot it: refs that cached it look the node up again. */
  removed = false;

  constructor(host: EndpointHost, node: string, transient = false) {
    this.#host = host;
    this.node = node;
    this.transient = transient;
  }

  /** The open link, if any. */
  get connection(): Connection | undefined {
    return this.#conn;
  }

  /** Resolves true once the link is up, false after `timeoutMs`. */
  whenUp(timeoutMs: number): Promise<boolean> {
    if (this.status === 'up') return Promise.resolve(true);
    const clock = this.#host.system.clock;
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
    const status = this.status;
    if (status === 'up') {
      if (this.#drainTimer !== undefined && this.#queue.length >= this.#host.options.bufferLimit) {
        this.#dropBackedUp(envelope);
        return;
      }
      this.#queue.push(envelope);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(this.#flush);
      }
    } else if (status === 'reconnecting' && this.#queue.length < this.#host.options.bufferLimit) {
      this.#queue.push(envelope);
    } else {
      this.#drop(envelope, status === 'reconnecting' ? 'the reconnect buffer is full' : `node ${this.node} is ${status}`);
    }
  }

  /** Sends an ask; `temp` settles with the reply or a failure. */
  ask(path: string, event: AnyEventObject, temp: TempRef, timeoutMs: number): void {
    if (this.#pendingAsks >= this.#host.options.maxPendingAsks) {
      this.#host._report('refused', this.node, `more than ${this.#host.options.maxPendingAsks} asks pending`);
      temp.fail('TROUPE_ERR_TOO_MANY_PENDING', `${this.#pendingAsks} asks to node ${this.node} are already pending`);
      return;
    }
    this.#pendingAsks++;
    temp._holdBy(this);
    this.enqueue([Kind.ASK, path, event, temp.address.slice(this.#host.system.node.length + 10), timeoutMs]);
  }

  /** @internal */
  _releaseAsk(): void {
    this.#pendingAsks--;
  }

  /** A control request to the peer (`spawn`, `stop`); rejects on timeout or when the node goes down. */
  call(op: string, args: unknown, timeoutMs: number): Promise<unknown> {
    if (this.#calls.size >= this.#host.options.maxPendingAsks) {
      return Promise.reject(new TransportError('TROUPE_ERR_TOO_MANY_PENDING', `too many calls pending on node ${this.node}`));
    }
    const id = ++this.#callSeq;
    const clock = this.#host.system.clock;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        if (this.#calls.delete(id))
          reject(new TransportError('TROUPE_ERR_TIMEOUT', `${op} on node ${this.node} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#calls.set(id, { resolve, reject, timer });
      this.enqueue([Kind.CALL, id, op, args]);
    });
  }

  /** Settles a call with the peer's answer. */
  settleCall(id: number, ok: boolean, value: unknown, message: unknown): void {
    const pending = this.#calls.get(id);
    if (pending === undefined) return;
    this.#calls.delete(id);
    this.#host.system.clock.clearTimeout(pending.timer);
    if (ok) pending.resolve(value);
    else pending.reject(errorFromWire(value, message));
  }

  #flushNow(): void {
    this.#flushScheduled = false;
    const conn = this.#conn;
    if (conn === undefined || this.status !== 'up' || this.#queue.length === 0) return;
    if (!conn.writable) {
      // The link is closing but has not closed yet: the peer is down from here on, and what is
      // queued is held for the next link like anything sent while reconnecting.
      conn.close(CloseCode.ABNORMAL, 'the link stopped accepting frames');
      return;
    }
    if (conn.link.buffered > this.#host.options.maxBufferedBytes) {
      // The peer reads slower than this node writes: hold the queue (up to bufferLimit) until the
      // link's send buffer drains, rather than let it grow without bound.
      const limit = this.#host.options.bufferLimit;
      if (this.#queue.length > limit) for (const e of this.#queue.splice(limit)) this.#dropBackedUp(e);
      this.#drainTimer ??= this.#host.system.clock.setTimeout(() => {
        this.#drainTimer = undefined;
        this.#flushNow();
      }, DRAIN_CHECK_MS);
      return;
    }
    const queue = this.#queue;
    this.#queue = [];
    const live = coalesce(queue, this.#isStale);
    if (live.length > 0) writeFrames(live, this.#host.options.maxFrameBytes, (frame) => conn.send(frame), this.#reject);
  }

  /** An ask or call that failed while waiting here (its node went down meanwhile) is not sent again. */
  readonly #isStale = (e: Envelope): boolean =>
    (e[0] === Kind.ASK && this.#host.system._temp(e[3]) === undefined) || (e[0] === Kind.CALL && !this.#calls.has(e[1]));

  /**
   * An envelope that cannot be sent at all: its asker learns why — here, or on the peer when it
   * waits there for this reply, result or notice — and the event is a dead letter.
   */
  readonly #reject = (envelope: Envelope, code: ErrorCode, detail: string): void => {
    this.#host._report('frame-error', this.node, detail);
    const system = this.#host.system;
    const short = detail.slice(0, 500);
    switch (envelope[0]) {
      case Kind.ASK:
        system._temp(envelope[3])?.fail(code, detail);
        system._deadLetter(formatAddress(this.node, envelope[1]), envelope[2], 'invalid-event');
        break;
      case Kind.CALL:
        this.settleCall(envelope[1], false, code, detail);
        break;
      case Kind.SEND:
        // a reply the peer's asker (or stream consumer) waits for: it fails there now, not at its timeout
        if (envelope[1].charCodeAt(0) === 36 /* $ */) this.enqueue([Kind.ASK_FAIL, envelope[1], code, `the reply ${short}`]);
        system._deadLetter(formatAddress(this.node, envelope[1]), envelope[2], 'invalid-event');
        break;
      case Kind.ASK_FAIL:
        if (envelope[3].length > 1000) this.enqueue([Kind.ASK_FAIL, envelope[1], envelope[2], envelope[3].slice(0, 1000)]);
        break;
      case Kind.RESULT:
        if (envelope[2]) this.enqueue([Kind.RESULT, envelope[1], false, code, `the result ${short}`]);
        else if (envelope[4].length > 1000) this.enqueue([Kind.RESULT, envelope[1], false, envelope[3], envelope[4].slice(0, 1000)]);
        break;
      case Kind.DOWN: {
        const reason = envelope[3];
        const replaced = typeof reason === 'object' && reason !== null && (reason as { truncated?: unknown }).truncated === true;
        if (!replaced) {
          const error = new Error(`the exit reason could not be sent: ${short}`);
          this.enqueue([Kind.DOWN, envelope[1], envelope[2], { error, truncated: true }]);
        }
        break;
      }
      default:
        break;
    }
  };

  #dropBackedUp(envelope: Envelope): void {
    const o = this.#host.options;
    this.#drop(
      envelope,
      `the link to node ${this.node} is backed up: over ${o.maxBufferedBytes} bytes unsent and ${o.bufferLimit} messages waiting`,
      'TROUPE_ERR_TOO_MANY_PENDING',
    );
  }

  /** An envelope the peer cannot be reached for. */
  #drop(envelope: Envelope, why: string, code: ErrorCode = 'TROUPE_ERR_NODE_DOWN'): void {
    const system = this.#host.system;
    const message = code === 'TROUPE_ERR_NODE_DOWN' ? `node ${this.node} is unreachable: ${why}` : why;
    switch (envelope[0]) {
      case Kind.SEND:
        system._deadLetter(formatAddress(this.node, envelope[1]), envelope[2], 'node-down');
        break;
      case Kind.ASK:
        system._temp(envelope[3])?.fail(code, message);
        system._deadLetter(formatAddress(this.node, envelope[1]), envelope[2], 'node-down');
        break;
      case Kind.WATCH: {
        const target = formatAddress(this.node, envelope[1]);
        this.#host.watches.removeOut(this.node, target, envelope[2])?.watcher._down(noconnection(target));
        break;
      }
      case Kind.CALL:
        this.settleCall(envelope[1], false, code, message);
        break;
      default:
        break;
    }
  }

  // ---- link lifecycle ----

  /** Which node dialed `conn`. */
  #dialerOf(conn: Connection): string {
    return conn.role === 'dialer' ? this.#host.system.node : this.node;
  }

  /**
   * Takes a newly opened link. With no link yet it becomes the link. A node that dials again
   * replaces its own stale link. When both nodes dialed, both ends prefer the link the lower node
   * id dialed: it carries what is sent from now on; the other stays open, still delivering what
   * the peer sent on it, until the lower node closes it (so nothing in flight on it is lost).
   */
  attach(conn: Connection): void {
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
      const self = this.#host.system.node;
      const lower = lowerNode(self, this.node);
      const keep = this.#dialerOf(conn) === lower ? conn : current;
      const spare = keep === conn ? current : conn;
      this.#conn = keep;
      this.#standby.add(spare);
      if (self === lower) this.#closeStandby();
    }
    if (wasUp) return;
    this.#host._report('up', this.node, conn.link.remote);
    if (this.#queue.length > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
    this.#host._linkUp(this);
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
      if (this.#queue.length > 0 && !this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(this.#flush);
      }
      return;
    }
    this.status = 'reconnecting';
    const why = reason === '' ? `link closed (code ${code})` : `link closed: ${reason} (code ${code})`;
    this.#host._report('down', this.node, why, code);
    const message = `node ${this.node} went down: ${why}`;
    this.#host.system._failTempsTo(this.node, 'TROUPE_ERR_NODE_DOWN', message);
    for (const id of [...this.#calls.keys()]) this.settleCall(id, false, 'TROUPE_ERR_NODE_DOWN', message);
    const limit = this.#host.options.bufferLimit;
    if (this.#queue.length > limit) for (const e of this.#queue.splice(limit)) this.#drop(e, 'the reconnect buffer is full');
    this.#host._linkDown(this);
    this.#bufferTimer = this.#host.system.clock.setTimeout(() => this.#giveUp(), this.#host.options.bufferMs);
    this.#host._report('reconnecting', this.node, this.url === undefined ? 'waiting for the peer to dial again' : `re-dialing ${this.url}`);
    if (this.url !== undefined) this.#scheduleDial();
  }

  #scheduleDial(): void {
    if (this.#attempt >= this.#host.options.maxAttempts) {
      if (this.status === 'reconnecting') this.#giveUp();
      return;
    }
    const delay = backoffDelay(this.#attempt++, this.#host.options.backoff);
    this.#retryTimer = this.#host.system.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#dialNow();
    }, delay);
  }

  #dialNow(): void {
    const url = this.url;
    if (url === undefined || this.status === 'up' || this.status === 'closed') return;
    this.#host._report('connecting', this.node, url);
    this.#host._dial(url, this.node).then(
      () => {},
      (err: TroupeError) => {
        if (this.status === 'up' || this.status === 'closed') return;
        this.#host._report(err.code === 'TROUPE_ERR_AUTH_FAILED' ? 'auth-failed' : 'connecting', this.node, `dial failed: ${err.message}`);
        if (isRefused(err)) this.#failHeldRequests(`nothing listens at ${url} (connection refused)`);
        this.#scheduleDial();
      },
    );
  }

  /**
   * The peer's process is gone (its address refuses connections): asks and calls held for it fail
   * now rather than at their timeouts. Tells stay held for a while, in case it comes back.
   */
  #failHeldRequests(why: string): void {
    if (!this.#queue.some((e) => e[0] === Kind.ASK || e[0] === Kind.CALL)) return;
    const held = this.#queue;
    this.#queue = [];
    for (const e of held) {
      if (e[0] === Kind.ASK || e[0] === Kind.CALL) this.#drop(e, why);
      else this.#queue.push(e);
    }
  }

  #giveUp(): void {
    this.#bufferTimer = undefined;
    if (this.status === 'up' || this.status === 'closed') return;
    this.status = 'unreachable';
    this.#host._report('unreachable', this.node, `no link for ${this.#host.options.bufferMs} ms`);
    const queue = this.#queue;
    this.#queue = [];
    for (const e of queue) this.#drop(e, 'gave up waiting for the link');
    // Watches made while waiting never reached the peer.
    for (const w of this.#host.watches.takeAll('out', this.node)) w.watcher._down(noconnection(w.target));
    this.#host._unreachable(this);
  }

  /** True when nothing is waiting here any more: no link, URL, queue, asks or calls. */
  get idle(): boolean {
    return (
      this.#conn === undefined &&
      this.#standby.size === 0 &&
      this.url === undefined &&
      this.#queue.length === 0 &&
      this.#pendingAsks === 0 &&
      this.inboundAsks === 0 &&
      this.#calls.size === 0 &&
      this.#upWaiters.length === 0
    );
  }

  /** Shutdown: sends what is queued, then closes the link. */
  close(): void {
    if (this.status === 'closed') return;
    if (this.#flushScheduled || this.#queue.length > 0) this.#flushNow();
    this.status = 'closed';
    this.#clearTimers();
    const waiters = this.#upWaiters;
    this.#upWaiters = [];
    for (const w of waiters) w(false);
    for (const id of [...this.#calls.keys()]) this.settleCall(id, false, 'TROUPE_ERR_SYSTEM_STOPPED', 'this node shut down');
    const queue = this.#queue;
    this.#queue = [];
    for (const e of queue) this.#drop(e, 'this node shut down');
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.close(1001, 'node shutting down');
    for (const spare of this.#standby) spare.close(1001, 'node shutting down');
    this.#standby.clear();
  }

  #clearTimers(): void {
    const clock = this.#host.system.clock;
    if (this.#retryTimer !== undefined) clock.clearTimeout(this.#retryTimer);
    if (this.#bufferTimer !== undefined) clock.clearTimeout(this.#bufferTimer);
    if (this.#drainTimer !== undefined) clock.clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    this.#retryTimer = undefined;
    this.#bufferTimer = undefined;
  }
}

/** How often a backed-up link's send buffer is checked, ms. */
const DRAIN_CHECK_MS = 10;

/** The node id that sorts first: its dial wins when two nodes dial each other. */
export function lowerNode(a: string, b: string): string {
  return [a, b].sort()[0];
}

/** The notice a watcher gets for a target whose node is unreachable. */
export function noconnection(target: string): DownEvent {
  return { type: 'troupe.down', address: target, reason: 'noconnection' };
}
