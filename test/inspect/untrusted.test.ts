import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { chartOf } from '../../src/inspect/chart.js';
import { collectInspection } from '../../src/inspect/collect.js';
import { InspectorModel } from '../../src/inspect/model.js';
import { MAX_TRACE_LINE, readTrace } from '../../src/inspect/recorder.js';
import type { TraceRecord } from '../../src/inspect/records.js';
import { fromUntrusted, UNTRUSTED_LIMITS } from '../../src/inspect/untrusted.js';
import { until } from '../support/latch.js';

const toggle = createMachine({ id: 'toggle', initial: 'off', states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } } });
const size = (v: unknown) => JSON.stringify(v).length;

describe('fromUntrusted', () => {
  it('drops what is not a trace record: wrong type, no node, a time that is not finite', () => {
    for (const bad of [
      null,
      'x',
      { type: 'x', node: 'a', at: 1 },
      { type: '@troupe.actor', at: 1 },
      { type: '@troupe.actor', node: 'a', at: Number.POSITIVE_INFINITY },
      { type: '@troupe.actor', node: 'a', at: '1' },
      { type: '@troupe.actor', node: 'n'.repeat(10_000), at: 1 },
    ]) {
      expect(fromUntrusted(bad)).toBeUndefined();
    }
  });

  it('cuts huge strings, wide objects and deep nesting: a record stays small whatever was sent', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 5000; i++) {
      cursor.next = {};
      cursor = cursor.next as Record<string, unknown>;
    }
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'v'.repeat(400)]));
    const hostile = {
      type: '@troupe.decision',
      node: 'evil',
      at: 1,
      actor: 'troupe://evil/lead',
      decision: { thought: 'x'.repeat(5_000_000), calls: Array.from({ length: 10_000 }, () => ({ worker: 'w', input: wide })) },
      deep,
      wide,
    };
    const safe = fromUntrusted(hostile) as unknown as Record<string, unknown>;
    expect(safe).toMatchObject({ type: '@troupe.decision', node: 'evil', at: 1, actor: 'troupe://evil/lead' });
    expect(size(safe)).toBeLessThanOrEqual(UNTRUSTED_LIMITS.maxRecordChars + 1000);
    const small = fromUntrusted({ ...hostile, decision: { thought: 'y'.repeat(100_000) }, deep: undefined, wide: undefined }) as {
      decision: { thought: string };
    };
    expect(small.decision.thought.length).toBeLessThanOrEqual(501);
  });

  it('rebuilds a chart within bounds, and drops one that is malformed or too big', () => {
    const chart = chartOf(toggle);
    const good = { type: '@troupe.chart', node: 'a', at: 1, id: 'c1', chart, extra: 'x'.repeat(1000) };
    expect(fromUntrusted(good)).toEqual({ type: '@troupe.chart', node: 'a', at: 1, id: 'c1', chart });
    expect(
      fromUntrusted({ ...good, chart: { id: 'x', root: { id: '', key: 'x', type: 'evil', states: [], transitions: [] } } }),
    ).toBeUndefined();
    expect(fromUntrusted({ ...good, chart: { id: 'x', root: 'not a state' } })).toBeUndefined();
    const many = Array.from({ length: UNTRUSTED_LIMITS.maxChartStates + 1 }, (_, i) => ({
      id: `s${i}`,
      key: `s${i}`,
      type: 'atomic',
      states: [],
      transitions: [],
    }));
    expect(
      fromUntrusted({ ...good, chart: { id: 'x', root: { id: '', key: 'x', type: 'compound', states: many, transitions: [] } } }),
    ).toBeUndefined();
    // few states, but more transitions in all than a layout should be asked to route
    const busy = Array.from({ length: 20 }, (_, i) => ({
      id: `s${i}`,
      key: `s${i}`,
      type: 'atomic',
      states: [],
      transitions: Array.from({ length: 100 }, (_, j) => ({ event: `e${j}`, targets: [`s${j % 20}`] })),
    }));
    const root = { id: '', key: 'x', type: 'compound', states: busy, transitions: [] };
    expect(fromUntrusted({ ...good, chart: { id: 'x', root } })).toBeUndefined();
  });

  it('keeps only well-formed mailbox depths, at most maxDepths', () => {
    const depths = [
      ['troupe://a/x', 3],
      ['bad'],
      [1, 2],
      ['troupe://a/y', 'NaN'],
      ...Array.from({ length: 5000 }, (_, i) => [`troupe://a/z${i}`, 1]),
    ];
    const stats = fromUntrusted({ type: '@troupe.stats', node: 'a', at: 1, actors: 'many', deadLetters: 2, depths }) as Extract<
      TraceRecord,
      { type: '@troupe.stats' }
    >;
    expect(stats.actors).toBe(0);
    expect(stats.depths[0]).toEqual(['troupe://a/x', 3]);
    expect(stats.depths[1]).toEqual(['troupe://a/z0', 1]);
    expect(stats.depths).toHaveLength(UNTRUSTED_LIMITS.maxDepths);
  });
});

