import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem, type Link, WsTransport } from '../../src/index.js';
import { encodeFrame, Kind } from '../../src/internal.js';
import { counterMachine } from '../support/machines.js';
import { nodeEvents, type RawPeer, rawPeer, until } from './helpers.js';

const MAX_FRAME = 64 * 1024;
const transport = new WsTransport();
let alpha: ActorSystem;
let beta: ActorSystem;
let url: string;

/** The node still serves a well-behaved peer. */
async function stillServes(): Promise<void> {
  const counter = beta.ref('troupe://alpha/counter');
  await expect(counter.ask({ type: 'get' }, { timeoutMs: 5000 })).resolves.toMatchObject({ type: 'count' });
}

beforeAll(async () => {
  alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 'k', maxFrameBytes: MAX_FRAME, logic: { counter: counterMachine } });
  await alpha.ready;
  alpha.spawn(counterMachine, { name: 'counter' });
  url = `ws://127.0.0.1:${alpha.listenAddress?.port}`;
  beta = createSystem({ node: 'beta', secret: 'k', reconnect: { minMs: 10, maxMs: 100 } });
  await beta.connect(url);
});

afterAll(async () => {
  await beta.shutdown();
  await alpha.shutdown();
});

/** Random bytes, some valid-looking msgpack, some frames past the size limit. */
const frames = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 512 }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.array(fc.tuple(fc.integer({ min: -2, max: 30 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 5 }), fc.nat())
      .map(([envs, cut]) => {
        const bytes = encodeFrame(envs.map(([k, v]) => [k, 'counter', v]));
        return bytes.subarray(0, cut % (bytes.byteLength + 1));
      }),
  },
  { weight: 1, arbitrary: fc.integer({ min: MAX_FRAME + 1, max: MAX_FRAME * 2 }).map((n) => new Uint8Array(n).fill(0x90)) },
);

/** Envelopes aimed at the reply paths of asks alpha has in flight to the fuzzing peer: `[kind, which path, value]`. */
const tempEnvelopes = fc.array(
  fc.tuple(
    fc.constantFrom(Kind.SEND, Kind.SEND_BATCH, Kind.ASK_FAIL, Kind.ASK, Kind.WATCH, Kind.DOWN),
    fc.nat(),
    fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 })),
  ),
  { minLength: 1, maxLength: 5 },
);

describe('fuzz: bad frames never take a node down', () => {
  it('before authentication: any frame closes or is ignored, and the node still serves', async () => {
    const events = nodeEvents(alpha);
    await fc.assert(
      fc.asyncProperty(fc.array(frames, { minLength: 1, maxLength: 4 }), async (sequence) => {
        const link: Link = await transport.dial(url, { maxFrameBytes: MAX_FRAME * 4, timeoutMs: 5000 });
        let closed = false;
        link.onFrame = () => {};
        link.onClose = () => {
          closed = true;
        };
        for (const f of sequence) link.send(f);
        await until(() => closed, 10_000, 'the node to close the unauthenticated link');
      }),
      { numRuns: 80 },
    );
    expect(events.some((e) => e.status === 'frame-error')).toBe(true);
    await stillServes();
  });

  it('after authentication: bad frames are dropped or close the link, and the node still serves', async () => {
    let peer: RawPeer | undefined;
    await fc.assert(
      fc.asyncProperty(fc.array(frames, { minLength: 1, maxLength: 6 }), async (sequence) => {
        if (peer === undefined || peer.closed !== undefined) peer = await rawPeer(transport, url, { node: 'mallory' });
        for (const f of sequence) peer.sendBytes(f);
        // A ping answered proves the node processed everything before it (or closed the link).
        const before = peer.received.length;
        peer.send([[Kind.PING]]);
        const current = peer;
        await until(
          () => current.closed !== undefined || current.received.slice(before).some((e) => e[0] === Kind.PONG),
          10_000,
          'pong or close',
        );
      }),
      { numRuns: 100 },
    );
    await stillServes();
  });

  it('after authentication: garbage sent to reply paths of asks in flight never takes the node down', async () => {
    let peer: RawPeer | undefined;
    let paths: string[] = [];
    /** (Re)links the fuzzing peer and has alpha ask it a few times, so that `$` reply paths are live. */
    async function ready(): Promise<RawPeer> {
      let p = peer;
      if (p !== undefined && p.closed === undefined && paths.length > 0) return p;
      if (p === undefined || p.closed !== undefined) {
        p = await rawPeer(transport, url, { node: 'mallory' });
        peer = p;
      }
      const current = p;
      current.received.length = 0;
      for (let i = 0; i < 3; i++)
        void alpha
          .ref('troupe://mallory/x')
          .ask({ type: 'q' }, { timeoutMs: 60_000 })
          .catch(() => {});
      await until(() => current.received.filter((e) => e[0] === Kind.ASK).length >= 3, 10_000, 'asks to reach the peer');
      paths = current.received.filter((e) => e[0] === Kind.ASK).map((e) => e[3] as string);
      current.received.length = 0;
      return current;
    }
    await fc.assert(
      fc.asyncProperty(tempEnvelopes, async (envelopes) => {
        const p = await ready();
        p.send(
          envelopes.map(([kind, which, value]) => [kind, paths[which % paths.length], value, paths[(which + 1) % paths.length], 1000]),
        );
        const before = p.received.length;
        p.send([[Kind.PING]]);
        await until(() => p.closed !== undefined || p.received.slice(before).some((e) => e[0] === Kind.PONG), 10_000, 'pong or close');
        // a settled ask leaves its path dead: start fresh asks for the next run
        paths = [];
      }),
      { numRuns: 60 },
    );
    peer?.conn.close(1000, 'fuzzing over');
    await stillServes();
  });
});
