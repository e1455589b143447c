import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/store/memory.js';
import { SimulatedClock } from '../../src/util/clock.js';
import { storeConformance } from './conformance.js';

let clock = new SimulatedClock();

storeConformance('memory', {
  async create() {
    clock = new SimulatedClock();
    clock.advance(1_000_000);
    return memoryStore({ clock });
  },
  async elapse(ms) {
    clock.advance(ms);
  },
});

describe('memoryStore', () => {
  it('expires leases by its injected clock only', async () => {
    const sim = new SimulatedClock();
    const store = memoryStore({ clock: sim });
    const a = await store.acquireLease('L', 'a', 100);
    expect(a).toEqual({ holder: 'a', token: 1, expiresAt: 100 });
    sim.advance(99);
    expect(await store.acquireLease('L', 'b', 100)).toBeNull();
    sim.advance(1);
    expect(await store.acquireLease('L', 'b', 100)).toEqual({ holder: 'b', token: 2, expiresAt: 200 });
  });

  it('keeps separate stores apart', async () => {
    const one = memoryStore();
    const two = memoryStore();
    await one.put('k', 1);
    expect(await two.get('k')).toBeUndefined();
  });
  it('refuses options that are not an object and a clock without now() at once', () => {
    for (const bad of [null, 5, { clock: {} }, { clock: { now: 1 } }]) {
      expect(() => memoryStore(bad as never)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    }
  });
});
