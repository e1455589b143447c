import { describe, expect, it } from 'vitest';
import { causeOf, describeReason, isCrash, isNormalExit } from '../../src/util/exit-reason.js';

describe('exit reasons', () => {
  it('tells crashes from the named exits', () => {
    expect(isCrash({ error: new Error('x') })).toBe(true);
    for (const r of ['normal', 'shutdown', 'killed', 'noconnection'] as const) expect(isCrash(r)).toBe(false);
  });

  it('counts normal and shutdown as normal exits, as OTP does', () => {
    expect(isNormalExit('normal')).toBe(true);
    expect(isNormalExit('shutdown')).toBe(true);
    expect(isNormalExit('killed')).toBe(false);
    expect(isNormalExit('noconnection')).toBe(false);
    expect(isNormalExit({ error: 1 })).toBe(false);
  });

  it('describes a reason in a few words and gives a crash as the cause', () => {
    expect(describeReason('killed')).toBe('killed');
    expect(describeReason({ error: new Error('disk full') })).toBe('error: disk full');
    expect(describeReason({ error: 'plain' })).toBe('error: plain');
    const error = new Error('x');
    expect(causeOf({ error })).toEqual({ cause: error });
    expect(causeOf('normal')).toBeUndefined();
  });
});
