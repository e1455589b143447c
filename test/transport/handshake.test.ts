import { describe, expect, it } from 'vitest';
import { createNonce, createProof, type HandshakeTranscript, isNonce, NONCE_BYTES, verifyProof } from '../../src/transport/handshake.js';

function transcript(): HandshakeTranscript {
  return { dialerNode: 'beta', listenerNode: 'alpha', dialerNonce: createNonce(), listenerNonce: createNonce() };
}

describe('handshake', () => {
  describe('#createNonce', () => {
    it('makes fresh nonces of NONCE_BYTES', () => {
      const a = createNonce();
      expect(isNonce(a)).toBe(true);
      expect(a.byteLength).toBe(NONCE_BYTES);
      expect(Buffer.from(a).equals(Buffer.from(createNonce()))).toBe(false);
    });
  });

  describe('#verifyProof', () => {
    it('accepts the proof made with the same secret, role and transcript', () => {
      const t = transcript();
      expect(verifyProof('s3cret', 'dialer', t, createProof('s3cret', 'dialer', t))).toBe(true);
    });

    it('rejects another secret', () => {
      const t = transcript();
      expect(verifyProof('s3cret', 'dialer', t, createProof('guess', 'dialer', t))).toBe(false);
    });

    it('rejects a proof replayed from the other role (the listener’s proof cannot pass as the dialer’s)', () => {
      const t = transcript();
      expect(verifyProof('s3cret', 'dialer', t, createProof('s3cret', 'listener', t))).toBe(false);
    });

    it('rejects a proof made for other nonces or other node ids', () => {
      const t = transcript();
      const proof = createProof('s3cret', 'dialer', t);
      expect(verifyProof('s3cret', 'dialer', { ...t, listenerNonce: createNonce() }, proof)).toBe(false);
      expect(verifyProof('s3cret', 'dialer', { ...t, dialerNode: 'mallory' }, proof)).toBe(false);
    });

    it('rejects anything that is not a proof of the right length', () => {
      const t = transcript();
      expect(verifyProof('s3cret', 'dialer', t, 'proof')).toBe(false);
      expect(verifyProof('s3cret', 'dialer', t, new Uint8Array(3))).toBe(false);
      expect(verifyProof('s3cret', 'dialer', t, undefined)).toBe(false);
    });
  });
});
