import { describe, expect, it } from 'vitest';
import type { BaseRef, DownEvent } from '../../src/actors/ref.js';
import { addWatcher, downAtOnce, notifyWatchers } from '../../src/actors/watchers.js';

function fakeWatcher(address: string, log: DownEvent[]): BaseRef {
  return { address, _down: (e: DownEvent) => log.push(e) } as unknown as BaseRef;
}

describe('watchers', () => {
  describe('addWatcher', () => {
    it('keeps one entry per watcher address', () => {
      const log: DownEvent[] = [];
      let map = addWatcher(undefined, fakeWatcher('troupe://n/w', log));
      map = addWatcher(map, fakeWatcher('troupe://n/w', log));
      map = addWatcher(map, fakeWatcher('troupe://n/v', log));
      expect([...map.keys()]).toEqual(['troupe://n/w', 'troupe://n/v']);
    });
  });

  describe('notifyWatchers', () => {
    it('sends each watcher one troupe.down with the reason; nothing when nobody watches', () => {
      const log: DownEvent[] = [];
      notifyWatchers(undefined, 'troupe://n/t', 'normal');
      const map = addWatcher(addWatcher(undefined, fakeWatcher('troupe://n/a', log)), fakeWatcher('troupe://n/b', log));
      notifyWatchers(map, 'troupe://n/t', { error: 'x' });
      expect(log).toEqual([
        { type: 'troupe.down', address: 'troupe://n/t', reason: { error: 'x' } },
        { type: 'troupe.down', address: 'troupe://n/t', reason: { error: 'x' } },
      ]);
    });
  });

  describe('downAtOnce', () => {
    it("tells the watcher 'noproc'", () => {
      const log: DownEvent[] = [];
      downAtOnce(fakeWatcher('troupe://n/w', log), 'troupe://n/gone');
      expect(log).toEqual([{ type: 'troupe.down', address: 'troupe://n/gone', reason: 'noproc' }]);
    });
  });
});
