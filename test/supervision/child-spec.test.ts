import { describe, expect, it } from 'vitest';
import { resolveChildSpec, type SpecRules } from '../../src/supervision/child-spec.js';

type Logic = { kind: 'worker' | 'supervisor' };
const rules: SpecRules<Logic> = {
  isLogic: (l): l is Logic => typeof l === 'object' && l !== null && 'kind' in l,
  typeOf: (l) => l.kind,
  idProblem: (id) => (id.includes('/') ? 'no slashes' : undefined),
  significantAllowed: true,
};
const w: Logic = { kind: 'worker' };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('resolveChildSpec', () => {
  it('fills OTP defaults: permanent, 5000 ms for workers, Infinity for supervisors, not significant', () => {
    expect(resolveChildSpec({ id: 'a', logic: w }, rules)).toEqual({
      id: 'a',
      logic: w,
      input: undefined,
      restart: 'permanent',
      shutdownMs: 5000,
      significant: false,
      type: 'worker',
    });
    expect(resolveChildSpec({ id: 's', logic: { kind: 'supervisor' } }, rules)).toMatchObject({ shutdownMs: Infinity, type: 'supervisor' });
  });

  it.each([
    ['not an object', 42, /must be an object/],
    ['a missing id', { logic: w }, /needs an id/],
    ['an empty id', { id: '', logic: w }, /needs an id/],
    ['a bad id', { id: 'a/b', logic: w }, /no slashes/],
    ['missing logic', { id: 'a' }, /logic must be/],
    ['a bad restart type', { id: 'a', logic: w, restart: 'sometimes' }, /restart must be/],
    ['a negative shutdown', { id: 'a', logic: w, shutdownMs: -1 }, /shutdownMs must be/],
    ['a non-numeric shutdown', { id: 'a', logic: w, shutdownMs: 'soon' }, /shutdownMs must be/],
    ['a non-boolean significant', { id: 'a', logic: w, restart: 'transient', significant: 'yes' }, /significant must be a boolean/],
    ['a significant permanent child', { id: 'a', logic: w, significant: true }, /permanent child cannot be significant/],
  ])('rejects %s with INVALID_SPEC', (_what, spec, message) => {
    const result = code(() => resolveChildSpec(spec, rules));
    expect(result).toMatch(/^TROUPE_ERR_INVALID_SPEC: /);
    expect(result).toMatch(message);
  });

  it('rejects a significant child when autoShutdown is never', () => {
    expect(
      code(() => resolveChildSpec({ id: 'a', logic: w, restart: 'transient', significant: true }, { ...rules, significantAllowed: false })),
    ).toMatch(/TROUPE_ERR_INVALID_SPEC: .*need autoShutdown/);
  });

  it("accepts 'brutal', 0 and Infinity as shutdown settings", () => {
    for (const shutdownMs of ['brutal', 0, Infinity] as const) {
      expect(resolveChildSpec({ id: 'a', logic: w, shutdownMs }, rules).shutdownMs).toBe(shutdownMs);
    }
  });
});
