import { describe, expect, it } from 'vitest';
import { acquireOutcome, fenceHolds, holds, RELEASED } from '../../src/store/lease-rules.js';

describe('lease rules', () => {
  describe('acquireOutcome', () => {
    it('grants a never-taken lease with token 1', () => {
      expect(acquireOutcome(undefined, 'a', 100, 1000)).toEqual({ holder: 'a', token: 1, expiresAt: 1100 });
    });

    it('refuses a live lease to another holder, and renews it for its holder with the same token', () => {
      const live = { holder: 'a', token: 4, expiresAt: 1100 };
      expect(acquireOutcome(live, 'b', 100, 1099)).toBeNull();
      expect(acquireOutcome(live, 'a', 100, 1099)).toEqual({ holder: 'a', token: 4, expiresAt: 1199 });
    });

    it('raises the token for any grant of a lapsed or released lease, the same holder included', () => {
      const lapsed = { holder: 'a', token: 4, expiresAt: 1100 };
      expect(acquireOutcome(lapsed, 'b', 100, 1100)?.token).toBe(5);
      expect(acquireOutcome(lapsed, 'a', 100, 1100)?.token).toBe(5);
      expect(acquireOutcome({ ...lapsed, expiresAt: RELEASED }, 'a', 100, 0)?.token).toBe(5);
    });
  });

  it('holds: live, same holder, same token', () => {
    const live = { holder: 'a', token: 4, expiresAt: 1100 };
    expect(holds(live, 'a', 4, 1099)).toBe(true);
    expect(holds(live, 'a', 4, 1100)).toBe(false);
    expect(holds(live, 'b', 4, 1000)).toBe(false);
    expect(holds(live, 'a', 3, 1000)).toBe(false);
    expect(holds(undefined, 'a', 4, 1000)).toBe(false);
  });

  it('fenceHolds: the current token of a lease not released, lapsed or not', () => {
    expect(fenceHolds({ holder: 'a', token: 4, expiresAt: 1100 }, 4)).toBe(true);
    expect(fenceHolds({ holder: 'a', token: 4, expiresAt: 1100 }, 3)).toBe(false);
    expect(fenceHolds({ holder: 'a', token: 4, expiresAt: RELEASED }, 4)).toBe(false);
    expect(fenceHolds(undefined, 1)).toBe(false);
  });
});
