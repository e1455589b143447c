import { afterEach, describe, expect, it } from 'vitest';
import { type AnyEventObject, fromCallback } from 'xstate';
import { type ActorSystem, createSystem, WsTransport } from '../../src/index.js';
import { Kind } from '../../src/internal.js';
import { MAX_EVENT_DEPTH, MAX_FRAME_VALUES } from '../../src/transport/frame-scan.js';
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

/** An event nested `levels` deep: `{ type, c: { type, c: … } }`. */
function nested(levels: number): AnyEventObject {
  let event: AnyEventObject = { type: 'leaf' };
  for (let i = 1; i < levels; i++) event = { type: 'n', c: event };
  return event;
}

/** Raw bytes of a one-envelope frame `[kind, path, <levels> nested arrays>]`: too deep for msgpackr to encode. */
function deepFrame(kind: number, path: string, levels: number): Buffer {
  const pathBytes = Buffer.from(path);
  return Buffer.concat([
    Buffer.from([0x91, kind === Kind.ASK ? 0x95 : 0x93, kind, 0xa0 | pathBytes.length]),
    pathBytes,
    Buffer.alloc(levels, 0x91),
    Buffer.from([0xc0]),
  ]);
}

describe('handleFrame (real sockets)', () => {
  it(`refuses an event nested deeper than ${MAX_EVENT_DEPTH} levels every time, and delivers the next`, async () => {
    const { alpha, peer } = await alphaWithPeer();
    const events = nodeEvents(alpha);
    const got: AnyEventObject[] = [];
    alpha.spawn(recorder(got), { name: 'rec' });
    for (let i = 0; i < 100; i++) {
      peer.sendBytes(deepFrame(Kind.SEND, 'rec', 10_000));
      peer.send([
        [Kind.SEND, 'rec', nested(MAX_EVENT_DEPTH + 1)],
        [Kind.SEND, 'rec', { type: 'after', i }],
      ]);
    }
    await until(() => got.length === 100, 10_000, 'the envelopes after the deep ones');
    expect(got.map((e) => e.type)).toEqual(new Array(100).fill('after'));
    const refused = events.filter((e) => e.status === 'frame-error' && /nested deeper than 64 levels/.test(e.detail ?? ''));
    expect(refused.length).toBe(200);
  });

  it('answers an ask whose event is too deep with TROUPE_ERR_EVENT_TOO_DEEP', async () => {
    const { peer } = await alphaWithPeer();
    const before = peer.received.length;
    peer.send([[Kind.ASK, 'anyone', nested(MAX_EVENT_DEPTH + 1), '$ask.r1', 1000]]);
    await until(() => peer.received.length > before, 5000, 'the answer');
    expect(peer.received.slice(before)[0].slice(0, 3)).toEqual([Kind.ASK_FAIL, '$ask.r1', 'TROUPE_ERR_EVENT_TOO_DEEP']);
  });

  it('fails an ask at once when the reply the peer sends is too deep', async () => {
    const { alpha, peer } = await alphaWithPeer();
    const { reply, replyPath } = await askPeer(alpha, peer);
    peer.send([[Kind.SEND, replyPath, nested(MAX_EVENT_DEPTH + 1)]]);
    await expect(reply).resolves.toBe('TROUPE_ERR_EVENT_TOO_DEEP');
  });

  it('a node asking with a too-deep event gets TROUPE_ERR_EVENT_TOO_DEEP, however deep', async () => {
    const { alpha, url } = await alphaWithPeer();
    alpha.spawn(recorder([]), { name: 'rec' });
    const beta = createSystem({ node: 'beta', secret: 'k' });
    systems.push(beta);
    await beta.connect(url);
    const ref = beta.ref('troupe://alpha/rec');
    for (const levels of [MAX_EVENT_DEPTH + 1, 100_000]) {
      await expect(ref.ask(nested(levels), { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'TROUPE_ERR_EVENT_TOO_DEEP' });
    }
    await expect(ref.ask({ type: 'fine' }, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
  });

  it(`drops a frame of more than ${MAX_FRAME_VALUES} values unread, and keeps serving`, async () => {
    const { alpha, peer } = await alphaWithPeer();
    const events = nodeEvents(alpha);
    const got: AnyEventObject[] = [];
    alpha.spawn(recorder(got), { name: 'rec' });
    const huge = new Array(2_000_000).fill(0);
    for (let i = 0; i < 3; i++) peer.send([[Kind.SEND, 'rec', { type: 'flood', huge }]]);
    peer.send([[Kind.SEND, 'rec', { type: 'after' }]]);
    await until(() => got.length === 1, 20_000, 'the tell after the floods');
    expect(got[0].type).toBe('after');
    expect(events.filter((e) => e.status === 'frame-error' && /more than 1000000 values/.test(e.detail ?? '')).length).toBe(3);
  });
});

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
