import { describe, expect, it } from 'vitest';
import { createMachine, fromPromise } from 'xstate';
import { isNativeLogic, isSpawnableLogic, kNativeLogic, type NativeLogic } from '../../src/actors/body.js';
import { fromStream, supervisor } from '../../src/index.js';

describe('body contracts', () => {
  const native: NativeLogic = { [kNativeLogic]: () => ({ start() {}, deliver() {}, stop() {} }) };

  it('recognises troupe-native logic by its symbol', () => {
    expect(isNativeLogic(native)).toBe(true);
    expect(isNativeLogic(supervisor())).toBe(true);
    expect(isNativeLogic(fromStream(async function* () {}))).toBe(true);
    expect(isNativeLogic(createMachine({}))).toBe(false);
    expect(isNativeLogic(null)).toBe(false);
  });

  it('accepts XState logic and native logic as spawnable, and nothing else', () => {
    expect(isSpawnableLogic(createMachine({}))).toBe(true);
    expect(isSpawnableLogic(fromPromise(async () => 1))).toBe(true);
    expect(isSpawnableLogic(native)).toBe(true);
    for (const bad of [undefined, 42, {}, { transition: 'no' }, () => 1]) expect(isSpawnableLogic(bad)).toBe(false);
  });
});
