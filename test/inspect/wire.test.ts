import { describe, expect, it } from 'vitest';
import { fromTransition } from 'xstate';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { isCompactValue, isWireEvent, toCompactValue, toWireEvent, toWireValue } from '../../src/inspect/wire.js';

describe('wire', () => {
  describe('#toWireValue', () => {
    it('turns refs into addresses, drops functions and symbols, and describes errors', async () => {
      const system: ActorSystem = createSystem({ node: 'w' });
      const ref = system.spawn(
        fromTransition((s: number) => s, 0),
        { name: 'r' },
      );
      const err = Object.assign(new Error('boom'), { code: 'TROUPE_ERR_TIMEOUT' });
      expect(toWireValue({ ref, f: () => 1, s: Symbol('x'), err, big: 10n, inf: Infinity, d: new Date(0) })).toEqual({
        ref: 'troupe://w/r',
        err: { name: 'Error', message: 'boom', code: 'TROUPE_ERR_TIMEOUT' },
        big: '10n',
        inf: 'Infinity',
        d: '1970-01-01T00:00:00.000Z',
      });
      await system.shutdown();
    });

    it('cuts long strings, deep nesting and wide objects and arrays', () => {
      const limits = { maxString: 5, maxDepth: 2, maxItems: 2 };
      expect(toWireValue('abcdefgh', limits)).toBe('abcde…');
      expect(toWireValue({ a: { b: { c: 1 } } }, limits)).toEqual({ a: { b: '[…]' } });
      expect(toWireValue([1, 2, 3, 4], limits)).toEqual([1, 2, '[… 2 more]']);
      expect(toWireValue({ a: 1, b: 2, c: 3 }, limits)).toEqual({ a: 1, b: 2, '…': '1 more keys' });
    });

    it('survives cycles (cut at maxDepth)', () => {
      const a: Record<string, unknown> = {};
      a.self = a;
      expect(JSON.stringify(toWireValue(a))).toContain('[…]');
    });
  });

  describe('#toCompactValue', () => {
    it('passes small plain values as they are and copies the rest', () => {
      const small = { type: 'inc', n: 1, nested: { ok: true } };
      expect(isCompactValue(small)).toBe(true);
      expect(toCompactValue(small)).toBe(small);
      const big = { type: 'x', text: 'y'.repeat(1000) };
      expect(toCompactValue(big)).not.toBe(big);
      expect(isCompactValue(new Map())).toBe(false);
      expect(isCompactValue({ n: Number.NaN })).toBe(false);
    });
  });

  describe('#toWireEvent', () => {
    it('stamps the time and keeps the event type and node', () => {
      const wire = toWireEvent({ type: '@troupe.message', node: 'a', to: 'troupe://a/x', eventType: 'go', event: { type: 'go' } }, 42);
      expect(wire).toEqual({ type: '@troupe.message', node: 'a', to: 'troupe://a/x', eventType: 'go', event: { type: 'go' }, at: 42 });
      expect(isWireEvent(wire)).toBe(true);
      expect(isWireEvent({ type: 'go', node: 'a' })).toBe(false);
    });
  });
});
