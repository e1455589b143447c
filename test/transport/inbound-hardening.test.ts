import { afterEach, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { type ActorSystem, createSystem, WsTransport } from '../../src/index.js';
import { Kind } from '../../src/internal.js';
import { nodeEvents, type RawPeer, rawPeer, recorder, until } from './helpers.js';

const systems: ActorSystem[] = [];
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.conn.close(1000, 'test over');
  for (const s of systems.splice(0).reverse()) await s.shutdown();
});

async function alphaWithPeer(node = 'mallory'): Promise<{ alpha: ActorSystem; peer: RawPeer; url: string }> {
  const alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'k' });
  systems.push(alpha);
  await alpha.ready;
  const url = `ws://127.0.0.1:${alpha.listenAddress?.port}`;
  const peer = await rawPeer(new WsTransport(), url, { node });
  peers.push(peer);
  return { alpha, peer, url };
}

/** Has alpha ask an actor on the raw peer's node and returns the reply path the peer saw. */
async function askPeer(alpha: ActorSystem, peer: RawPeer, node = 'mallory'): Promise<{ reply: Promise<unknown>; replyPath: string }> {
  const before = peer.received.length;
  const reply = alpha
    .ref(`troupe://${node}/x`)
    .ask({ type: 'q' }, { timeoutMs: 60_000 })
    .then(
      (r) => r,
      (e: { code: string }) => e.code,
    );
  await until(() => peer.received.slice(before).some((e) => e[0] === Kind.ASK), 5000, 'the ask to reach the peer');
  const ask = peer.received.slice(before).find((e) => e[0] === Kind.ASK) as unknown[];
  return { reply, replyPath: ask[3] as string };
}

describe('inbound hardening (real sockets)', () => {
  it('drops a non-event inside a SEND_BATCH to a reply path, keeps the frame and the node going', async () => {
    const { alpha, peer } = await alphaWithPeer();
    const events = nodeEvents(alpha);
    const got: AnyEventObject[] = [];
    alpha.spawn(recorder(got), { name: 'rec' });
    const { reply, replyPath } = await askPeer(alpha, peer);
    peer.send([
      [Kind.SEND_BATCH, replyPath, [null, 7, { notype: true }]],
      [Kind.SEND, 'rec', { type: 'after' }],
      [Kind.SEND_BATCH, 'rec', [null, { type: 'batched' }]],
    ]);
    await until(() => got.length === 2, 5000, 'the envelopes after the bad one');
    expect(got.map((e) => e.type)).toEqual(['after', 'batched']);
    expect(events.filter((e) => e.status === 'frame-error').length).toBeGreaterThanOrEqual(4);
    // the ask still waits, and a real reply settles it
    peer.send([[Kind.SEND, replyPath, { type: 'answer' }]]);
    await expect(reply).resolves.toMatchObject({ type: 'answer' });
  });
});
