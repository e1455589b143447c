/**
 * Issue 8: a gather over thousands of refs stays linear. Node's EventTarget scans a signal's
 * listeners on every add and remove, so the asks of one gather must not each add a listener to
 * the signal they share.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type ActorRef, type ActorSystem, type AskOptions, createSystem, gather, SimulatedClock } from '../../src/index.js';
import { counterMachine, silentMachine } from '../support/machines.js';
import { rejection, shutDownAfterEach } from '../support/streams.js';

let system: ActorSystem;
shutDownAfterEach(() => [system]);

const settle = () => new Promise<void>((r) => setImmediate(r));

/** `ref` with its asks' signals recorded in `seen`. */
function spied(ref: ActorRef, seen: Set<AbortSignal>): ActorRef {
  const ask: ActorRef['ask'] = (event, options?: AskOptions) => {
    if (options?.signal) seen.add(options.signal);
    return ref.ask(event, options);
  };
  return Object.assign(Object.create(ref) as ActorRef, { ask });
}

describe('gather at scale', () => {
  it('gives its asks one cancel signal with one listener on it, and aborting releases every ask', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ clock });
    const seen = new Set<AbortSignal>();
    const refs = Array.from({ length: 1000 }, () => spied(system.spawn(silentMachine), seen));
    const controller = new AbortController();
    const outcome = rejection(gather(refs, { type: 'get' }, { signal: controller.signal }));
    await settle();
    expect(clock.pending).toBe(1000);
    expect(seen.size).toBe(1);
    for (const signal of seen) expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect((await outcome).code).toBe('TROUPE_ERR_ABORTED');
    expect(clock.pending).toBe(0);
    for (const signal of seen) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('with a quorum, cancels the pending asks once it is reached', async () => {
    const clock = new SimulatedClock();
    system = createSystem({ clock });
    const silent = Array.from({ length: 300 }, () => system.spawn(silentMachine));
    const results = await gather([system.spawn(counterMachine), ...silent], { type: 'get' }, { min: 1 });
    expect(results[0].status).toBe('ok');
    expect(results.slice(1).every((r) => r.status === 'cancelled')).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('answers every one of 5,000 refs in order', async () => {
    system = createSystem();
    const refs = Array.from({ length: 5000 }, (_, i) => system.spawn(counterMachine, { input: { start: i } }));
    const results = await gather<{ value: number }>(refs, { type: 'get' }, { timeoutMs: 60_000 });
    expect(results.map((r) => (r.status === 'ok' ? r.value.value : -1))).toEqual(refs.map((_, i) => i));
  });
});
