import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/index.js';
import { Heartbeat, type Pinger } from '../../src/internal.js';

function fakePinger(): Pinger & { pings: number; lostAfter: number[] } {
  return {
    pings: 0,
    lostAfter: [],
    ping() {
      this.pings++;
    },
    lost(missed) {
      this.lostAfter.push(missed);
    },
  };
}

describe('Heartbeat', () => {
  describe('#start', () => {
    it('pings every interval', () => {
      const clock = new SimulatedClock();
      const pinger = fakePinger();
      const hb = new Heartbeat(pinger, clock, 100, 3);
      hb.start();
      clock.advance(99);
      expect(pinger.pings).toBe(0);
      clock.advance(1);
      expect(pinger.pings).toBe(1);
    });

    it('declares the peer lost once, after maxMissed silent intervals, and stops', () => {
      const clock = new SimulatedClock();
      const pinger = fakePinger();
      const hb = new Heartbeat(pinger, clock, 100, 3);
      hb.start();
      clock.advance(300);
      expect(pinger.lostAfter).toEqual([]);
      clock.advance(100);
      expect(pinger.lostAfter).toEqual([3]);
      clock.advance(1000);
      expect(pinger.lostAfter).toEqual([3]);
      expect(pinger.pings).toBe(3);
      expect(clock.pending).toBe(0);
    });
  });

  describe('#ok', () => {
    it('keeps a peer that answers alive indefinitely', () => {
      const clock = new SimulatedClock();
      const pinger = fakePinger();
      const hb = new Heartbeat(pinger, clock, 100, 2);
      hb.start();
      for (let i = 0; i < 50; i++) {
        clock.advance(100);
        hb.ok();
      }
      expect(pinger.lostAfter).toEqual([]);
      expect(hb.missed).toBe(0);
    });
  });

  describe('#stop', () => {
    it('cancels its timer', () => {
      const clock = new SimulatedClock();
      const pinger = fakePinger();
      const hb = new Heartbeat(pinger, clock, 100, 1);
      hb.start();
      hb.stop();
      expect(clock.pending).toBe(0);
      clock.advance(1000);
      expect(pinger.pings).toBe(0);
      expect(pinger.lostAfter).toEqual([]);
    });
  });

  describe('detection bound', () => {
    it('declares a silent peer lost between maxMissed and (maxMissed + 1) intervals after it was last heard', () => {
      const lostAt = (heardAt: number) => {
        const clock = new SimulatedClock();
        let at: number | undefined;
        const hb = new Heartbeat({ ping() {}, lost: () => (at = clock.now()) }, clock, 1000, 3);
        hb.start();
        clock.advance(heardAt);
        hb.ok();
        for (let i = 0; i < 1000 && at === undefined; i++) clock.advance(10);
        return (at as number) - heardAt;
      };
      // heard just after a beat: the full (3 + 1) × 1000 ms; just before one: 3 × 1000 ms
      expect(lostAt(1001)).toBe(3999);
      expect(lostAt(1999)).toBe(3001);
      for (const heard of [1000, 1250, 1500, 1750]) {
        const bound = lostAt(heard);
        expect(bound).toBeGreaterThanOrEqual(3000);
        expect(bound).toBeLessThanOrEqual(4000);
      }
    });
  });
});
