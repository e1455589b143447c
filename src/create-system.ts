import { ActorSystem } from './actors/system.js';
import type { NetworkOptions, SystemOptions } from './actors/system-options.js';
import { transportHostOf } from './actors/transport-host.js';
import { openStream } from './streams/stream.js';
import { EndpointManager } from './transport/endpoint-manager.js';
import { resolveNetworkOptions, type TransportOptions } from './transport/options.js';
import type { Transport } from './transport/transport.js';
import { WsTransport } from './transport/ws-transport.js';

/** Options of {@link createSystem}: the system's, the network's, and the transport to use. */
export interface CreateSystemOptions extends SystemOptions, NetworkOptions, TransportOptions {
  /** How links between nodes are made. Default: WebSocket (`ws://`, or `wss://` with `tls`). */
  transport?: Transport;
}

/**
 * Creates an actor system that can join a cluster. Returns at once; `await system.ready` before
 * relying on its listener. Throws `TROUPE_ERR_INSECURE` when asked to listen beyond loopback
 * without a `secret`, and `TROUPE_ERR_INVALID_OPTION` on any bad option.
 *
 * @example
 * ```ts
 * import { createSystem } from 'troupe';
 * const alpha = createSystem({ node: 'alpha', listen: { port: 7400 }, secret, logic: { summarizer } });
 * const beta = createSystem({ node: 'beta', secret });
 * await alpha.ready;
 * await beta.connect('ws://127.0.0.1:7400');
 * const sum = await beta.spawnOn('alpha', 'summarizer', { name: 'sum-1' });
 * const reply = await sum.ask({ type: 'task', text: '…' });
 * ```
 */
export function createSystem(options: CreateSystemOptions = {}): ActorSystem {
  const network = resolveNetworkOptions(options);
  const { node, clock, dispatcher, throughput, askTimeoutMs, mailbox, onUnhandledExit } = options;
  const system = new ActorSystem({ node, clock, dispatcher, throughput, askTimeoutMs, mailbox, onUnhandledExit });
  system._installStreams(openStream);
  new EndpointManager(transportHostOf(system), options.transport ?? new WsTransport(), network);
  return system;
}
