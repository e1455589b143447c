import { type AnyEventObject, fromCallback } from 'xstate';
import {
  type ActorSystem,
  type CreateSystemOptions,
  createSystem,
  type NodeInspectionEvent,
  realClock,
  SimulatedClock,
  type Transport,
} from '../../src/index.js';
import { type BaseRef, Connection, decodeFrame, encodeFrame, MemoryNetwork } from '../../src/internal.js';
import type { ConnectionHost } from '../../src/transport/connection.js';
import { until } from '../support/latch.js';

/** A logic that records every event it receives (including `troupe.down` notices). */
export function recorder(into: AnyEventObject[]) {
  return fromCallback<AnyEventObject>(({ receive }) => {
    receive((event) => {
      into.push(event);
    });
  });
}

/** Collects a system's `@troupe.node` events. */
export function nodeEvents(system: ActorSystem): NodeInspectionEvent[] {
  const events: NodeInspectionEvent[] = [];
  system.inspect((e) => {
    if (e.type === '@troupe.node') events.push(e);
  });
  return events;
}

/** Wraps a transport and counts the frames its links send. */
export function countingTransport(inner: Transport): Transport & { frames: number } {
  const counter = {
    frames: 0,
    listen: (options: Parameters<Transport['listen']>[0], onLink: Parameters<Transport['listen']>[1]) =>
      inner.listen(options, (link) => onLink(counted(link))),
    dial: async (url: string, options: Parameters<Transport['dial']>[1]) => counted(await inner.dial(url, options)),
  };
  function counted<T extends { send(frame: Uint8Array): void }>(link: T): T {
    const send = link.send.bind(link);
    link.send = (frame) => {
      counter.frames++;
      send(frame);
    };
    return link;
  }
  return counter;
}

export interface Pair {
  net: MemoryNetwork;
  clock: SimulatedClock;
  /** Listens; node `alpha`. */
  a: ActorSystem;
  /** Dials alpha; node `beta`. */
  b: ActorSystem;
  port: number;
  url: string;
  shutdown(): Promise<void>;
}

/**
 * Two systems on an in-process network, beta connected to alpha, sharing a simulated clock (so
 * heartbeats, backoff and grace periods move only when a test advances it).
 */
export async function memoryPair(
  options: { a?: CreateSystemOptions; b?: CreateSystemOptions; net?: MemoryNetwork; clock?: SimulatedClock } = {},
): Promise<Pair> {
  const net = options.net ?? new MemoryNetwork();
  const clock = options.clock ?? new SimulatedClock();
  const a = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'k', clock, transport: net.transport(), ...options.a });
  const b = createSystem({ node: 'beta', secret: 'k', clock, transport: net.transport(), ...options.b });
  await a.ready;
  const port = a.listenAddress?.port as number;
  const url = `memory://127.0.0.1:${port}`;
  await b.connect(url);
  return {
    net,
    clock,
    a,
    b,
    port,
    url,
    async shutdown() {
      await b.shutdown();
      await a.shutdown();
    },
  };
}

/** Advances a simulated clock in steps, letting I/O (macrotasks) run between steps, until `predicate` holds. */
export async function advanceUntil(
  clock: SimulatedClock,
  predicate: () => boolean,
  stepMs = 50,
  what = 'condition',
  maxSteps = 2000,
): Promise<void> {
  for (let i = 0; i < maxSteps && !predicate(); i++) {
    clock.advance(stepMs);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  }
  if (!predicate()) throw new Error(`simulated clock: timed out waiting for ${what}`);
}

/** Lets in-flight frames of the memory network arrive. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

export { until };

/** An authenticated peer driven by hand: it speaks the handshake, then sends whatever frames a test crafts. */
export interface RawPeer {
  conn: Connection;
  /** Decoded envelopes received, flattened. */
  received: unknown[][];
  /** Close code, once closed. */
  closed: number | undefined;
  send(envelopes: unknown[]): void;
  sendBytes(bytes: Uint8Array): void;
}

export async function rawPeer(transport: Transport, url: string, options: { node?: string; secret?: string } = {}): Promise<RawPeer> {
  const link = await transport.dial(url, { maxFrameBytes: 64 * 1024 * 1024, timeoutMs: 5000 });
  const peer: RawPeer = {
    conn: undefined as unknown as Connection,
    received: [],
    closed: undefined,
    send: (envelopes) => link.send(encodeFrame(envelopes)),
    sendBytes: (bytes) => link.send(bytes),
  };
  const host: ConnectionHost = {
    node: options.node ?? 'mallory',
    secret: options.secret ?? 'k',
    clock: realClock,
    handshakeTimeoutMs: 5000,
    heartbeatIntervalMs: 3_600_000,
    heartbeatMaxMissed: 3,
    _admit: () => true,
    _opened(conn) {
      conn.receiver = {
        receive(_conn, frame) {
          const items = decodeFrame(frame, (address) => ({ address }) as unknown as BaseRef) as unknown[][];
          peer.received.push(...items);
        },
      };
    },
    _closed(_conn, code) {
      peer.closed = code;
    },
    _report() {},
  };
  peer.conn = new Connection(host, link, 'dialer');
  await peer.conn.opened;
  return peer;
}
