import type { AnyEventObject } from 'xstate';
import { formatAddress, isOnNode, isTemporaryPath, parseAddress } from '../actors/address.js';
import { isEvent, TempRef } from '../actors/ask.js';
import type { BaseRef } from '../actors/ref.js';
import type { TransportHost } from '../actors/transport-host.js';
import { codeFromWire, errorToWire } from '../error-wire.js';
import { type DecodedFrame, type RefusedEnvelope, readFrame } from './codec.js';
import type { Connection } from './connection.js';
import { Kind, reasonFromWire } from './envelope.js';
import type { PeerEndpoint as Endpoint, NodeContext } from './node-context.js';

/** What inbound handling needs from its node. */
export type InboundHost = Pick<NodeContext, 'host' | 'options' | 'watches' | 'resolveRef' | 'serveCall' | 'report'>;

/** Longest ask timeout a peer may ask this node to hold a reply ref for: one day. */
const MAX_ASK_TIMEOUT_MS = 86_400_000;

/**
 * Handles one frame from an authenticated peer. A frame that does not decode is dropped whole; an
 * envelope that is malformed, of an unknown kind or carries a prototype-pollution key is dropped
 * alone (an ask among them is answered with `TROUPE_ERR_PROTOCOL`). Each drop is reported to
 * inspection as a `frame-error`; the link stays open and the other envelopes are delivered.
 */
export function handleFrame(host: InboundHost, endpoint: Endpoint, conn: Connection, frame: Uint8Array): void {
  let read: DecodedFrame;
  try {
    read = readFrame(frame, host.resolveRef);
  } catch (err) {
    host.report('frame-error', endpoint.node, `dropped a ${frame.byteLength}-byte frame: ${(err as Error).message}`);
    return;
  }
  const { envelopes: items, refused } = read;
  if (!Array.isArray(items)) {
    host.report('frame-error', endpoint.node, 'dropped a frame that is not an array of envelopes');
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const why = refused?.get(i);
    if (why !== undefined) {
      refuse(host, endpoint, why, `envelope ${i} rejected: it carries ${why.detail}`);
      continue;
    }
    const envelope = items[i];
    if (!Array.isArray(envelope)) {
      host.report('frame-error', endpoint.node, `envelope ${i} is not an array`);
      continue;
    }
    try {
      handleEnvelope(host, endpoint, conn, envelope, i);
    } catch (err) {
      // One bad envelope never aborts the frame, nor escapes into the socket's event handler.
      host.report('frame-error', endpoint.node, `envelope ${i} failed: ${String((err as Error)?.message ?? err).slice(0, 200)}`);
    }
  }
}

