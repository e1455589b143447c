import { describe, expect, it } from 'vitest';
import { isRefused, remoteHost } from '../../src/transport/transport.js';

describe('transport', () => {
  describe('isRefused', () => {
    it('finds ECONNREFUSED anywhere in a short cause chain', () => {
      const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
      expect(isRefused(refused)).toBe(true);
      expect(isRefused(new Error('outer', { cause: new Error('inner', { cause: refused }) }))).toBe(true);
      expect(isRefused(new Error('timeout'))).toBe(false);
      expect(isRefused('ECONNREFUSED')).toBe(false);
    });
  });

  describe('remoteHost', () => {
    it('drops the port of IPv4 and IPv6 remotes', () => {
      expect(remoteHost('127.0.0.1:53122')).toBe('127.0.0.1');
      expect(remoteHost('[::1]:80')).toBe('[::1]');
      expect(remoteHost('memory-peer')).toBe('memory-peer');
    });
  });
});
