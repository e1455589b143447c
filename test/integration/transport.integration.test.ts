import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { type ActorSystem, createSystem, gather, type NodeInspectionEvent } from '../../src/index.js';
import { until } from '../support/latch.js';
import { counterMachine } from '../support/machines.js';
import { recorder } from '../transport/helpers.js';
import { ChildNode } from './child-node.js';

let local: ActorSystem;
let nodeEventsSeen: NodeInspectionEvent[];
const children: ChildNode[] = [];

beforeEach(async () => {
  local = createSystem({
    node: 'survivor',
    listen: { port: 0 },
    secret: 'integration',
    logic: { counter: counterMachine },
    orphanGraceMs: 1000,
    reconnect: { minMs: 50, maxMs: 200 },
    heartbeat: { intervalMs: 500, maxMissed: 4 },
  });
  nodeEventsSeen = [];
  local.inspect((e) => {
    if (e.type === '@troupe.node') nodeEventsSeen.push(e);
  });
  await local.ready;
});

afterEach(async () => {
  await local.shutdown();
  for (const c of children.splice(0)) await c.stop();
});

async function child(node: string, port = 0): Promise<ChildNode> {
  const c = await ChildNode.start(node, port);
  children.push(c);
  return c;
}

describe('transport across processes', () => {
  it('asks an actor spawned in another process', async () => {
    const worker = await child('worker');
    await expect(local.connect(worker.url)).resolves.toBe('worker');
    const counter = await local.spawnOn('worker', 'counter', { name: 'c' });
    for (let i = 0; i < 3; i++) counter.send({ type: 'inc' });
    await expect(counter.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 3 });
  });

  it('after kill -9 of a peer: pending asks fail fast, watchers get noconnection, its orphans here are reaped', async () => {
    const victim = await child('victim');
    await local.connect(victim.url);
    const silent = await local.spawnOn('victim', 'silent', { name: 's' });
    const counter = await local.spawnOn('victim', 'counter', { name: 'c' });
    const downs: AnyEventObject[] = [];
    local.watch(local.spawn(recorder(downs), { name: 'watcher' }), counter);
    // The victim starts an actor here with one of its own actors as the parent.
    await expect(victim.call('spawn-on', { node: 'survivor', logic: 'counter', name: 'orphan', withParent: true })).resolves.toBe(
      'troupe://survivor/orphan',
    );
    const orphanDowns: AnyEventObject[] = [];
    local.watch(local.spawn(recorder(orphanDowns), { name: 'orphan-watcher' }), local.lookup('orphan')!);
    const pending = silent.ask({ type: 'never-answered' }, { timeoutMs: 60_000 }).catch((e: unknown) => e);

    await victim.kill9();

    expect(await pending).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN' });
    await until(() => downs.length === 1, 10_000, 'noconnection notice');
    expect(downs[0]).toEqual({ type: 'troupe.down', address: 'troupe://victim/c', reason: 'noconnection' });
    await until(() => orphanDowns.length === 1, 10_000, 'orphan reaped');
    expect(orphanDowns[0]).toEqual({ type: 'troupe.down', address: 'troupe://survivor/orphan', reason: 'noconnection' });
    expect(local.lookup('orphan')).toBeUndefined();
  });

  it('reaps a remotely spawned child when its parent in the other process stops', async () => {
    const owner = await child('owner');
    await local.connect(owner.url);
    await owner.call('spawn-on', { node: 'survivor', logic: 'counter', name: 'kid', withParent: true });
    const downs: AnyEventObject[] = [];
    local.watch(local.spawn(recorder(downs), { name: 'w' }), local.lookup('kid')!);
    await owner.call('stop-parent');
    await until(() => downs.length === 1, 10_000, 'kid stopped');
    expect(downs[0]).toMatchObject({ address: 'troupe://survivor/kid', reason: 'shutdown' });
  });

  it('reconnects when the peer comes back, delivering what was sent meanwhile', async () => {
    const first = await child('phoenix');
    await local.connect(first.url);
    await first.kill9();
    await until(() => nodeEventsSeen.some((e) => e.status === 'down' && e.peer === 'phoenix'), 10_000, 'down');
    // Sent while the link is down: held, then delivered once the node is back (to its fresh `tally`).
    const tally = local.ref('troupe://phoenix/tally');
    for (let i = 0; i < 3; i++) tally.send({ type: 'inc' });
    await child('phoenix', first.port);
    await until(() => nodeEventsSeen.filter((e) => e.status === 'up' && e.peer === 'phoenix').length === 2, 10_000, 'up again');
    await expect(tally.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 3 });
    const counter = await local.spawnOn('phoenix', 'counter');
    await expect(counter.ask({ type: 'get' })).resolves.toEqual({ type: 'count', value: 0 });
  });

  it('streams 100k chunks through a slow consumer while the producer stays within its credit', async () => {
    const producer = await child('producer');
    await local.connect(producer.url);
    const numbers = await local.spawnOn('producer', 'numbers', { name: 'numbers' });
    const meter = local.ref('troupe://producer/meter');
    const credit = 64;
    let consumed = 0;
    let maxAhead = 0;
    let maxHeap = 0;
    for await (const chunk of numbers.stream<{ i: number }>({ type: 'count', n: 100_000 }, { credit })) {
      expect(chunk.i).toBe(consumed);
      consumed++;
      if (consumed % 100 === 0) await new Promise((r) => setTimeout(r, 1));
      if (consumed % 10_000 === 0) {
        const m = await meter.ask<{ produced: number; heapUsed: number }>({ type: 'meter' });
        maxAhead = Math.max(maxAhead, m.produced - consumed);
        maxHeap = Math.max(maxHeap, m.heapUsed);
      }
    }
    expect(consumed).toBe(100_000);
    // Credit bounds what the producer runs ahead of the consumer, so its memory stays flat.
    expect(maxAhead).toBeLessThanOrEqual(credit * 2);
    expect(maxHeap).toBeLessThan(256 * 1024 * 1024);
  });

  it('gathers from one healthy, one slow and one dead peer', async () => {
    const healthy = await child('healthy');
    const doomed = await child('doomed');
    await local.connect(healthy.url);
    await local.connect(doomed.url);
    const fast = await local.spawnOn('healthy', 'counter');
    const slow = await local.spawnOn('healthy', 'silent');
    const gone = await local.spawnOn('doomed', 'counter');
    await doomed.kill9();
    await until(() => nodeEventsSeen.some((e) => e.status === 'down' && e.peer === 'doomed'), 10_000, 'doomed down');
    const results = await gather([fast, slow, gone], { type: 'get' }, { timeoutMs: 1500 });
    expect(results.map((r) => r.status)).toEqual(['ok', 'timeout', 'error']);
    expect(results[2]).toMatchObject({ error: { code: 'TROUPE_ERR_NODE_DOWN' } });
  });
});
