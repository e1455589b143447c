import { describe, expect, it } from 'vitest';
import { type DeadLetter, DeadLetters } from '../../src/actors/dead-letters.js';

describe('DeadLetters', () => {
  describe('#publish', () => {
    it('counts every letter, listened to or not, and reaches every listener even if one throws', () => {
      const letters = new DeadLetters();
      letters.publish({ recipient: 'troupe://n/a', event: { type: 'x' }, reason: 'no-actor' });
      const seen: DeadLetter[] = [];
      letters.subscribe(() => {
        throw new Error('a bad listener');
      });
      letters.subscribe((d) => seen.push(d));
      letters.publish({ recipient: 'troupe://n/b', event: { type: 'y' }, reason: 'stopped', sender: 'troupe://n/c' });
      expect(letters.count).toBe(2);
      expect(seen).toEqual([{ recipient: 'troupe://n/b', event: { type: 'y' }, reason: 'stopped', sender: 'troupe://n/c' }]);
    });
  });

  describe('#subscribe', () => {
    it('returns the function that stops the listener', () => {
      const letters = new DeadLetters();
      const seen: string[] = [];
      const off = letters.subscribe((d) => seen.push(d.reason));
      letters.publish({ recipient: 'r', event: {}, reason: 'mailbox-full' });
      off();
      letters.publish({ recipient: 'r', event: {}, reason: 'mailbox-full' });
      expect(seen).toEqual(['mailbox-full']);
    });
  });
});
