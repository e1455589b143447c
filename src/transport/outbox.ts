/** An endpoint's outgoing queue: per-tick flushes, backpressure on a slow link, and the fate of envelopes that cannot go. */
import { formatAddress, isTemporaryPath } from '../actors/address.js';
import type { ErrorCode } from '../errors.js';
import type { TimerHandle } from '../util/clock.js';
import type { Connection } from './connection.js';
import { type Envelope, Kind } from './envelope.js';
import { coalesce, writeFrames } from './frame-writer.js';
import type { EndpointStatus, NodeContext } from './node-context.js';
import { CloseCode } from './transport.js';
import { noconnection } from './watch-registry.js';

/** What an outbox needs from its node. */
export type OutboxContext = Pick<NodeContext, 'host' | 'options' | 'watches' | 'report'>;

/** What an outbox needs from the endpoint it belongs to. */
export interface OutboxOwner {
  readonly node: string;
  readonly status: EndpointStatus;
  readonly connection: Connection | undefined;
  /** True while control call `id` waits for the peer's answer. @internal */
  _callPending(id: number): boolean;
  settleCall(id: number, ok: boolean, value: unknown, message: unknown): void;
}

/**
 * The envelopes waiting for one peer. While the link is up they leave in one batch per tick; while
 * the link's send buffer is over `maxBufferedBytes` they wait for it to drain, up to `bufferLimit`.
 * An envelope that cannot be sent, or whose peer cannot be reached, fails its asker or caller and
 * becomes a dead letter.
 */
export class Outbox {
  readonly #ctx: OutboxContext;
  readonly #owner: OutboxOwner;
  #queue: Envelope[] = [];
  #flushScheduled = false;
  /** Set while the link's send buffer is over `maxBufferedBytes`: the queue waits for it to drain. */
  #drainTimer: TimerHandle | undefined;
  readonly #flush = () => this.flush();

  constructor(ctx: OutboxContext, owner: OutboxOwner) {
    this.#ctx = ctx;
    this.#owner = owner;
  }

  /** Envelopes waiting. */
  get length(): number {
    return this.#queue.length;
  }

  /** Queues an envelope for the peer: sent this tick when up, held while (re)connecting, dropped otherwise. */
  enqueue(envelope: Envelope): void {
    const status = this.#owner.status;
    if (status === 'up') {
      if (this.#drainTimer !== undefined && this.#queue.length >= this.#ctx.options.bufferLimit) {
        this.#dropBackedUp(envelope);
        return;
      }
      this.#queue.push(envelope);
      this.#scheduleFlush();
    } else if (status === 'reconnecting' && this.#queue.length < this.#ctx.options.bufferLimit) {
      this.#queue.push(envelope);
    } else {
      this.#drop(envelope, status === 'reconnecting' ? 'the reconnect buffer is full' : undefined);
    }
  }

