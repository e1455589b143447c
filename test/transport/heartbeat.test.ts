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
});
