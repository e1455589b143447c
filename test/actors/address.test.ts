import { describe, expect, it } from 'vitest';
import {
  formatAddress,
  isOnNode,
  isTemporaryPath,
  nodePrefix,
  parseAddress,
  pathOf,
  validateName,
  validateNodeId,
} from '../../src/actors/address.js';

describe('address', () => {
  describe('parseAddress', () => {
    it('round-trips with formatAddress', () => {
      const a = formatAddress('alpha', 'app/lead/search-1');
      expect(a).toBe('troupe://alpha/app/lead/search-1');
      expect(parseAddress(a)).toEqual({ node: 'alpha', path: 'app/lead/search-1' });
    });

    it('accepts temporary segments', () => {
      expect(parseAddress('troupe://a/$ask.x1.3').path).toBe('$ask.x1.3');
    });

    it.each([
      '',
      'alpha/app',
      'troupe://',
      'troupe://alpha',
      'troupe://alpha/',
      'troupe://alpha/a//b',
      'troupe://al pha/a',
      'troupe://alpha/-x',
    ])('rejects %j with TROUPE_ERR_INVALID_ADDRESS', (bad) => {
      expect(() => parseAddress(bad)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_ADDRESS' }));
    });
  });

  describe('validateName', () => {
    it.each(['a', 'search-1', 'w_2', 'x.y', 'A:B@c'])('accepts %j', (name) => {
      expect(validateName(name)).toBe(name);
    });
    it.each(['', 'a/b', '$temp', '-x', 'a b', 'x'.repeat(201)])('rejects %j with TROUPE_ERR_INVALID_NAME', (name) => {
      expect(() => validateName(name)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_NAME' }));
    });
  });

  describe('validateNodeId', () => {
    it('rejects a node id with a slash', () => {
      expect(() => validateNodeId('a/b')).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    });
  });

  describe('node and temporary helpers', () => {
    it('tell a temporary path ($<kind>.<id>) from an actor path', () => {
      expect(isTemporaryPath('$ask.abc')).toBe(true);
      expect(isTemporaryPath('app/lead')).toBe(false);
    });

    it('give the path of an address on a node, and nothing for another node', () => {
      expect(pathOf('troupe://alpha/app/lead', 'alpha')).toBe('app/lead');
      expect(pathOf('troupe://alphabet/app', 'alpha')).toBeUndefined();
      expect(isOnNode('troupe://alpha/x', 'alpha')).toBe(true);
      expect(isOnNode('troupe://alphabet/x', 'alpha')).toBe(false);
      expect(nodePrefix('alpha')).toBe('troupe://alpha/');
    });
  });
});
