import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/inspect/chart.js';
import { InspectorModel } from '../../src/inspect/model.js';
import type { TraceRecord } from '../../src/inspect/records.js';

const at = 1;
const spawned = (address: string, parent?: string): TraceRecord => ({
  type: '@troupe.actor',
  node: 'a',
  address,
  status: 'spawned',
  at,
  ...(parent ? { parent } : {}),
});

describe('InspectorModel', () => {
  it('builds the supervision tree across nodes, with restarts, mailbox depth and state', () => {
    const m = new InspectorModel();
    m.add(spawned('troupe://a/app'));
    m.add(spawned('troupe://a/app/w1', 'troupe://a/app'));
    m.add({ type: '@troupe.actor', node: 'a', address: 'troupe://a/app/w1', status: 'restarted', parent: 'troupe://a/app', at });
    m.add({ type: '@troupe.state', node: 'a', address: 'troupe://a/app/w1', value: { busy: 'fetching' }, status: 'active', at });
    m.add({ type: '@troupe.stats', node: 'a', at, actors: 2, deadLetters: 0, depths: [['troupe://a/app/w1', 7]] });
    m.add({ type: '@troupe.actor', node: 'b', address: 'troupe://b/x', status: 'spawned', at });
    const rows = m.tree(0, 10).rows.map((r) => [r.address, r.depth, r.restarts, r.mailbox, r.state ?? '']);
    expect(rows).toEqual([
      ['troupe://a', 0, 0, 0, ''],
      ['troupe://a/app', 1, 0, 0, ''],
      ['troupe://a/app/w1', 2, 1, 7, 'busy.fetching'],
      ['troupe://b', 0, 0, 0, ''],
      ['troupe://b/x', 1, 0, 0, ''],
    ]);
  });

  it('keeps memory bounded: messages in a ring, stopped actors forgotten first, a cap on actors', () => {
    const m = new InspectorModel({ maxMessages: 100, maxActors: 50, maxStopped: 5 });
    for (let i = 0; i < 1000; i++) m.add({ type: '@troupe.message', node: 'a', to: 'troupe://a/x', eventType: `e${i}`, event: {}, at });
    expect(m.messages.size).toBe(100);
    expect(m.summary().messages).toBe(1000);
    expect(m.messagePage(0, 1).rows[0].type).toBe('e900');
    for (let i = 0; i < 20; i++) {
      m.add(spawned(`troupe://a/s${i}`));
      m.add({ type: '@troupe.actor', node: 'a', address: `troupe://a/s${i}`, status: 'stopped', reason: 'normal', at });
    }
    expect(m.actorCount).toBe(5);
    for (let i = 0; i < 100; i++) m.add(spawned(`troupe://a/live${i}`));
    expect(m.actorCount).toBe(50);
    expect(m.actorsOmitted).toBe(55);
  });

  it('links an ask to its reply and filters by actor and type', () => {
    const m = new InspectorModel();
    m.add({
      type: '@troupe.message',
      node: 'a',
      to: 'troupe://a/c',
      eventType: 'get',
      event: { type: 'get', replyTo: 'troupe://a/$ask-1' },
      at,
    });
    m.add({ type: '@troupe.message', node: 'a', to: 'troupe://a/other', eventType: 'ping', event: {}, at });
    m.add({ type: '@troupe.message', node: 'a', to: 'troupe://a/$ask-1', eventType: 'count', event: { type: 'count' }, at });
    const all = m.messagePage(0, 10).rows;
    expect(all[0]).toMatchObject({ ask: true, reply: all[2].seq });
    expect(all[2]).toMatchObject({ replyTo: all[0].seq });
    expect(m.messagePage(0, 10, { actor: 'other' }).rows.map((r) => r.type)).toEqual(['ping']);
    expect(m.messagePage(0, 10, { type: 'cou' }).total).toBe(1);
    expect(m.messageIndex(all[2].seq)).toBe(2);
  });

  it('shows the actors of a node seen going down as unreachable until it forwards again', () => {
    const m = new InspectorModel();
    m.add({ type: '@troupe.actor', node: 'b', address: 'troupe://b/x', status: 'spawned', at: 1 });
    m.add({ type: '@troupe.node', node: 'obs', peer: 'b', status: 'down', at: 2 });
    expect(m.tree(0, 10).rows.find((r) => r.address === 'troupe://b/x')?.status).toBe('unreachable');
    expect(m.tree(0, 10).rows.find((r) => r.address === 'troupe://b')?.status).toBe('down');
    m.add({ type: '@troupe.stats', node: 'b', actors: 1, deadLetters: 0, depths: [], at: 3 });
    expect(m.tree(0, 10).rows.find((r) => r.address === 'troupe://b/x')?.status).toBe('running');
  });

  it('sums token use', () => {
    const m = new InspectorModel();
    m.add({ type: '@troupe.llm', node: 'a', actor: 'troupe://a/lead', model: 'm', inputTokens: 10, outputTokens: 2, latencyMs: 1, at });
    m.add({ type: '@troupe.llm', node: 'a', actor: 'troupe://a/lead', model: 'm', inputTokens: 5, outputTokens: 1, latencyMs: 1, at });
    expect(m.summary()).toMatchObject({ llmCalls: 2, inputTokens: 15, outputTokens: 3 });
  });

  it('summarizes state values in one line', () => {
    expect(summarize('idle')).toBe('idle');
    expect(summarize({ on: 'dim' })).toBe('on.dim');
    expect(summarize({ p: { r1: 'x', r2: 'y' } })).toBe('p(r1.x, r2.y)');
  });
});