function handleEnvelope(host: InboundHost, endpoint: Endpoint, conn: Connection, e: unknown[], i: number): void {
  const local = host.host;
  switch (e[0]) {
    case Kind.SEND: {
      const [, path, event] = e;
      if (typeof path !== 'string' || !isEvent(event)) {
        malformed(host, endpoint, e, i);
        return;
      }
      if (!isCapability(path) && foreignTemp(host, endpoint, path, i)) return;
      local.deliver(path, event);
      return;
    }
    case Kind.SEND_BATCH: {
      const [, path, events] = e;
      if (typeof path !== 'string' || !Array.isArray(events)) {
        malformed(host, endpoint, e, i);
        return;
      }
      if (!isCapability(path) && foreignTemp(host, endpoint, path, i)) return;
      deliverBatch(host, endpoint, path, events, i);
      return;
    }
    case Kind.ASK:
      serveAsk(host, endpoint, e, i);
      return;
    case Kind.ASK_FAIL: {
      const [, replyPath, code, message] = e;
      if (typeof replyPath !== 'string' || typeof message !== 'string') {
        malformed(host, endpoint, e, i);
        return;
      }
      if (foreignTemp(host, endpoint, replyPath, i)) return;
      local.temporary(replyPath)?.fail(codeFromWire(code), message);
      return;
    }
    case Kind.WATCH:
    case Kind.UNWATCH: {
      const [kind, path, watcherAddress] = e;
      const watcher = typeof path === 'string' ? peerRef(host, endpoint, watcherAddress) : undefined;
      if (watcher === undefined) {
        malformed(host, endpoint, e, i);
        return;
      }
      const target = formatAddress(local.node, path as string);
      const targetRef = localRef(local, target);
      if (targetRef === undefined) {
        if (kind === Kind.WATCH) watcher._down({ type: 'troupe.down', address: target, reason: 'noproc' });
        return;
      }
      if (kind === Kind.WATCH) {
        if (host.watches.addIn(endpoint.node, target, watcher, targetRef)) targetRef._watch(watcher);
      } else if (host.watches.removeIn(endpoint.node, target, watcher.address) !== undefined) {
        targetRef._unwatch(watcher);
      }
      return;
    }
    case Kind.DOWN: {
      const [, path, target, reason] = e;
      if (typeof path !== 'string' || typeof target !== 'string') {
        malformed(host, endpoint, e, i);
        return;
      }
      // Only a watch this node asked for is answered: a late or forged notice is ignored.
      const watch = host.watches.removeOut(endpoint.node, target, formatAddress(local.node, path));
      watch?.watcher._down({ type: 'troupe.down', address: target, reason: reasonFromWire(reason) });
      return;
    }
    case Kind.CALL: {
      const [, id, op, args] = e;
      if (!Number.isSafeInteger(id)) {
        malformed(host, endpoint, e, i);
        return;
      }
      host.serveCall(endpoint, id as number, op, args);
      return;
    }
    case Kind.RESULT: {
      const [, id, ok, value, message] = e;
      if (!Number.isSafeInteger(id) || typeof ok !== 'boolean') {
        malformed(host, endpoint, e, i);
        return;
      }
      endpoint.settleCall(id as number, ok, value, message);
      return;
    }
    case Kind.PING:
      conn.pong();
      return;
    case Kind.PONG:
      return;
    default:
      host.report('frame-error', endpoint.node, `envelope ${i} has an unknown kind ${String(e[0]).slice(0, 20)}`);
  }
}

/** Tells to one path: the actor is looked up once; an event that is not one is dropped alone. */
function deliverBatch(host: InboundHost, endpoint: Endpoint, path: string, events: unknown[], i: number): void {
  const local = host.host;
  const cell = isTemporaryPath(path) ? undefined : local.resolve(path);
  for (let j = 0; j < events.length; j++) {
    const event = events[j];
    if (!isEvent(event)) {
      host.report('frame-error', endpoint.node, `envelope ${i}: event ${j} of the batch is not an event object`);
      continue;
    }
    if (cell === undefined) local.deliver(path, event);
    else cell.tell(event);
  }
}

function serveAsk(host: InboundHost, endpoint: Endpoint, e: unknown[], i: number): void {
  const [, path, event, replyPath, timeoutMs] = e;
  if (typeof replyPath !== 'string' || !isTemporaryPath(replyPath)) {
    malformed(host, endpoint, e, i);
    return;
  }
  if (typeof path !== 'string' || !isEvent(event) || typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
    endpoint.enqueue([Kind.ASK_FAIL, replyPath, 'TROUPE_ERR_PROTOCOL', `malformed ask envelope ${i}`]);
    host.report('frame-error', endpoint.node, `envelope ${i}: malformed ask`);
    return;
  }
  if (endpoint.inboundAsks >= host.options.maxPendingAsks) {
    host.report('refused', endpoint.node, `more than ${host.options.maxPendingAsks} asks from ${endpoint.node} pending`);
    endpoint.enqueue([
      Kind.ASK_FAIL,
      replyPath,
      'TROUPE_ERR_TOO_MANY_PENDING',
      `node ${host.host.node} already serves ${endpoint.inboundAsks} asks from ${endpoint.node}`,
    ]);
    return;
  }
  const local = host.host;
  const cell = isTemporaryPath(path) ? undefined : local.resolve(path);
  if (cell === undefined || cell.status === 'stopped') {
    endpoint.enqueue([Kind.ASK_FAIL, replyPath, 'TROUPE_ERR_NO_ACTOR', `no actor at ${formatAddress(local.node, path)}`]);
    return;
  }
  // The asked cell holds a local reply ref, as for a local ask: its exit, crash or full mailbox
  // fails the ask here, and the failure travels back as ASK_FAIL.
  endpoint.inboundAsks++;
  const temp = new TempRef(
    local.asks,
    cell.address,
    (reply) => {
      endpoint.inboundAsks--;
      endpoint.enqueue([Kind.SEND, replyPath, reply]);
    },
    (err: unknown) => {
      endpoint.inboundAsks--;
      const [code, message] = errorToWire(err);
      endpoint.enqueue([Kind.ASK_FAIL, replyPath, code, message]);
    },
  );
  temp._arm(Math.min(timeoutMs, MAX_ASK_TIMEOUT_MS), undefined);
  (event as AnyEventObject).replyTo = temp;
  cell.tellAsk(event as AnyEventObject, temp);
}

