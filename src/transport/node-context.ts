/**
 * What the parts of a node's transport share: the seam to its system, its options, the watches
 * across links, how refs in frames are rebuilt, how control calls are served, and how events are
 * reported. One object, built by the endpoint manager, handed to every endpoint, outbox and
 * inbound frame; none of them sees the manager itself.
 */
import type { AnyEventObject } from 'xstate';
import type { TempRef } from '../actors/ask.js';
import type { NodeInspectionEvent } from '../actors/inspection.js';
import type { TransportHost } from '../actors/transport-host.js';
import type { RefResolver } from './codec.js';
import type { Envelope } from './envelope.js';
import type { ResolvedNetworkOptions } from './options.js';
import type { WatchRegistry } from './watch-registry.js';

/**
 * - `idle`: never linked: messages become dead letters.
 * - `up`: a link is open; messages leave in per-tick batches.
 * - `reconnecting`: the link was lost (the node is down); messages wait, bounded in number and time,
 *   while a dialer re-dials with backoff (a listener waits for the peer to dial again).
 * - `unreachable`: waited too long; messages become dead letters, re-dialing may go on.
 * - `closed`: this system shut down.
 */
export type EndpointStatus = 'idle' | 'up' | 'reconnecting' | 'unreachable' | 'closed';

/** One peer node's endpoint, as refs, inbound frames and remote calls use it (see `Endpoint`). */
export interface PeerEndpoint {
  readonly node: string;
  /** A stand-in for a node with no link or URL; not kept. */
  readonly transient: boolean;
  /** Forgotten by its manager: look the node up again. */
  readonly removed: boolean;
  /** Asks from the peer being served here. */
  inboundAsks: number;
  /** Queues an envelope for the peer. */
  enqueue(envelope: Envelope): void;
  /** Sends an ask; `temp` settles with the reply or a failure. */
  ask(path: string, event: AnyEventObject, temp: TempRef, timeoutMs: number): void;
  /** A control request to the peer (`spawn`, `stop`). */
  call(op: string, args: unknown, timeoutMs: number): Promise<unknown>;
  /** Settles a call with the peer's answer. */
  settleCall(id: number, ok: boolean, value: unknown, message: unknown): void;
}

/** @internal */
export interface NodeContext {
  readonly host: TransportHost;
  readonly options: ResolvedNetworkOptions;
  /** Watches across links, in both directions. */
  readonly watches: WatchRegistry;
  /** Turns an address decoded from a frame into a ref of this node. */
  readonly resolveRef: RefResolver;
  /** The endpoint of `node`, or a throwaway idle one while the node is unknown. */
  endpointFor(node: string): PeerEndpoint;
  /** Serves a control call from a peer (`spawn`, `stop`) and answers it on `endpoint`. */
  serveCall(endpoint: PeerEndpoint, id: number, op: unknown, args: unknown): void;
  /** Reports a `@troupe.node` event, when anyone observes. */
  report(status: NodeInspectionEvent['status'], peer: string | undefined, detail?: string, code?: number): void;
}
