import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { until } from '../support/latch.js';
import { counterMachine } from '../support/machines.js';

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

/** The XState ActorRef members a troupe ref carries, as XState code would use them. */
type XStateLike = {
  id: string;
  sessionId: string;
  getSnapshot(): { status: string; context?: { n: number }; value?: unknown };
  subscribe(next: (s: { context: { n: number } }) => void): { unsubscribe(): void };
  stop(): void;
  start(): void;
  toJSON(): unknown;
};

describe('BaseRef', () => {
  describe('XState interop on a local ref', () => {
    it('reads the snapshot, subscribes to changes, and names itself by its address', async () => {
      system = createSystem({ node: 'n' });
      const ref = system.spawn(counterMachine, { name: 'c' });
      const x = ref as unknown as XStateLike;
      expect(x.id).toBe('c');
      expect(x.sessionId).toBe('troupe://n/c');
      expect(x.getSnapshot()).toMatchObject({ status: 'active', context: { n: 0 }, value: 'counting' });
      const seen: number[] = [];
      const sub = x.subscribe((s) => seen.push(s.context.n));
      ref.send({ type: 'inc' });
      await until(() => seen.includes(1));
      sub.unsubscribe();
      expect(JSON.stringify(ref)).toBe('{"address":"troupe://n/c"}');
      expect(String(ref)).toBe('troupe://n/c');
      expect(() => x.start()).not.toThrow();
    });

    it('refuses stop(), pointing at system.stop', () => {
      system = createSystem({ node: 'n' });
      const x = system.spawn(counterMachine, { name: 'c' }) as unknown as XStateLike;
      expect(() => x.stop()).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_NOT_LOCAL', message: expect.stringContaining('system.stop') }),
      );
    });
  });

  describe('XState interop elsewhere', () => {
    it('throws NOT_LOCAL for snapshot members of a remote ref, ACTOR_STOPPED for a stopped actor', async () => {
      system = createSystem({ node: 'n' });
      const remote = system.ref('troupe://elsewhere/x') as unknown as XStateLike;
      expect(() => remote.getSnapshot()).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NOT_LOCAL' }));
      const ref = system.spawn(counterMachine, { name: 'c' });
      await system.stop(ref);
      expect(() => ref.getSnapshot()).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_ACTOR_STOPPED' }));
    });
  });
});