describe('InspectorModel with hostile records', () => {
  it('draws an actor that names itself as its parent once, at the top (no cycle, no stack overflow)', () => {
    const m = new InspectorModel();
    m.add(spawned('troupe://a/loop', 'troupe://a/loop'));
    const rows = m.tree(0, 10).rows.map((r) => [r.address, r.depth]);
    expect(rows).toEqual([
      ['troupe://a', 0],
      ['troupe://a/loop', 1],
    ]);
  });

  it('flattens a 20 000-deep supervision chain without recursion', () => {
    const m = new InspectorModel();
    let parent = 'troupe://a/c0';
    m.add(spawned(parent));
    for (let i = 1; i < 20_000; i++) {
      const address = `troupe://a/c${i}`;
      m.add(spawned(address, parent));
      parent = address;
    }
    const page = m.tree(19_999, 2);
    expect(page.total).toBe(20_001);
    expect(page.rows.map((r) => [r.address, r.depth])).toEqual([
      ['troupe://a/c19998', 19_999],
      ['troupe://a/c19999', 20_000],
    ]);
  });

  it('keeps at most maxNodes nodes: records naming yet more nodes are dropped and counted', () => {
    const m = new InspectorModel({ maxNodes: 3 });
    for (let i = 0; i < 100; i++) m.add({ type: '@troupe.actor', node: `n${i}`, address: `troupe://n${i}/x`, status: 'spawned', at });
    expect(m.summary().nodes).toBe(3);
    expect(m.actorCount).toBe(3);
    expect(m.summary().recordsOmitted).toBe(97);
  });

  it("takes a node's mailbox depths for its own actors only, and clears the ones it no longer reports", () => {
    const m = new InspectorModel();
    m.add(spawned('troupe://a/x'));
    m.add(spawned('troupe://a/y'));
    m.add({ type: '@troupe.stats', node: 'a', at, actors: 2, deadLetters: 0, depths: [['troupe://a/x', 4]] });
    m.add({ type: '@troupe.stats', node: 'b', at, actors: 0, deadLetters: 0, depths: [['troupe://a/y', 999]] });
    const depth = (address: string) => m.actor(address)?.mailbox;
    expect([depth('troupe://a/x'), depth('troupe://a/y')]).toEqual([4, 0]);
    m.add({ type: '@troupe.stats', node: 'a', at, actors: 2, deadLetters: 0, depths: [['troupe://a/y', 2]] });
    expect([depth('troupe://a/x'), depth('troupe://a/y')]).toEqual([0, 2]);
  });

  it("ignores a node's records about another node's actors (no spoofed spawns, stops or states)", () => {
    const m = new InspectorModel();
    m.add(spawned('troupe://a/x'));
    m.add({ type: '@troupe.actor', node: 'evil', address: 'troupe://a/x', status: 'stopped', at });
    m.add({ type: '@troupe.actor', node: 'evil', address: 'troupe://a/fake', status: 'spawned', at });
    m.add({ type: '@troupe.state', node: 'evil', address: 'troupe://a/x', value: 'hacked', status: 'active', at });
    expect(m.actor('troupe://a/x')).toMatchObject({ status: 'running', value: undefined });
    expect(m.actor('troupe://a/fake')).toBeUndefined();
  });

  it("keeps each node's charts apart: a chart sent under another node's chart id is not shown for that node's actors", () => {
    const m = new InspectorModel();
    const chart = (key: string) => ({ id: key, root: { id: '', key, type: 'compound' as const, states: [], transitions: [] } });
    m.add({ type: '@troupe.chart', node: 'a', at, id: 'c1', chart: chart('real') });
    m.add({ type: '@troupe.actor', node: 'a', address: 'troupe://a/x', status: 'spawned', chart: 'c1', at });
    m.add({ type: '@troupe.chart', node: 'evil', at, id: 'c1', chart: chart('fake') });
    const x = m.actor('troupe://a/x');
    expect(m.charts.get(x?.chart as string)?.id).toBe('real');
  });

  it('refuses limits that are not whole positive numbers with a clear error', () => {
    for (const bad of [{ maxMessages: 0 }, { maxLog: -1 }, { maxActors: 1.5 }, { maxNodes: Number.NaN }, { maxStopped: 1e12 }]) {
      expect(() => new InspectorModel(bad)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    }
    expect(() => new InspectorModel({ maxMessages: 10, maxNodes: undefined })).not.toThrow();
  });
});