/**
 * True (and reported) when `path` names a temporary — an ask's reply ref, a stream's consumer or
 * producer, an orphan guard — that waits on an actor of another node than this peer's: a peer may
 * settle, feed or fail only what waits on its own node.
 */
function foreignTemp(host: InboundHost, endpoint: Endpoint, path: string, i: number): boolean {
  if (!isTemporaryPath(path)) return false;
  const temp = host.host.temporary(path);
  if (temp === undefined || isOnNode(temp.target, endpoint.node)) return false;
  host.report('frame-error', endpoint.node, `envelope ${i} dropped: ${path.slice(0, 80)} does not wait on node ${endpoint.node}`);
  return true;
}

/**
 * Reply and stream-consumer addresses are capabilities: unguessable, and meant to be handed on (a
 * coordinator forwards an ask's `replyTo` to a worker on a third node, which answers directly).
 * Events to them are accepted from any peer; failures (ASK_FAIL) only from the node asked.
 */
function isCapability(path: string): boolean {
  return path.startsWith('$ask.') || path.startsWith('$stream.');
}

/** A ref to a local address, or undefined when the path is not a valid one. */
function localRef(local: TransportHost, address: string): BaseRef | undefined {
  try {
    return local.ref(address);
  } catch {
    return undefined;
  }
}

/** A ref to an actor on the peer's own node (a peer may only register its own actors as watchers). */
function peerRef(host: InboundHost, endpoint: Endpoint, address: unknown): BaseRef | undefined {
  if (typeof address !== 'string') return undefined;
  try {
    if (parseAddress(address).node !== endpoint.node) return undefined;
    return host.resolveRef(address);
  } catch {
    return undefined;
  }
}

function malformed(host: InboundHost, endpoint: Endpoint, e: unknown[], i: number): void {
  host.report('frame-error', endpoint.node, `envelope ${i} (kind ${String(e[0]).slice(0, 20)}) is malformed`);
}

/** An envelope refused unread: an ask or call among them is answered with the reason. */
function refuse(host: InboundHost, endpoint: Endpoint, envelope: RefusedEnvelope, detail: string): void {
  host.report('frame-error', endpoint.node, detail);
  const kind = envelope.item(0);
  if (kind === Kind.ASK) {
    const replyPath = envelope.item(3);
    if (typeof replyPath === 'string') endpoint.enqueue([Kind.ASK_FAIL, replyPath, envelope.code, detail]);
  } else if (kind === Kind.CALL) {
    const id = envelope.item(1);
    if (Number.isSafeInteger(id)) endpoint.enqueue([Kind.RESULT, id as number, false, envelope.code, detail]);
  } else if (kind === Kind.SEND || kind === Kind.SEND_BATCH) {
    // a refused reply to an ask (or a chunk for a stream) waiting on this peer fails it now, not at its timeout
    const path = envelope.item(1);
    const temp = typeof path === 'string' && isTemporaryPath(path) ? host.host.temporary(path) : undefined;
    if (temp !== undefined && isOnNode(temp.target, endpoint.node)) temp.fail(envelope.code, `the peer's reply was refused: ${detail}`);
  }
}
