import { describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { pathOf } from '../../src/actors/address.js';
import { TempRef } from '../../src/actors/ask.js';
import { transportHostOf } from '../../src/actors/transport-host.js';
import { ActorSystem, type DeadLetter, SimulatedClock } from '../../src/index.js';
import { decode } from '../../src/transport/codec.js';
import type { Connection } from '../../src/transport/connection.js';
import { type Envelope, Kind } from '../../src/transport/envelope.js';
import type { EndpointStatus, NodeContext } from '../../src/transport/node-context.js';
import { resolveNetworkOptions } from '../../src/transport/options.js';
import { Outbox, type OutboxOwner, statusMessage } from '../../src/transport/outbox.js';
import { WatchRegistry } from '../../src/transport/watch-registry.js';

/** An outbox for peer `y` on node `x`, with a stand-in link that records frames. */
function outbox(status: EndpointStatus, network: Parameters<typeof resolveNetworkOptions>[0] = {}) {
  const clock = new SimulatedClock();
  const system = new ActorSystem({ node: 'x', clock });
  const host = transportHostOf(system);
  const letters: DeadLetter[] = [];
  system.deadLetters.subscribe((d) => letters.push(d));
  const frames: unknown[][] = [];
  const link = { buffered: 0, writable: true, send: (f: Uint8Array) => frames.push(decode(f) as unknown[]) };
  const conn = { writable: true, link, send: (f: Uint8Array) => link.send(f), close() {} } as unknown as Connection;
  const settled: [number, boolean, unknown][] = [];
  const owner: OutboxOwner & { status: EndpointStatus } = {
    node: 'y',
    status,
    connection: conn,
    _callPending: () => true,
    settleCall: (id, ok, value) => settled.push([id, ok, value]),
  };
  const ctx: Pick<NodeContext, 'host' | 'options' | 'watches' | 'report'> = {
    host,
    options: resolveNetworkOptions(network),
    watches: new WatchRegistry(),
    report() {},
  };
  const box = new Outbox(ctx, owner);
  /** An ask to `troupe://y/<path>` whose reply ref is registered on x; resolves with how it settled. */
  const ask = (path: string): { envelope: Envelope; outcome: Promise<string> } => {
    let envelope: Envelope | undefined;
    const outcome = new Promise<string>((resolve) => {
      const temp = new TempRef(
        host.asks,
        `troupe://y/${path}`,
        (e: AnyEventObject) => resolve(`reply ${e.type}`),
        (e: unknown) => resolve(`${(e as { code: string }).code}: ${(e as Error).message}`),
      );
      envelope = [Kind.ASK, path, { type: 'q' }, pathOf(temp.address, 'x') as string, 1000];
    });
    return { envelope: envelope as Envelope, outcome };
  };
  return { box, owner, link, frames, letters, settled, ask, clock };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Outbox', () => {
  describe('#enqueue', () => {
    it('while up: sends what one tick queued as one frame, consecutive tells to one actor as one batch', async () => {
      const { box, frames } = outbox('up');
      box.enqueue([Kind.SEND, 'a', { type: 'one' }]);
      box.enqueue([Kind.SEND, 'a', { type: 'two' }]);
      box.enqueue([Kind.SEND, 'b', { type: 'three' }]);
      expect(frames).toEqual([]);
      await tick();
      expect(frames).toEqual([
        [
          [Kind.SEND_BATCH, 'a', [{ type: 'one' }, { type: 'two' }]],
          [Kind.SEND, 'b', { type: 'three' }],
        ],
      ]);
    });

    it('for a node never connected: tells are dead letters and asks fail saying how to connect', async () => {
      const { box, letters, ask } = outbox('idle');
      box.enqueue([Kind.SEND, 'a', { type: 'lost' }]);
      const { envelope, outcome } = ask('b');
      box.enqueue(envelope);
      expect(letters.map((l) => [l.recipient, l.reason])).toEqual([
        ['troupe://y/a', 'node-down'],
        ['troupe://y/b', 'node-down'],
      ]);
      await expect(outcome).resolves.toBe(`TROUPE_ERR_NODE_DOWN: ${statusMessage('y', 'idle')}`);
    });

    it('while reconnecting: holds up to bufferLimit, drops the rest, and sends what it held once woken up', async () => {
      const { box, owner, frames, letters } = outbox('reconnecting', { reconnect: { bufferLimit: 2 } });
      for (const n of [1, 2, 3]) box.enqueue([Kind.SEND, 'a', { type: 't', n }]);
      expect(box.length).toBe(2);
      expect(letters.map((l) => (l.event as { n: number }).n)).toEqual([3]);
      owner.status = 'up';
      box.wake();
      await tick();
      expect(frames).toEqual([
        [
          [
            Kind.SEND_BATCH,
            'a',
            [
              { type: 't', n: 1 },
              { type: 't', n: 2 },
            ],
          ],
        ],
      ]);
    });

    it('while the link is backed up: holds up to bufferLimit, then fails asks with TROUPE_ERR_TOO_MANY_PENDING', async () => {
      const { box, link, frames, ask, clock } = outbox('up', { maxBufferedBytes: 10, reconnect: { bufferLimit: 1 } });
      link.buffered = 11;
      box.enqueue([Kind.SEND, 'a', { type: 'held' }]);
      await tick();
      expect(frames).toEqual([]);
      const { envelope, outcome } = ask('b');
      box.enqueue(envelope);
      await expect(outcome).resolves.toMatch(/^TROUPE_ERR_TOO_MANY_PENDING: the link to node y is backed up/);
      link.buffered = 0;
      clock.advance(10);
      expect(frames).toEqual([[[Kind.SEND, 'a', { type: 'held' }]]]);
    });
  });

  describe('#failRequests', () => {
    it('fails held asks and calls at once and keeps held tells', async () => {
      const { box, settled, ask } = outbox('reconnecting');
      const { envelope, outcome } = ask('b');
      box.enqueue([Kind.SEND, 'a', { type: 'kept' }]);
      box.enqueue(envelope);
      box.enqueue([Kind.CALL, 7, 'spawn', {}]);
      box.failRequests('nothing listens there');
      expect(box.length).toBe(1);
      await expect(outcome).resolves.toBe('TROUPE_ERR_NODE_DOWN: node y is unreachable: nothing listens there');
      expect(settled).toEqual([[7, false, 'TROUPE_ERR_NODE_DOWN']]);
    });
  });

  describe('#dropAll', () => {
    it('empties the queue into dead letters', () => {
      const { box, letters } = outbox('reconnecting');
      box.enqueue([Kind.SEND, 'a', { type: 'x' }]);
      box.dropAll('gave up');
      expect(box.length).toBe(0);
      expect(letters).toHaveLength(1);
    });
  });

  describe('statusMessage', () => {
    it('says what to do in every state a message cannot leave in', () => {
      expect(statusMessage('g', 'idle')).toBe(
        'node g is not connected: connect to it first with system.connect(url), or have it connect to this node',
      );
      expect(statusMessage('g', 'unreachable')).toMatch(/longer than reconnect.bufferMs/);
      expect(statusMessage('g', 'closed')).toMatch(/this node is shutting down/);
    });
  });
});
