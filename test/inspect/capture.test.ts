import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { type ActorSystem, createSystem, SimulatedClock, supervisor } from '../../src/index.js';
import { ChartCatalog, captureInspection, isOwnTraffic, statsRecord, treeSnapshot } from '../../src/inspect/capture.js';
import type { TraceRecord } from '../../src/inspect/records.js';

const toggle = createMachine({ id: 'toggle', initial: 'off', states: { off: { on: { flip: 'on' } }, on: {} } });

let system: ActorSystem;
afterEach(() => system?.shutdown());

describe('captureInspection', () => {
  it('observes only while someone listens, stamps events with the clock, and sends a chart once per machine', () => {
    const clock = new SimulatedClock();
    system = createSystem({ node: 'a', dispatcher: 'sync', clock });
    const feed = captureInspection(system);
    expect(system.inspection.active).toBe(false);
    const got: TraceRecord[] = [];
    const sub = feed.subscribe((r) => got.push(r));
    expect(system.inspection.active).toBe(true);
    clock.advance(5);
    system.spawn(toggle, { name: 't1' });
    system.spawn(toggle, { name: 't2' });
    expect(got.filter((r) => r.type === '@troupe.chart')).toHaveLength(1);
    expect(got.find((r) => r.type === '@troupe.actor')).toMatchObject({ address: 'troupe://a/t1', at: 5, chart: expect.any(String) });
    sub.unsubscribe();
    expect(system.inspection.active).toBe(false);
  });

  it('ignores the traffic of troupe-inspect actors', () => {
    expect(
      isOwnTraffic({ type: '@troupe.message', node: 'a', to: 'troupe://a/troupe-inspect-collector-1', eventType: 'x', event: {} }),
    ).toBe(true);
    expect(isOwnTraffic({ type: '@troupe.message', node: 'a', to: 'troupe://a/app', eventType: 'x', event: {} })).toBe(false);
  });
});

describe('treeSnapshot', () => {
  it('describes the live tree: parents, charts and current states; supervisors have no chart', () => {
    system = createSystem({ node: 'a', dispatcher: 'sync' });
    system.spawn(supervisor({ children: [{ id: 't', logic: toggle }] }), { name: 'app' });
    system.lookup('app/t')?.send({ type: 'flip' });
    const records = treeSnapshot(system, new ChartCatalog());
    const actors = records.filter((r) => r.type === '@troupe.actor');
    expect(actors.map((r) => [r.address, r.type === '@troupe.actor' ? r.parent : '', 'chart' in r])).toEqual([
      ['troupe://a/app', undefined, false],
      ['troupe://a/app/t', 'troupe://a/app', true],
    ]);
    expect(records.find((r) => r.type === '@troupe.state')).toMatchObject({ address: 'troupe://a/app/t', value: 'on' });
    expect(statsRecord(system)).toMatchObject({ type: '@troupe.stats', node: 'a', actors: 2, depths: [] });
  });
});
