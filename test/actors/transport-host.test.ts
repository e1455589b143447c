import { describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { transportHostOf } from '../../src/actors/transport-host.js';
import { ActorSystem, type DeadLetter, type InspectionEvent } from '../../src/index.js';

describe('transportHostOf', () => {
  it('delivers to actors and temporaries, resolves paths, and reports dead letters', () => {
    const system = new ActorSystem({ node: 'n', dispatcher: 'sync' });
    const host = transportHostOf(system);
    const got: string[] = [];
    system.spawn(
      fromCallback(({ receive }) => receive((e) => got.push(e.type))),
      { name: 'a' },
    );
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((d) => letters.push(d));
    host.deliver('a', { type: 'hi' });
    host.deliver('missing', { type: 'lost' });
    expect(got).toEqual(['hi']);
    expect(letters.map((l) => [l.recipient, l.reason])).toEqual([['troupe://n/missing', 'no-actor']]);
    expect(host.resolve('a')?.address).toBe('troupe://n/a');
    expect(host.resolve('$ask.x')).toBeUndefined();
    expect([host.node, host.askTimeoutMs]).toEqual(['n', system.askTimeoutMs]);
  });

  it('knows its own actors, and reports node events only to observers', () => {
    const system = new ActorSystem({ node: 'n' });
    const other = new ActorSystem({ node: 'o' });
    const host = transportHostOf(system);
    const ref = system.spawn(
      fromCallback(() => {}),
      { name: 'a' },
    );
    expect(host.owns(ref)).toBe(true);
    expect(host.owns(other.spawn(fromCallback(() => {})))).toBe(false);
    expect(host.inspecting).toBe(false);
    const seen: InspectionEvent[] = [];
    system.inspect((e) => seen.push(e));
    expect(host.inspecting).toBe(true);
    host.report({ type: '@troupe.node', node: 'n', status: 'up', peer: 'p' });
    expect(seen).toEqual([{ type: '@troupe.node', node: 'n', status: 'up', peer: 'p' }]);
  });
});
