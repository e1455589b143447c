import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { Mailbox, type OverflowPolicy } from '../../src/mailbox/mailbox.js';

describe('Mailbox', () => {
  describe('constructor', () => {
    it.each([0, -1, 1.5, Number.NaN])('rejects capacity %s with TROUPE_ERR_INVALID_OPTION', (capacity) => {
      expect(() => new Mailbox({ capacity })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    });

    it('rejects an unknown overflow policy', () => {
      const err = (() => {
        try {
          new Mailbox({ overflow: 'drop-all' as OverflowPolicy });
        } catch (e) {
          return e;
        }
      })();
      expect(TroupeError.is(err, 'TROUPE_ERR_INVALID_OPTION')).toBe(true);
    });
  });

  describe('#enqueue', () => {
    it('drop-newest keeps the old messages', () => {
      const m = new Mailbox<number>({ capacity: 2, overflow: 'drop-newest' });
      expect([m.enqueue(1), m.enqueue(2), m.enqueue(3)]).toEqual(['accepted', 'accepted', 'dropped-newest']);
      expect(m.clear()).toEqual([1, 2]);
    });

    it('drop-oldest evicts the head and keeps the new message', () => {
      const m = new Mailbox<number>({ capacity: 2, overflow: 'drop-oldest' });
      m.enqueue(1);
      m.enqueue(2);
      expect(m.enqueue(3)).toBe('dropped-oldest');
      expect(m.evicted).toBe(1);
      expect(m.clear()).toEqual([2, 3]);
    });

    it('reject refuses the new message', () => {
      const m = new Mailbox<number>({ capacity: 1, overflow: 'reject' });
      m.enqueue(1);
      expect(m.enqueue(2)).toBe('rejected');
      expect(m.size).toBe(1);
    });
  });

  describe('lanes', () => {
    it('holds user messages while suspended but still yields system messages', () => {
      const m = new Mailbox<string, string>();
      m.enqueue('u1');
      m.enqueueSystem('s1');
      m.suspended = true;
      expect(m.runnable).toBe(true);
      expect(m.shiftSystem()).toBe('s1');
      expect(m.shift()).toBeUndefined();
      expect(m.runnable).toBe(false);
      m.suspended = false;
      expect(m.shift()).toBe('u1');
    });
  });

  it('keeps FIFO per lane and never exceeds capacity under any interleaving and policy (property)', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('user' as const), v: fc.integer() }),
      fc.record({ k: fc.constant('system' as const), v: fc.integer() }),
      fc.record({ k: fc.constant('drain' as const), v: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant('suspend' as const), v: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest', 'reject'),
        fc.integer({ min: 1, max: 8 }),
        fc.array(op, { maxLength: 200 }),
        (overflow, capacity, ops) => {
          const m = new Mailbox<number, number>({ capacity, overflow });
          const user: number[] = [];
          const system: number[] = [];
          let suspended = false;
          for (const o of ops) {
            if (o.k === 'user') {
              const a = m.enqueue(o.v);
              if (user.length < capacity) {
                expect(a).toBe('accepted');
                user.push(o.v);
              } else if (overflow === 'drop-oldest') {
                expect(a).toBe('dropped-oldest');
                expect(m.evicted).toBe(user.shift());
                user.push(o.v);
              } else {
                expect(a).toBe(overflow === 'reject' ? 'rejected' : 'dropped-newest');
              }
            } else if (o.k === 'system') {
              m.enqueueSystem(o.v);
              system.push(o.v);
            } else if (o.k === 'suspend') {
              m.suspended = o.v;
              suspended = o.v;
            } else {
              for (let i = 0; i < o.v; i++) {
                if (system.length > 0) expect(m.shiftSystem()).toBe(system.shift());
                else expect(m.shift()).toBe(suspended ? undefined : user.shift());
              }
            }
            expect(m.size).toBe(user.length);
            expect(m.size).toBeLessThanOrEqual(capacity);
            expect(m.systemSize).toBe(system.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
