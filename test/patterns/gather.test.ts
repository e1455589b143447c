import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { type ActorRef, type ActorSystem, createSystem, type GatherResult, gather, QuorumError, SimulatedClock } from '../../src/index.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { rejection, shutDownAfterEach } from '../support/streams.js';

let system: ActorSystem;
shutDownAfterEach(() => [system]);

/** A counter starting at `start`, answering `get`. */
function counter(start: number): ActorRef {
  return system.spawn(counterMachine, { input: { start } });
}

/** A machine that crashes on every event. */
const crashing = setup({}).createMachine({
  on: {
    '*': {
      actions: () => {
        throw new Error('cannot answer');
      },
    },
  },
});

function simplify(results: GatherResult[]): unknown[] {
  return results.map((r) => {
    switch (r.status) {
      case 'ok':
        return { status: r.status, ref: r.ref.name, value: r.value };
      case 'error':
        return { status: r.status, ref: r.ref.name, code: r.error.code };
      default:
        return { status: r.status, ref: r.ref.name };
    }
  });
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('gather', () => {
  it('asks every ref and resolves with their answers in the order given', async () => {
    system = createSystem();
    const refs = [counter(1), counter(2), counter(3)];
    const results = await gather(refs, { type: 'get' }, { timeoutMs: 1000 });
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(results.map((r) => (r.status === 'ok' ? r.value : undefined))).toEqual([
      { type: 'count', value: 1 },
      { type: 'count', value: 2 },
      { type: 'count', value: 3 },
    ]);
    expect(results.map((r) => r.ref)).toEqual(refs);
  });

  it('reports a failing ref as an error and keeps the others', async () => {
    system = createSystem();
    const ok = system.spawn(counterMachine, { name: 'ok' });
    const bad = system.spawn(crashing, { name: 'bad' });
    expect(simplify(await gather([ok, bad], { type: 'get' }, { timeoutMs: 1000 }))).toEqual([
      { status: 'ok', ref: 'ok', value: { type: 'count', value: 0 } },
      { status: 'error', ref: 'bad', code: 'TROUPE_ERR_ACTOR_FAILED' },
    ]);
  });

  it('reports a dead ref as an error with NO_ACTOR', async () => {
    system = createSystem({ node: 'alpha' });
    const dead = system.spawn(counterMachine, { name: 'dead' });
    await system.stop(dead);
    const missing = system.ref('troupe://alpha/missing');
    expect(simplify(await gather([dead, missing], { type: 'get' }))).toEqual([
      { status: 'error', ref: 'dead', code: 'TROUPE_ERR_NO_ACTOR' },
      { status: 'error', ref: 'missing', code: 'TROUPE_ERR_NO_ACTOR' },
    ]);
  });

  it('resolves with partial results at the timeout', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ clock });
    const fast = system.spawn(counterMachine, { name: 'fast' });
    const slow = system.spawn(silentMachine, { name: 'slow' });
    let results: GatherResult[] | undefined;
    const pending = gather([fast, slow], { type: 'get' }, { timeoutMs: 2000 }).then((r) => {
      results = r;
    });
    await settle();
    expect(results).toBeUndefined();
    clock.advance(2000);
    await pending;
    expect(simplify(results ?? [])).toEqual([
      { status: 'ok', ref: 'fast', value: { type: 'count', value: 0 } },
      { status: 'timeout', ref: 'slow' },
    ]);
  });

  describe('min', () => {
    it('resolves as soon as `min` refs answered ok, cancelling the rest', async () => {
      const clock = new SimulatedClock();
      system = createSystem({ clock });
      const refs = [system.spawn(silentMachine, { name: 's' }), counter(1), counter(2)];
      const results = await gather(refs, { type: 'get' }, { timeoutMs: 60_000, min: 2 });
      expect(simplify(results).map((r) => (r as { status: string }).status)).toEqual(['cancelled', 'ok', 'ok']);
      expect(clock.pending).toBe(0);
    });

    it('rejects with QUORUM_NOT_MET as soon as `min` cannot be reached, carrying the results', async () => {
      system = createSystem();
      const refs = [
        system.spawn(crashing, { name: 'a' }),
        system.spawn(crashing, { name: 'b' }),
        system.spawn(silentMachine, { name: 'c' }),
      ];
      const err = await rejection(gather(refs, { type: 'get' }, { timeoutMs: 60_000, min: 2 }));
      expect(err).toBeInstanceOf(QuorumError);
      expect(err.code).toBe('TROUPE_ERR_QUORUM_NOT_MET');
      expect(simplify((err as QuorumError).results as GatherResult[])).toEqual([
        { status: 'error', ref: 'a', code: 'TROUPE_ERR_ACTOR_FAILED' },
        { status: 'error', ref: 'b', code: 'TROUPE_ERR_ACTOR_FAILED' },
        { status: 'cancelled', ref: 'c' },
      ]);
    });

    it('counts timeouts against the quorum', async () => {
      const clock = new SimulatedClock();
      system = createSystem({ clock });
      const refs = [counter(1), system.spawn(silentMachine), system.spawn(silentMachine)];
      const outcome = rejection(gather(refs, { type: 'get' }, { timeoutMs: 100, min: 2 }));
      await settle();
      clock.advance(100);
      const err = await outcome;
      expect(err.code).toBe('TROUPE_ERR_QUORUM_NOT_MET');
      expect(((err as QuorumError).results as GatherResult[]).map((r) => r.status)).toEqual(['ok', 'timeout', 'timeout']);
    });

    it('with min 0 (the default) never rejects for failures', async () => {
      system = createSystem();
      const results = await gather([system.spawn(crashing)], { type: 'get' }, { min: 0 });
      expect(results.map((r) => r.status)).toEqual(['error']);
    });
  });

  it('rejects with ABORTED when the signal aborts, and releases the pending asks', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ clock });
    const controller = new AbortController();
    const outcome = rejection(
      gather([system.spawn(silentMachine), system.spawn(silentMachine)], { type: 'get' }, { signal: controller.signal }),
    );
    await settle();
    expect(clock.pending).toBe(2);
    controller.abort(new Error('enough'));
    const err = await outcome;
    expect(err.code).toBe('TROUPE_ERR_ABORTED');
    expect((err.cause as Error).message).toBe('enough');
    expect(clock.pending).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    system = createSystem();
    const err = await rejection(gather([counter(1)], { type: 'get' }, { signal: AbortSignal.abort() }));
    expect(err.code).toBe('TROUPE_ERR_ABORTED');
  });

  it('resolves with an empty list for no refs', async () => {
    system = createSystem();
    expect(await gather([], { type: 'get' })).toEqual([]);
  });

  it('rejects bad arguments with INVALID_OPTION or INVALID_EVENT', async () => {
    system = createSystem();
    const ref = counter(1);
    expect((await rejection(gather([ref], { type: 'get' }, { min: 2 }))).code).toBe('TROUPE_ERR_INVALID_OPTION');
    expect((await rejection(gather([ref], { type: 'get' }, { min: -1 }))).code).toBe('TROUPE_ERR_INVALID_OPTION');
    expect((await rejection(gather([ref], { type: 'get' }, { timeoutMs: 0 }))).code).toBe('TROUPE_ERR_INVALID_OPTION');
    expect((await rejection(gather([ref, {} as ActorRef], { type: 'get' }))).code).toBe('TROUPE_ERR_INVALID_OPTION');
    expect((await rejection(gather([ref], 'get' as unknown as { type: string }))).code).toBe('TROUPE_ERR_INVALID_EVENT');
  });
});
