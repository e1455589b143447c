import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/index.js';
import { RestartWindow } from '../../src/supervision/restart-window.js';

describe('RestartWindow', () => {
  describe('#record', () => {
    it('allows up to intensity restarts within the period and refuses the next', () => {
      const clock = new SimulatedClock();
      const window = new RestartWindow(3, 1000, clock);
      expect([window.record(), window.record(), window.record()]).toEqual([true, true, true]);
      expect(window.record()).toBe(false);
    });

    it('forgets restarts older than the period', () => {
      const clock = new SimulatedClock();
      const window = new RestartWindow(2, 1000, clock);
      window.record();
      clock.advance(600);
      window.record();
      clock.advance(401); // the first is now 1001 ms old
      expect(window.record()).toBe(true);
      expect(window.count).toBe(2);
    });

    it('still counts a restart exactly periodMs old (OTP keeps R >= Now - Period)', () => {
      const clock = new SimulatedClock();
      const window = new RestartWindow(1, 1000, clock);
      window.record();
      clock.advance(1000);
      expect(window.record()).toBe(false);
    });

    it('refuses the first restart with intensity 0', () => {
      expect(new RestartWindow(0, 1000, new SimulatedClock()).record()).toBe(false);
    });

    it('stays bounded over many spaced restarts', () => {
      const clock = new SimulatedClock();
      const window = new RestartWindow(1, 10, clock);
      for (let i = 0; i < 10_000; i++) {
        expect(window.record()).toBe(true);
        clock.advance(11);
      }
      expect(window.count).toBe(0);
    });
  });
});
