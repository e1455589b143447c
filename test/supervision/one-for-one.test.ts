import { describe, expect, it } from 'vitest';
import { oneForOne } from '../../src/supervision/one-for-one.js';
import type { Supervisor } from '../../src/supervision/strategy.js';

const children = ['a', 'b', 'c', 'd'];
const view: Supervisor<string> = { children: () => children, startedFrom: (c) => children.slice(children.indexOf(c)) };

describe('one-for-one', () => {
  it('names itself and picks the restart group of a failed child in start order', () => {
    expect(oneForOne.name).toBe('one-for-one');
    expect(oneForOne.restartGroup(view, 'b')).toEqual(['b']);
  });
});
