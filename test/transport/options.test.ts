import { describe, expect, it } from 'vitest';
import { createSystem } from '../../src/index.js';
import { isLoopback, resolveNetworkOptions } from '../../src/transport/options.js';

describe('resolveNetworkOptions', () => {
  it('fills in the documented defaults', () => {
    const o = resolveNetworkOptions({});
    expect(o).toMatchObject({
      listen: undefined,
      secret: '',
      heartbeatIntervalMs: 1000,
      heartbeatMaxMissed: 3,
      maxAttempts: Number.POSITIVE_INFINITY,
      bufferLimit: 1000,
      bufferMs: 30_000,
      orphanGraceMs: 10_000,
      maxFrameBytes: 16 * 1024 * 1024,
      maxPendingAsks: 10_000,
      handshakeTimeoutMs: 5000,
    });
    expect(resolveNetworkOptions({ listen: { port: 0 } }).listen).toEqual({ port: 0, host: '127.0.0.1' });
  });

  it('refuses to listen beyond loopback without a secret (TROUPE_ERR_INSECURE)', () => {
    expect(() => resolveNetworkOptions({ listen: { port: 0, host: '0.0.0.0' } })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INSECURE' }),
    );
    expect(() => createSystem({ listen: { port: 0, host: '0.0.0.0' } })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INSECURE' }));
    expect(resolveNetworkOptions({ listen: { port: 0, host: '0.0.0.0' }, secret: 's' }).listen?.host).toBe('0.0.0.0');
  });

  it.each([
    [{ listen: { port: -1 } }, 'listen.port'],
    [{ listen: { port: 1.5 } }, 'listen.port'],
    [{ heartbeat: { intervalMs: 0 } }, 'heartbeat.intervalMs'],
    [{ heartbeat: { maxMissed: 0 } }, 'heartbeat.maxMissed'],
    [{ reconnect: { minMs: -1 } }, 'reconnect'],
    [{ reconnect: { bufferLimit: -1 } }, 'reconnect.bufferLimit'],
    [{ orphanGraceMs: Number.NaN }, 'orphanGraceMs'],
    [{ maxFrameBytes: 10 }, 'maxFrameBytes'],
    [{ maxPendingAsks: 0 }, 'maxPendingAsks'],
    [{ tls: { key: 'k' } }, 'tls'],
  ])('rejects %j naming %s', (options, field) => {
    expect(() => resolveNetworkOptions(options)).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION', message: expect.stringContaining(field) }),
    );
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['::', false],
    ['example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
