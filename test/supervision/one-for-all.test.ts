import { describe, expect, it } from 'vitest';
import { oneForAll } from '../../src/supervision/one-for-all.js';
import type { Supervisor } from '../../src/supervision/strategy.js';

const children = ['a', 'b', 'c', 'd'];
const view: Supervisor<string> = { children: () => children, startedFrom: (c) => children.slice(children.indexOf(c)) };

describe('one-for-all', () => {
  it('names itself and picks the restart group of a failed child in start order', () => {
    expect(oneForAll.name).toBe('one-for-all');
    expect(oneForAll.restartGroup(view, 'b')).toEqual(['a', 'b', 'c', 'd']);
  });
});