describe('collectInspection with a hostile node', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
    system = undefined;
  });

  it('hands on bounded copies of well-shaped records and drops the rest, without crashing', async () => {
    system = createSystem({ node: 'observer' });
    const collector = collectInspection(system);
    const model = new InspectorModel();
    const got: TraceRecord[] = [];
    collector.feed.subscribe((r) => {
      got.push(r);
      model.add(r);
    });
    collector.ref.send({
      type: 'troupe.inspect.batch',
      records: [
        null,
        { type: '@troupe.actor', node: 'evil', at: Number.NaN, address: 'troupe://evil/x', status: 'spawned' },
        { type: '@troupe.actor', node: 'evil', at: 1, address: 'troupe://evil/x', status: 'spawned', parent: 'troupe://evil/x' },
        { type: '@troupe.message', node: 'evil', at: 2, to: { not: 'a string' }, eventType: 7, event: { blob: 'b'.repeat(1_000_000) } },
        { type: '@troupe.deadletter', node: 'evil', at: 3, recipient: 'troupe://evil/gone', event: 'z'.repeat(1_000_000) },
        { type: '@troupe.trace', node: 'evil', at: 4, phase: 'end' },
      ],
    });
    await until(() => got.some((r) => r.type === '@troupe.trace'), 2000, 'the last record');
    expect(got.map((r) => r.type)).toEqual(['@troupe.actor', '@troupe.message', '@troupe.deadletter', '@troupe.trace']);
    for (const r of got) expect(size(r)).toBeLessThanOrEqual(UNTRUSTED_LIMITS.maxRecordChars);
    expect(model.tree(0, 10).rows.map((r) => r.address)).toEqual(['troupe://evil', 'troupe://evil/x']);
    expect(model.messagePage(0, 10).rows[0]).toMatchObject({ to: '[object Object]', type: '7' });
    expect(collector.ref.getSnapshot?.()).toBeDefined();
  });
});

describe('readTrace with a hostile file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('skips a line longer than MAX_TRACE_LINE and reads on, records cut to bounds', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-hostile-'));
    const file = join(dir, 'evil.jsonl');
    const huge = JSON.stringify({ type: '@troupe.log', node: 'a', at: 1, blob: 'x'.repeat(MAX_TRACE_LINE + 10) });
    const ok = JSON.stringify({ type: '@troupe.deadletter', node: 'a', at: 2, recipient: 'troupe://a/x', event: 'y'.repeat(2000) });
    writeFileSync(file, `${huge}\n${ok}\r\nnot json\n${ok}`);
    const records: TraceRecord[] = [];
    for await (const r of readTrace(file)) records.push(r);
    expect(records.map((r) => r.type)).toEqual(['@troupe.deadletter', '@troupe.deadletter']);
    expect((records[0] as { event: string }).event.length).toBe(501);
  });
});
