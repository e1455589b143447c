import type { AnyEventObject } from 'xstate';
import { isEvent, startAsk } from '../actors/ask.js';
import { type AskOptions, BaseRef, type DownEvent, type StreamHost } from '../actors/ref.js';
import type { ExitReason } from '../util/exit-reason.js';
import { Kind } from './envelope.js';
import type { PeerEndpoint as Endpoint, NodeContext } from './node-context.js';

/** What a remote ref reaches through: its node's context. @internal */
export type RemoteRefHost = Pick<NodeContext, 'host' | 'watches' | 'endpointFor'>;

/**
 * A ref to an actor on another node: `send` encodes and hands off to the peer's endpoint, `ask`
 * waits on a local reply ref the peer answers to, `watch` registers on the peer and turns a lost
 * link into `troupe.down` with `'noconnection'`.
 * @internal
 */
export class RemoteRef extends BaseRef {
  readonly address: string;
  /** The path on the peer node. */
  readonly path: string;
  readonly node: string;
  readonly #host: RemoteRefHost;
  #known: Endpoint | undefined;

  constructor(host: RemoteRefHost, node: string, address: string, path: string) {
    super();
    this.#host = host;
    this.node = node;
    this.address = address;
    this.path = path;
  }

  /** Looked up at each use until the node is known, so a ref alone never creates an endpoint. */
  get #endpoint(): Endpoint {
    if (this.#known !== undefined && !this.#known.removed) return this.#known;
    this.#known = undefined;
    const endpoint = this.#host.endpointFor(this.node);
    if (!endpoint.transient) this.#known = endpoint;
    return endpoint;
  }

  /** Streams from a remote actor are consumed here: chunks come back as tells to a local consumer ref. @internal */
  override get _streamHost(): StreamHost {
    return this.#host.host.streams;
  }

  send(event: AnyEventObject): void {
    if (!isEvent(event)) {
      this.#host.host.deadLetter(this.address, event, 'invalid-event');
      return;
    }
    this.#endpoint.enqueue([Kind.SEND, this.path, event]);
  }

  ask<TReply = AnyEventObject>(event: AnyEventObject, options?: AskOptions): Promise<TReply> {
    return startAsk<TReply>(this.#host.host.asks, this.address, event, options, (e, temp, timeoutMs) =>
      this.#endpoint.ask(this.path, e, temp, timeoutMs),
    );
  }

  /** This ref is a remote watcher of a local actor: forward the notice. */
  _down(event: DownEvent): void {
    this.#host.watches.removeIn(this.node, event.address, this.address);
    this.#endpoint.enqueue([Kind.DOWN, this.path, event.address, reasonToWire(event.reason)]);
  }

  _watch(watcher: BaseRef): void {
    if (this.#host.watches.addOut(this.node, this.address, watcher)) {
      this.#endpoint.enqueue([Kind.WATCH, this.path, watcher.address]);
    }
  }

  _unwatch(watcher: BaseRef): void {
    if (this.#host.watches.removeOut(this.node, this.address, watcher.address) !== undefined) {
      this.#endpoint.enqueue([Kind.UNWATCH, this.path, watcher.address]);
    }
  }

  async _stop(reason: ExitReason): Promise<void> {
    await this.#endpoint.call('stop', { path: this.path, reason: reasonToWire(reason) }, this.#host.host.askTimeoutMs);
  }
}

/** A crash's error is sent as an Error (or its text), so that any value a machine threw can travel. */
export function reasonToWire(reason: ExitReason | 'noproc'): unknown {
  if (typeof reason !== 'object' || reason === null) return reason;
  const error = reason.error;
  return { error: error instanceof Error || typeof error === 'string' ? error : String(error) };
}
