import { describe, expect, it } from 'vitest';
import { restForOne } from '../../src/supervision/rest-for-one.js';
import type { Supervisor } from '../../src/supervision/strategy.js';

const children = ['a', 'b', 'c', 'd'];
const view: Supervisor<string> = { children: () => children, startedFrom: (c) => children.slice(children.indexOf(c)) };

describe('rest-for-one', () => {
  it('names itself and picks the restart group of a failed child in start order', () => {
    expect(restForOne.name).toBe('rest-for-one');
    expect(restForOne.restartGroup(view, 'b')).toEqual(['b', 'c', 'd']);
  });
});
