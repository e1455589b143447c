import { describe, expect, it } from 'vitest';
import { realClock, SimulatedClock } from '../../src/util/clock.js';

describe('SimulatedClock', () => {
  describe('#advance', () => {
    it('fires due timers in due order, including timers set by timers', () => {
      const clock = new SimulatedClock();
      const log: string[] = [];
      clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
      clock.setTimeout(() => {
        log.push(`a@${clock.now()}`);
        clock.setTimeout(() => log.push(`c@${clock.now()}`), 5);
      }, 10);
      clock.advance(15);
      expect(log).toEqual(['a@10', 'c@15']);
      clock.advance(10);
      expect(log).toEqual(['a@10', 'c@15', 'b@20']);
      expect(clock.now()).toBe(25);
    });

    it('does not fire cleared timers', () => {
      const clock = new SimulatedClock();
      let fired = false;
      const t = clock.setTimeout(() => {
        fired = true;
      }, 1);
      clock.clearTimeout(t);
      clock.advance(10);
      expect(fired).toBe(false);
      expect(clock.pending).toBe(0);
    });
  });
});

describe('realClock', () => {
  it('keeps the process alive while a timer is pending, as XState delays do', () => {
    const t = realClock.setTimeout(() => {}, 10_000) as ReturnType<typeof setTimeout>;
    expect(t.hasRef()).toBe(true);
    realClock.clearTimeout(t);
  });
});
