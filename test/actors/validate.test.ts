import { describe, expect, it } from 'vitest';
import { describeNonEvent, validateThroughput, validateTimeout } from '../../src/actors/validate.js';

const invalid = expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION', name: 'InvalidArgumentError' });

describe('shared option checks', () => {
  it('a throughput is a whole number >= 1', () => {
    expect(validateThroughput(1)).toBe(1);
    expect(validateThroughput(250)).toBe(250);
    for (const bad of [0, -1, 1.5, Number.NaN, '10', undefined]) expect(() => validateThroughput(bad)).toThrow(invalid);
  });

  it('a timeout is a finite number > 0, named in the error', () => {
    expect(validateTimeout('ask timeoutMs', 0.5)).toBe(0.5);
    for (const bad of [0, -5, Number.POSITIVE_INFINITY, Number.NaN, '100', null]) {
      expect(() => validateTimeout('ask timeoutMs', bad)).toThrow(
        expect.objectContaining({ message: expect.stringContaining('ask timeoutMs') }),
      );
    }
  });

  it('says what a non-event is', () => {
    expect(describeNonEvent(null)).toBe('null');
    expect(describeNonEvent('x')).toBe('string');
    expect(describeNonEvent({})).toBe('an object without a string type');
  });
});
