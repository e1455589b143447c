import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDIT, DEFAULT_IDLE_TIMEOUT_MS, isCount, MAX_CREDIT, readRequestOptions } from '../../src/streams/stream-protocol.js';

describe('stream protocol', () => {
  it('reads a request’s options, falling back to defaults on anything odd from the wire', () => {
    expect(readRequestOptions({ type: 'go', streamOptions: { credit: 8, idleTimeoutMs: 250 } })).toEqual({ credit: 8, idleTimeoutMs: 250 });
    expect(readRequestOptions({ type: 'go' })).toEqual({ credit: DEFAULT_CREDIT, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS });
    expect(readRequestOptions({ type: 'go', streamOptions: { credit: MAX_CREDIT + 1, idleTimeoutMs: Number.POSITIVE_INFINITY } })).toEqual({
      credit: DEFAULT_CREDIT,
      idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
    });
    expect(readRequestOptions({ type: 'go', streamOptions: { credit: '8', idleTimeoutMs: -1 } })).toEqual({
      credit: DEFAULT_CREDIT,
      idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
    });
  });

  it('a count is a whole number in 1..MAX_CREDIT', () => {
    expect(isCount(1)).toBe(true);
    expect(isCount(MAX_CREDIT)).toBe(true);
    for (const bad of [0, MAX_CREDIT + 1, 1.5, Number.NaN, '3']) expect(isCount(bad)).toBe(false);
  });
});
