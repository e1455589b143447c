import { describe, expect, it } from 'vitest';
import {
  AskError,
  createError,
  DeliveryError,
  ErrorCodes,
  errorClassOf,
  InvalidArgumentError,
  isErrorCode,
  QuorumError,
  StreamError,
  TransportError,
  TroupeError,
} from '../src/errors.js';

describe('the error model', () => {
  it('knows every code and nothing else', () => {
    for (const code of Object.values(ErrorCodes)) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('TROUPE_ERR_NOPE')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });

  it('gives each code one class, and createError builds that class', () => {
    const expected: [string, typeof TroupeError][] = [
      ['TROUPE_ERR_INVALID_OPTION', InvalidArgumentError],
      ['TROUPE_ERR_NAME_TAKEN', InvalidArgumentError],
      ['TROUPE_ERR_TIMEOUT', AskError],
      ['TROUPE_ERR_ABORTED', AskError],
      ['TROUPE_ERR_NO_ACTOR', DeliveryError],
      ['TROUPE_ERR_NODE_DOWN', DeliveryError],
      ['TROUPE_ERR_PROTOCOL', TransportError],
      ['TROUPE_ERR_INSECURE', InvalidArgumentError],
      ['TROUPE_ERR_STREAM_FAILED', StreamError],
      ['TROUPE_ERR_ACTOR_FAILED', TroupeError],
      ['TROUPE_ERR_LLM_FAILED', TroupeError],
    ];
    for (const [code, cls] of expected) {
      if (!isErrorCode(code)) throw new Error(code);
      expect(errorClassOf(code)).toBe(cls);
      const err = createError(code, 'm', { cause: 1 });
      expect(err).toBeInstanceOf(cls);
      expect(err.constructor).toBe(cls);
      expect(err).toMatchObject({ code, message: 'm', cause: 1 });
    }
  });

  it('builds a QuorumError, with no results, for TROUPE_ERR_QUORUM_NOT_MET', () => {
    const err = createError('TROUPE_ERR_QUORUM_NOT_MET', 'too few');
    expect(err).toBeInstanceOf(QuorumError);
    expect((err as QuorumError).results).toEqual([]);
    expect(errorClassOf('TROUPE_ERR_QUORUM_NOT_MET')).toBe(QuorumError);
  });

  it('every code builds an error whose name is its class name', () => {
    for (const code of Object.values(ErrorCodes)) {
      const err = createError(code, 'x');
      expect(err.name).toBe(errorClassOf(code).name);
      expect(TroupeError.is(err, code)).toBe(true);
    }
  });
});
