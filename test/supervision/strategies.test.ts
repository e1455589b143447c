import { describe, expect, it } from 'vitest';
import { oneForAll } from '../../src/supervision/one-for-all.js';
import { oneForOne } from '../../src/supervision/one-for-one.js';
import { restForOne } from '../../src/supervision/rest-for-one.js';
import { strategyFor } from '../../src/supervision/strategies.js';
import type { Supervisor } from '../../src/supervision/strategy.js';

const children = ['a', 'b', 'c', 'd'];
const view: Supervisor<string> = {
  children: () => children,
  startedFrom: (c) => children.slice(children.indexOf(c)),
};

describe('strategies (strategyFor and the strategies it names)', () => {
  describe('one-for-one', () => {
    it('restarts the failed child alone', () => {
      expect(oneForOne.restartGroup(view, 'b')).toEqual(['b']);
    });
  });

  describe('one-for-all', () => {
    it('restarts every child', () => {
      expect(oneForAll.restartGroup(view, 'b')).toEqual(['a', 'b', 'c', 'd']);
    });
  });

  describe('rest-for-one', () => {
    it('restarts the failed child and the children started after it', () => {
      expect(restForOne.restartGroup(view, 'b')).toEqual(['b', 'c', 'd']);
      expect(restForOne.restartGroup(view, 'd')).toEqual(['d']);
    });
  });

  describe('strategyFor', () => {
    it('maps names to strategies', () => {
      expect(['one-for-one', 'one-for-all', 'rest-for-one'].map((n) => strategyFor(n as 'one-for-one').name)).toEqual([
        'one-for-one',
        'one-for-all',
        'rest-for-one',
      ]);
    });
  });
});
