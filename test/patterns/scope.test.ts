import { afterEach, describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { type ActorSystem, createSystem, type InspectionEvent } from '../../src/index.js';
import { PatternScope, validateSource } from '../../src/patterns/scope.js';
import { doubler } from './helpers.js';

let sys: ActorSystem;
afterEach(async () => {
  await sys?.shutdown();
});

describe('PatternScope', () => {
  it('spawns logic under its scope actor and stops it on close, leaving refs it was given alone', async () => {
    sys = createSystem();
    const given = sys.spawn(doubler, { name: 'given' });
    const scope = new PatternScope(sys, 'test', {});
    const spawned = await scope.hold(doubler);
    const asIs = await scope.hold(given);
    expect(spawned.ref.address).toContain(`/test-`);
    expect(asIs.ref).toBe(given);
    expect(sys.stats().actors).toBe(3);
    await scope.close('done');
    expect(sys.stats().actors).toBe(1);
    expect(scope.signal.aborted).toBe(true);
  });

  it("aborts its signal with TROUPE_ERR_CANCELLED when the caller's actor exits, and with ABORTED on the caller's signal", async () => {
    sys = createSystem();
    const caller = sys.spawn(fromCallback(() => () => {}));
    const scope = new PatternScope(sys, 'test', { parent: caller });
    await sys.stop(caller);
    expect(scope.signal.reason).toMatchObject({ code: 'TROUPE_ERR_CANCELLED' });

    const controller = new AbortController();
    const second = new PatternScope(sys, 'test', { signal: controller.signal });
    controller.abort();
    expect(second.signal.reason).toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    expect(() => second.throwIfAborted()).toThrow();
    await second.close('cancelled');
    expect(sys.stats().actors).toBe(0);
  });

  it('emits @troupe.pattern events only when observed', async () => {
    sys = createSystem();
    const events: InspectionEvent[] = [];
    const scope = new PatternScope(sys, 'test', { run: 'run-1' });
    scope.emit('start');
    const sub = sys.inspect((e) => events.push(e));
    scope.emit('task-done', { taskId: 't' });
    await scope.close('done');
    sub.unsubscribe();
    expect(events.filter((e) => e.type === '@troupe.pattern')).toEqual([
      { type: '@troupe.pattern', node: sys.node, pattern: 'test', run: 'run-1', step: 'task-done', taskId: 't' },
      { type: '@troupe.pattern', node: sys.node, pattern: 'test', run: 'run-1', step: 'done' },
    ]);
  });

  it('validateSource accepts refs, logic and { node, logic }, and nothing else', () => {
    sys = createSystem();
    expect(() => validateSource(doubler, 'w')).not.toThrow();
    expect(() => validateSource(sys.spawn(doubler), 'w')).not.toThrow();
    expect(() => validateSource({ node: 'beta', logic: 'echo' }, 'w')).not.toThrow();
    for (const bad of [undefined, null, 42, 'doubler', {}, { node: 'beta' }])
      expect(() => validateSource(bad, 'w')).toThrow(/must be a ref/);
  });
});
