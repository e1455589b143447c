import { describe, expect, it } from 'vitest';
import { codeFromWire, errorFromWire, errorToWire, fromWireError, reviveError, toWireError } from '../src/error-wire.js';
import { AskError, DeliveryError, InvalidArgumentError, TroupeError } from '../src/errors.js';

describe('error-wire', () => {
  it('reads a known code and maps anything else to PROTOCOL', () => {
    expect(codeFromWire('TROUPE_ERR_TIMEOUT')).toBe('TROUPE_ERR_TIMEOUT');
    expect(codeFromWire('rm -rf')).toBe('TROUPE_ERR_PROTOCOL');
    expect(codeFromWire(undefined)).toBe('TROUPE_ERR_PROTOCOL');
  });

  it('errorFromWire gives the class the code has locally, and bounds the message', () => {
    expect(errorFromWire('TROUPE_ERR_NO_ACTOR', 'gone')).toBeInstanceOf(DeliveryError);
    expect(errorFromWire('TROUPE_ERR_TIMEOUT', 'slow')).toBeInstanceOf(AskError);
    expect(errorFromWire('TROUPE_ERR_NAME_TAKEN', 'dup')).toBeInstanceOf(InvalidArgumentError);
    expect(errorFromWire('TROUPE_ERR_NO_ACTOR', 'x'.repeat(5000)).message).toHaveLength(2000);
    expect(errorFromWire('TROUPE_ERR_NO_ACTOR', 7).message).toMatch(/without a message/);
  });

  it('errorToWire keeps a TroupeError code and reports anything else as ACTOR_FAILED', () => {
    expect(errorToWire(new TroupeError('TROUPE_ERR_NOT_FOUND', 'no'))).toEqual(['TROUPE_ERR_NOT_FOUND', 'no']);
    expect(errorToWire(new RangeError('far'))).toEqual(['TROUPE_ERR_ACTOR_FAILED', 'far']);
    expect(errorToWire('text')).toEqual(['TROUPE_ERR_ACTOR_FAILED', 'text']);
  });

  it('round-trips an error through toWireError and fromWireError', () => {
    const plain = fromWireError(toWireError(new RangeError('far')));
    expect(plain).toBeInstanceOf(Error);
    expect(plain).toMatchObject({ name: 'RangeError', message: 'far' });
    const troupe = fromWireError(toWireError(new DeliveryError('TROUPE_ERR_NO_ACTOR', 'gone')));
    expect(troupe).toBeInstanceOf(DeliveryError);
    expect(troupe).toMatchObject({ code: 'TROUPE_ERR_NO_ACTOR', message: 'gone' });
  });

  it('keeps a foreign code on a plain Error, and survives odd values', () => {
    const e = reviveError('SystemError', 'reset', 'ECONNRESET');
    expect(e).not.toBeInstanceOf(TroupeError);
    expect((e as Error & { code?: string }).code).toBe('ECONNRESET');
    expect(fromWireError('just text').message).toBe('just text');
    expect(fromWireError({ a: 1 }).message).toBe('{"a":1}');
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(fromWireError(cyclic).message).toBe('[object Object]');
    expect(toWireError(cyclic)).toEqual({ name: 'Error', message: '[object Object]' });
  });

  it('a missing actor is the same class from an ask and from a remote reply', async () => {
    const { createSystem } = await import('../src/index.js');
    const system = createSystem();
    try {
      const fromAsk = await system
        .ref(`troupe://${system.node}/nobody`)
        .ask({ type: 'x' })
        .catch((e: unknown) => e);
      expect(fromAsk).toBeInstanceOf(DeliveryError);
      expect(errorFromWire('TROUPE_ERR_NO_ACTOR', 'no')).toBeInstanceOf((fromAsk as object).constructor as typeof DeliveryError);
    } finally {
      await system.shutdown();
    }
  });
});
