import { afterEach, describe, expect, it } from 'vitest';
import { type AnyEventObject, fromCallback } from 'xstate';
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

describe('cross-peer isolation (real sockets)', () => {
  it('a peer cannot guess reply addresses, nor fail an ask that waits on another node', async () => {
    const { alpha, peer } = await alphaWithPeer();
    const events = nodeEvents(alpha);
    // an actor on alpha that keeps the reply refs of what it is asked, to answer later
    const held: { send(e: AnyEventObject): void; address: string }[] = [];
    const holder = alpha.spawn(
      fromCallback<AnyEventObject>(({ receive }) =>
        receive((e) => held.push(e.replyTo as { send(e: AnyEventObject): void; address: string })),
      ),
      { name: 'holder' },
    );
    // the peer learns what alpha's reply paths look like from an ask alpha sends it
    const { replyPath } = await askPeer(alpha, peer);
    expect(replyPath).toMatch(/^\$ask\.[A-Za-z0-9]{16}$/);
    const outcomes: string[] = [];
    const record = (p: Promise<unknown>) =>
      p.then(
        (r) => outcomes.push(`resolved ${(r as AnyEventObject).type}`),
        (e: { code: string }) => outcomes.push(`rejected ${e.code}`),
      );
    const local1 = record(holder.ask({ type: 'q1' }, { timeoutMs: 60_000 }));
    const local2 = record(holder.ask({ type: 'q2' }, { timeoutMs: 60_000 }));
    await until(() => held.length === 2, 5000, 'both asks to reach the holder');
    const [path1, path2] = held.map((r) => r.address.replace('troupe://alpha/', ''));
    // guesses near a seen address reach nothing; a known address of a local ask cannot be failed
    peer.send([
      [Kind.SEND, `${replyPath.slice(0, -1)}x`, { type: 'forged-reply' }],
      [Kind.SEND_BATCH, '$ask.0000000000000000', [{ type: 'forged-a' }]],
      [Kind.ASK_FAIL, path1, 'TROUPE_ERR_NO_ACTOR', 'forged'],
      [Kind.ASK_FAIL, path2, 'TROUPE_ERR_NO_ACTOR', 'forged'],
    ]);
    const before = peer.received.length;
    peer.send([[Kind.PING]]);
    await until(() => peer.received.slice(before).some((e) => e[0] === Kind.PONG), 5000, 'pong');
    expect(outcomes).toEqual([]);
    expect(events.filter((e) => e.status === 'frame-error' && /does not wait on node mallory/.test(e.detail ?? '')).length).toBe(2);
    for (const r of held) r.send({ type: 'real' });
    await Promise.all([local1, local2]);
    expect(outcomes).toEqual(['resolved real', 'resolved real']);
  });

  it('a reply address handed to a peer may be answered by it, even for a local ask (delegation)', async () => {
    const { alpha, peer } = await alphaWithPeer();
    const held: { address: string }[] = [];
    const holder = alpha.spawn(
      fromCallback<AnyEventObject>(({ receive }) => receive((e) => held.push(e.replyTo as { address: string }))),
      { name: 'holder' },
    );
    const answer = holder.ask({ type: 'q' }, { timeoutMs: 60_000 });
    await until(() => held.length === 1, 5000, 'the ask to reach the holder');
    // the holder forwarded its replyTo to the peer, which answers directly
    peer.send([[Kind.SEND, held[0].address.replace('troupe://alpha/', ''), { type: 'from-the-peer' }]]);
    await expect(answer).resolves.toMatchObject({ type: 'from-the-peer' });
  });

  it('a peer still answers the asks that wait on its own node', async () => {
    const { alpha, peer } = await alphaWithPeer();
    const first = await askPeer(alpha, peer);
    const second = await askPeer(alpha, peer);
    peer.send([
      [Kind.SEND, first.replyPath, { type: 'one' }],
      [Kind.ASK_FAIL, second.replyPath, 'TROUPE_ERR_ACTOR_FAILED', 'it broke'],
    ]);
    await expect(first.reply).resolves.toMatchObject({ type: 'one' });
    await expect(second.reply).resolves.toBe('TROUPE_ERR_ACTOR_FAILED');
  });
});
