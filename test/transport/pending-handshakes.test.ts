import { describe, expect, it } from 'vitest';
import { PendingHandshakes } from '../../src/transport/pending-handshakes.js';

const link = (remote: string) => ({ link: { remote } });

describe('PendingHandshakes', () => {
  describe('#add', () => {
    it('keeps links while under both limits', () => {
      const pending = new PendingHandshakes({ maxPending: 3, maxPerAddress: 2 });
      expect(pending.add(link('10.0.0.1:1'))).toBeUndefined();
      expect(pending.add(link('10.0.0.2:1'))).toBeUndefined();
      expect(pending.size).toBe(2);
    });

    it('evicts the oldest link of the same address past maxPerAddress', () => {
      const pending = new PendingHandshakes({ maxPending: 10, maxPerAddress: 2 });
      const a = link('10.0.0.1:1');
      pending.add(a);
      pending.add(link('10.0.0.1:2'));
      const eviction = pending.add(link('10.0.0.1:3'));
      expect(eviction?.evicted).toBe(a);
      expect(eviction?.why).toMatch(/maxPendingHandshakesPerAddress/);
      expect(pending.size).toBe(2);
      expect(pending.evictions).toBe(1);
    });

    it('past maxPending, evicts the oldest link of the busiest address, never a lone peer', () => {
      const pending = new PendingHandshakes({ maxPending: 4, maxPerAddress: 10 });
      const real = link('10.0.0.9:1');
      pending.add(real);
      const flood = [link('10.0.0.1:1'), link('10.0.0.1:2'), link('10.0.0.1:3')];
      for (const f of flood) pending.add(f);
      for (let i = 0; i < 20; i++) expect(pending.add(link(`10.0.0.1:${10 + i}`))?.evicted).not.toBe(real);
      expect(pending.values()).toContain(real);
      expect(pending.size).toBe(4);
    });
  });

  describe('#delete', () => {
    it('forgets a link once, and frees its slot', () => {
      const pending = new PendingHandshakes({ maxPending: 1, maxPerAddress: 1 });
      const a = link('[::1]:5');
      pending.add(a);
      expect(pending.delete(a)).toBe(true);
      expect(pending.delete(a)).toBe(false);
      expect(pending.add(link('[::1]:6'))).toBeUndefined();
    });
  });
});
