import { describe, expect, it } from 'vitest';
import { type RestartType, shouldRestart } from '../../src/supervision/restart-decider.js';
import type { ExitReason } from '../../src/util/exit-reason.js';
import { isNormalExit } from '../../src/util/exit-reason.js';

const reasons: [string, ExitReason][] = [
  ['normal', 'normal'],
  ['shutdown', 'shutdown'],
  ['killed', 'killed'],
  ['noconnection', 'noconnection'],
  ['crash', { error: new Error('x') }],
];

describe('shouldRestart', () => {
  it.each([
    ['permanent', [true, true, true, true, true]],
    ['transient', [false, false, true, true, true]],
    ['temporary', [false, false, false, false, false]],
  ] as [RestartType, boolean[]][])('%s: restarts after normal, shutdown, killed, noconnection, crash = %j', (restart, expected) => {
    expect(reasons.map(([, reason]) => shouldRestart(restart, reason))).toEqual(expected);
  });
});

describe('isNormalExit', () => {
  it('treats only normal and shutdown as normal', () => {
    expect(reasons.filter(([, r]) => isNormalExit(r)).map(([name]) => name)).toEqual(['normal', 'shutdown']);
  });
});
