import { afterEach, describe, expect, it } from 'vitest';
import { createMachine, fromCallback } from 'xstate';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { allowInspection, collectInspection } from '../../src/inspect/collect.js';
import { forwardInspection } from '../../src/inspect/forward.js';
import type { TraceRecord } from '../../src/inspect/records.js';
import { until } from '../support/latch.js';

const toggle = createMachine({ id: 'toggle', initial: 'off', states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } } });

let systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.map((s) => s.shutdown()));
  systems = [];
});

async function pair(): Promise<[ActorSystem, ActorSystem]> {
  const alpha = createSystem({ node: 'alpha', listen: { port: 0 }, secret: 's' });
  const observer = createSystem({ node: 'observer', secret: 's' });
  systems.push(observer, alpha);
  await alpha.ready;
  await observer.connect(`ws://127.0.0.1:${alpha.listenAddress?.port}`);
  return [alpha, observer];
}

describe('forwardInspection', () => {
  it('sends a snapshot of the tree, then live events with charts, to a collector on another node', async () => {
    const [alpha, observer] = await pair();
    const before = alpha.spawn(toggle, { name: 'before' });
    before.send({ type: 'flip' });
    const collector = collectInspection(observer);
    const got: TraceRecord[] = [];
    collector.feed.subscribe((r) => got.push(r));
    allowInspection(alpha, { batchMs: 10 });
    collector.subscribeTo('alpha');
    await until(() => got.some((r) => r.type === '@troupe.state' && r.address.endsWith('/before')), 5000, 'snapshot');
    const snapState = got.find((r) => r.type === '@troupe.state' && r.address.endsWith('/before'));
    expect(snapState).toMatchObject({ node: 'alpha', value: 'on' });
    const after = alpha.spawn(toggle, { name: 'after' });
    after.send({ type: 'flip', payload: { ref: after, big: 'x'.repeat(10_000), fn: () => 1 } } as never);
    await until(() => got.some((r) => r.type === '@troupe.message' && r.to.endsWith('/after')), 5000, 'message');
    const message = got.find((r) => r.type === '@troupe.message' && r.to.endsWith('/after'));
    const payload = (message as { event: { payload: Record<string, unknown> } }).event.payload;
    expect(payload.ref).toBe('troupe://alpha/after');
    expect(String(payload.big).length).toBeLessThan(600);
    expect('fn' in payload).toBe(false);
    const charts = got.filter((r) => r.type === '@troupe.chart');
    expect(charts).toHaveLength(1);
    const spawned = got.find((r) => r.type === '@troupe.actor' && r.address.endsWith('/after'));
    expect(spawned).toMatchObject({ status: 'spawned', chart: charts[0].type === '@troupe.chart' ? charts[0].id : '' });
    // troupe's own inspection actors never show up
    expect(got.some((r) => JSON.stringify(r).includes('troupe-inspect'))).toBe(false);
  });

  it('drops the oldest records beyond maxBuffer and says how many', async () => {
    const [alpha, observer] = await pair();
    const collector = collectInspection(observer);
    const got: TraceRecord[] = [];
    collector.feed.subscribe((r) => got.push(r));
    const f = forwardInspection(alpha, { to: collector.ref.address, maxBuffer: 10, batchMs: 50 });
    const t = alpha.spawn(toggle, { name: 't' });
    for (let i = 0; i < 100; i++) t.send({ type: 'flip' });
    await until(() => got.some((r) => r.type === '@troupe.trace' && r.phase === 'dropped'), 5000, 'dropped');
    expect(f.counts().dropped).toBeGreaterThan(0);
    const dropped = got.find((r) => r.type === '@troupe.trace');
    expect(dropped).toMatchObject({ phase: 'dropped', node: 'alpha' });
    await f.stop();
  });

  it('stops, and stops observing, when the collector goes down', async () => {
    const [alpha, observer] = await pair();
    const collector = collectInspection(observer);
    const f = forwardInspection(alpha, { to: collector.ref.address });
    expect(alpha.inspection.active).toBe(true);
    await collector.stop();
    await until(() => !alpha.inspection.active, 5000, 'forwarder to stop');
    expect(alpha.lookup(f.ref.address)).toBeUndefined();
  });

  it('forwards to at most maxObservers collectors at once: more subscriptions start nothing', async () => {
    const s = createSystem({ node: 'solo' });
    systems.push(s);
    allowInspection(s, { maxObservers: 2 });
    const sink = fromCallback(() => {});
    const collectors = Array.from({ length: 10 }, (_, i) => s.spawn(sink, { name: `c${i}` }));
    for (const c of collectors) s.ref('troupe://solo/troupe-inspect').send({ type: 'troupe.inspect.subscribe', collector: c });
    const forwarders = () => s.stats().mailboxes.filter((m) => m.address.includes('/troupe-inspect-fwd-') && m.status !== 'stopped');
    await until(() => forwarders().length === 2, 5000, 'two forwarders');
    await new Promise((r) => setTimeout(r, 50));
    expect(forwarders()).toHaveLength(2);
    const other = createSystem({ node: 'other' });
    systems.push(other);
    expect(() => allowInspection(other, { maxObservers: 0 })).toThrow(/maxObservers/);
  });

  it('refuses bad options', () => {
    const s = createSystem({ node: 'solo' });
    systems.push(s);
    expect(() => forwardInspection(s, { to: 'troupe://solo/x', maxBuffer: 0 })).toThrow(/maxBuffer/);
    // a fractional size would reach the ring as an invalid array length
    expect(() => forwardInspection(s, { to: 'troupe://solo/x', maxBuffer: 2.5 })).toThrow(/maxBuffer must be a whole number/);
    expect(() => forwardInspection(s, { to: 'troupe://solo/x', maxBatch: 0.5 })).toThrow(/maxBatch must be a whole number/);
  });
});

describe('ask replies in the inspection stream', () => {
  it('reports a reply as a message to the ask’s reply address, so an inspector can link the two', async () => {
    const s = createSystem({ node: 'solo' });
    systems.push(s);
    const { counterMachine } = await import('../support/machines.js');
    const c = s.spawn(counterMachine, { name: 'c' });
    const seen: { to: string; eventType: string; replyTo?: unknown }[] = [];
    s.inspect((e) => {
      if (e.type === '@troupe.message')
        seen.push({ to: e.to, eventType: e.eventType, replyTo: (e.event as { replyTo?: { address?: string } }).replyTo?.address });
    });
    await c.ask({ type: 'get' });
    const ask = seen.find((m) => m.eventType === 'get');
    const reply = seen.find((m) => m.eventType === 'count');
    expect(ask?.replyTo).toBeTypeOf('string');
    expect(reply?.to).toBe(ask?.replyTo);
  });
});
