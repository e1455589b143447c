import { describe, expect, it } from 'vitest';
import { limitReached, resolveLimits } from '../../src/agents/limits.js';
import { emptyUsage, usageOf } from '../../src/patterns/worker-protocol.js';

describe('limits', () => {
  describe('resolveLimits', () => {
    it('fills in defaults', () => {
      expect(resolveLimits(undefined, 'x')).toEqual({
        maxIterations: 10,
        maxWorkerCalls: 20,
        maxRetries: 2,
        maxDepth: 3,
        tokenBudget: Number.POSITIVE_INFINITY,
        workerTimeoutMs: 60_000,
        maxConcurrency: 8,
        maxEscalations: 3,
        maxResultChars: 200_000,
      });
    });
    it('accepts 0 retries and depth, refuses bad values and unknown keys', () => {
      expect(resolveLimits({ maxRetries: 0, maxDepth: 0 }, 'x')).toMatchObject({ maxRetries: 0, maxDepth: 0 });
      expect(() => resolveLimits({ maxConcurrency: 0 }, 'x')).toThrow(/maxConcurrency/);
      expect(() => resolveLimits({ workerTimeoutMs: 1.5 }, 'x')).toThrow(/workerTimeoutMs/);
      expect(() => resolveLimits({ maxIterations: Number.POSITIVE_INFINITY }, 'x')).toThrow(/maxIterations/);
      expect(() => resolveLimits({ bogus: 1 } as object, 'x')).toThrow(/unknown limit/);
    });
  });

  describe('limitReached', () => {
    const limits = resolveLimits({ maxIterations: 2, maxWorkerCalls: 3, tokenBudget: 100 }, 'x');
    it('is undefined under every limit', () => {
      expect(limitReached(limits, { iterations: 1, workerCalls: 2, usage: usageOf('m', 40, 40) })).toBeUndefined();
    });
    it('names the limit reached, token budget first', () => {
      expect(limitReached(limits, { iterations: 2, workerCalls: 3, usage: usageOf('m', 60, 40) })).toBe('token-budget');
      expect(limitReached(limits, { iterations: 2, workerCalls: 3, usage: emptyUsage() })).toBe('max-worker-calls');
      expect(limitReached(limits, { iterations: 2, workerCalls: 0, usage: emptyUsage() })).toBe('max-iterations');
    });
  });
});
