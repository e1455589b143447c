import { describe, expect, it } from 'vitest';
import { BaseRef } from '../../src/internal.js';
import { WatchRegistry } from '../../src/transport/watch-registry.js';

class Named extends BaseRef {
  constructor(readonly address: string) {
    super();
  }
  send(): void {}
  ask<T>(): Promise<T> {
    return Promise.reject(new Error('no'));
  }
  _down(): void {}
  _watch(): void {}
  _unwatch(): void {}
  _stop(): Promise<void> {
    return Promise.resolve();
  }
}

describe('WatchRegistry', () => {
  describe('#addOut', () => {
    it('records each (target, watcher) pair once', () => {
      const r = new WatchRegistry();
      const w = new Named('troupe://beta/w');
      expect(r.addOut('alpha', 'troupe://alpha/t', w)).toBe(true);
      expect(r.addOut('alpha', 'troupe://alpha/t', new Named('troupe://beta/w'))).toBe(false);
      expect(r.addOut('alpha', 'troupe://alpha/u', w)).toBe(true);
      expect(r.count('alpha')).toEqual({ in: 0, out: 2 });
    });
  });

  describe('#removeOut', () => {
    it('returns the watch it removed, once', () => {
      const r = new WatchRegistry();
      const w = new Named('troupe://beta/w');
      r.addOut('alpha', 'troupe://alpha/t', w);
      expect(r.removeOut('alpha', 'troupe://alpha/t', 'troupe://beta/w')?.watcher).toBe(w);
      expect(r.removeOut('alpha', 'troupe://alpha/t', 'troupe://beta/w')).toBeUndefined();
    });
  });

  describe('#takeAll', () => {
    it('empties one node and one direction only', () => {
      const r = new WatchRegistry();
      const target = new Named('troupe://beta/t');
      r.addOut('alpha', 'troupe://alpha/t', new Named('troupe://beta/w'));
      r.addOut('gamma', 'troupe://gamma/t', new Named('troupe://beta/w'));
      r.addIn('alpha', 'troupe://beta/t', new Named('troupe://alpha/w'), target);
      expect(r.takeAll('out', 'alpha').map((w) => w.target)).toEqual(['troupe://alpha/t']);
      expect(r.count('alpha')).toEqual({ in: 1, out: 0 });
      expect(r.count('gamma')).toEqual({ in: 0, out: 1 });
      expect(r.takeAll('in', 'alpha')[0].targetRef).toBe(target);
    });
  });
});