  /** A link is there to take what is held: send it this tick. */
  wake(): void {
    if (this.#queue.length > 0) this.#scheduleFlush();
  }

  /** Sends what is queued now, if the link is up and can take it. */
  flush(): void {
    this.#flushScheduled = false;
    const conn = this.#owner.connection;
    if (conn === undefined || this.#owner.status !== 'up' || this.#queue.length === 0) return;
    if (!conn.writable) {
      // The link is closing but has not closed yet: the peer is down from here on, and what is
      // queued is held for the next link like anything sent while reconnecting.
      conn.close(CloseCode.ABNORMAL, 'the link stopped accepting frames');
      return;
    }
    if (conn.link.buffered > this.#ctx.options.maxBufferedBytes) {
      // The peer reads slower than this node writes: hold the queue (up to bufferLimit) until the
      // link's send buffer drains, rather than let it grow without bound.
      const limit = this.#ctx.options.bufferLimit;
      if (this.#queue.length > limit) for (const e of this.#queue.splice(limit)) this.#dropBackedUp(e);
      this.#drainTimer ??= this.#ctx.host.clock.setTimeout(() => {
        this.#drainTimer = undefined;
        this.flush();
      }, DRAIN_CHECK_MS);
      return;
    }
    const queue = this.#queue;
    this.#queue = [];
    const live = coalesce(queue, this.#isStale);
    if (live.length > 0) writeFrames(live, this.#ctx.options.maxFrameBytes, (frame) => conn.send(frame), this.#reject);
  }

  /** Stops waiting for a backed-up link's send buffer to drain. */
  stopDrainCheck(): void {
    if (this.#drainTimer !== undefined) this.#ctx.host.clock.clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
  }

  /** Keeps the first `bufferLimit` envelopes; the rest are dropped, `why` says why. */
  trim(why: string): void {
    const limit = this.#ctx.options.bufferLimit;
    if (this.#queue.length > limit) for (const e of this.#queue.splice(limit)) this.#drop(e, why);
  }

  /**
   * The peer's process is gone (its address refuses connections): asks and calls held for it fail
   * now rather than at their timeouts. Tells stay held for a while, in case it comes back.
   */
  failRequests(why: string): void {
    if (!this.#queue.some((e) => e[0] === Kind.ASK || e[0] === Kind.CALL)) return;
    const held = this.#queue;
    this.#queue = [];
    for (const e of held) {
      if (e[0] === Kind.ASK || e[0] === Kind.CALL) this.#drop(e, why);
      else this.#queue.push(e);
    }
  }

  /** Drops everything queued: the peer cannot be reached, `why` says why. */
  dropAll(why: string): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const e of queue) this.#drop(e, why);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flush);
  }

  /** An ask or call that failed while waiting here (its node went down meanwhile) is not sent again. */
  readonly #isStale = (e: Envelope): boolean =>
    (e[0] === Kind.ASK && this.#ctx.host.temporary(e[3]) === undefined) || (e[0] === Kind.CALL && !this.#owner._callPending(e[1]));

  /**
   * An envelope that cannot be sent at all: its asker learns why — here, or on the peer when it
   * waits there for this reply, result or notice — and the event is a dead letter.
   */
  readonly #reject = (envelope: Envelope, code: ErrorCode, detail: string): void => {
    const node = this.#owner.node;
    this.#ctx.report('frame-error', node, detail);
    const host = this.#ctx.host;
    const short = detail.slice(0, 500);
    switch (envelope[0]) {
      case Kind.ASK:
        host.temporary(envelope[3])?.fail(code, detail);
        host.deadLetter(formatAddress(node, envelope[1]), envelope[2], 'invalid-event');
        break;
      case Kind.CALL:
        this.#owner.settleCall(envelope[1], false, code, detail);
        break;
      case Kind.SEND:
        // a reply the peer's asker (or stream consumer) waits for: it fails there now, not at its timeout
        if (isTemporaryPath(envelope[1])) this.enqueue([Kind.ASK_FAIL, envelope[1], code, `the reply ${short}`]);
        host.deadLetter(formatAddress(node, envelope[1]), envelope[2], 'invalid-event');
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
    const o = this.#ctx.options;
    this.#drop(
      envelope,
      `the link to node ${this.#owner.node} is backed up: over ${o.maxBufferedBytes} bytes unsent and ${o.bufferLimit} messages waiting`,
      'TROUPE_ERR_TOO_MANY_PENDING',
    );
  }

  /** An envelope the peer cannot be reached for; without `why`, the endpoint's status says why. */
  #drop(envelope: Envelope, why: string | undefined, code: ErrorCode = 'TROUPE_ERR_NODE_DOWN'): void {
    const host = this.#ctx.host;
    const node = this.#owner.node;
    const message =
      why === undefined
        ? statusMessage(node, this.#owner.status)
        : code === 'TROUPE_ERR_NODE_DOWN'
          ? `node ${node} is unreachable: ${why}`
          : why;
    switch (envelope[0]) {
      case Kind.SEND:
        host.deadLetter(formatAddress(node, envelope[1]), envelope[2], 'node-down');
        break;
      case Kind.ASK:
        host.temporary(envelope[3])?.fail(code, message);
        host.deadLetter(formatAddress(node, envelope[1]), envelope[2], 'node-down');
        break;
      case Kind.WATCH: {
        const target = formatAddress(node, envelope[1]);
        this.#ctx.watches.removeOut(node, target, envelope[2])?.watcher._down(noconnection(target));
        break;
      }
      case Kind.CALL:
        this.#owner.settleCall(envelope[1], false, code, message);
        break;
      default:
        break;
    }
  }
}

/** Why nothing can be sent to `node` while its endpoint is in `status`, in words a user can act on. */
export function statusMessage(node: string, status: EndpointStatus): string {
  switch (status) {
    case 'idle':
      return `node ${node} is not connected: connect to it first with system.connect(url), or have it connect to this node`;
    case 'unreachable':
      return `node ${node} is unreachable: its link has been down longer than reconnect.bufferMs`;
    case 'closed':
      return `node ${node} cannot be reached: this node is shutting down`;
    default:
      return `node ${node} is ${status}`;
  }
}

/** How often a backed-up link's send buffer is checked, ms. */
const DRAIN_CHECK_MS = 10;
